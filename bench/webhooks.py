"""Webhook delivery: events committed to the outbox -> the worker (relay, fan-out, delivery loop)
-> a receiver on 127.0.0.1, on a fresh SQLite database.

Two phases, each bounded by --max-seconds:
  burst   --events events committed first (chunks of 1,000, as bulk capture does), then the
          real worker (postbridge.worker.loop.Worker, its step and its idle sleep) started:
          deliveries/s = events / time from the worker's start to the last first arrival
  steady  events committed at --rate per second for --steady-seconds while the worker runs:
          delay = first arrival at the receiver - the event's occurred_at (set just before
          its commit), p50 and p99

The receiver is a keep-alive threaded HTTP server in its own process, the worker another one,
the producer the main process; on a 2-core machine they share the cores (so does SQLite).

    .venv/bin/python bench/webhooks.py              # 100,000 events, then 20 s at 500/s
    .venv/bin/python bench/webhooks.py --quick      # 20,000 events, then 10 s at 500/s
    .venv/bin/python bench/webhooks.py --json       # {"deliveries_per_s": ..., "p99_delay_ms": ...}
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.sharedctypes import Synchronized
from multiprocessing.synchronize import Event
from pathlib import Path

import orjson

from postbridge.kit.clock import utc_now
from postbridge.kit.ids import new_ids
from postbridge.storage.outbox import EncodedEvent

CHUNK = 1000


def receive(port: Synchronized, count: Synchronized, stop: Event, out: str) -> None:
    """The receiver process: 200 to everything, first arrival time per webhook-id."""
    arrivals: dict[str, float] = {}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes: without this, Nagle and delayed ACKs
        # hold every keep-alive answer back ~40 ms.
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["content-length"]))
            webhook_id = self.headers["webhook-id"]
            now = time.time()
            with lock:
                if webhook_id not in arrivals:
                    arrivals[webhook_id] = now
                    count.value += 1
            self.send_response(200)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = 256
        daemon_threads = True

    server = Server(("127.0.0.1", 0), Handler)
    port.value = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stop.wait()
    server.shutdown()
    with lock:
        Path(out).write_bytes(orjson.dumps(arrivals))


def work(database_url: str, ready: Event, stop: Event) -> None:
    """The worker process: the real Worker's step, and its idle sleep, until told to stop."""
    from postbridge.bootstrap import build_platform
    from postbridge.config import Settings
    from postbridge.worker.loop import Worker

    worker = Worker(build_platform(Settings(database_url=database_url)))
    ready.set()
    while not stop.is_set():
        if not worker.step():
            time.sleep(worker.settings.poll_seconds)
    worker.webhooks.close()


def booked_rows(merchant_id: str, count: int) -> list[EncodedEvent]:
    """``count`` shipment.booked events of distinct parcels (no ordering between them)."""
    at = utc_now()
    rows: list[EncodedEvent] = []
    for event_id, shipment_id in zip(new_ids("evt", count), new_ids("shp", count), strict=True):
        payload = {
            "merchant_id": merchant_id, "shipment_id": shipment_id,
            "tracking_number": "LX123456785CN", "destination_country": "US",
            "reference": shipment_id[-10:], "service": "standard", "batch_id": None,
            "batch_row": None,
        }  # fmt: skip
        rows.append(
            (
                event_id,
                "shipment.booked",
                f"shipment:{shipment_id}",
                at,
                1,
                orjson.dumps(payload).decode(),
            )
        )
    return rows


def commit(database: object, rows: list[EncodedEvent]) -> None:
    from postbridge.storage.outbox import OutboxRepository

    with database.unit_of_work() as uow:  # type: ignore[attr-defined]
        OutboxRepository(uow.session).append_encoded(rows)
        uow.commit()


class Bench:
    def __init__(self, folder: Path) -> None:
        from postbridge.migrations import upgrade
        from postbridge.storage.engine import make_engine
        from postbridge.storage.unit_of_work import Database

        self.url = f"sqlite:///{folder / 'bench.db'}"
        upgrade(self.url)
        self.folder = folder
        self.context = multiprocessing.get_context("fork")
        self.database = Database(make_engine(self.url))

    def receiver(self) -> tuple[multiprocessing.process.BaseProcess, Synchronized, Event, Path]:
        port, count = self.context.Value("i", 0), self.context.Value("i", 0)
        stop = self.context.Event()
        out = self.folder / f"arrivals-{time.monotonic_ns()}.json"
        process = self.context.Process(
            target=receive, args=(port, count, stop, str(out)), daemon=True
        )
        process.start()
        while port.value == 0:
            time.sleep(0.01)
        self.port = port.value
        return process, count, stop, out

    def merchant_with_endpoint(self) -> str:
        from postbridge.config import Settings
        from postbridge.merchants.models import Role
        from postbridge.merchants.service import create_merchant
        from postbridge.webhooks.endpoints import WebhookDeps, create_endpoint

        settings = Settings(database_url=self.url)
        merchant = create_merchant(
            database=self.database, name=f"bench-{time.time_ns()}", role=Role.MERCHANT,
            pepper=settings.secret_key,
        )  # fmt: skip
        create_endpoint(
            deps=WebhookDeps.of(self.database, settings), merchant_id=merchant.merchant_id,
            url=f"http://127.0.0.1:{self.port}/hooks", event_types=["shipment.booked"],
        )  # fmt: skip
        return merchant.merchant_id

    def start_worker(self) -> tuple[multiprocessing.process.BaseProcess, Event]:
        ready, stop = self.context.Event(), self.context.Event()
        process = self.context.Process(target=work, args=(self.url, ready, stop), daemon=True)
        process.start()
        if not ready.wait(300):  # imports, the network and the quoter: slow on a busy machine
            raise SystemExit("the worker did not start within 300 s")
        return process, stop

    def occurred(self) -> dict[str, datetime]:
        from sqlalchemy import select

        from postbridge.webhooks.models import WebhookEvent

        with self.database.unit_of_work() as uow:
            rows = uow.session.execute(select(WebhookEvent.id, WebhookEvent.occurred_at))
            return {row[0]: row[1] for row in rows}


def wait_for(count: Synchronized, target: int, deadline: float) -> bool:
    while count.value < target:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def burst(bench: Bench, events: int, max_seconds: float) -> dict[str, float]:
    receiver, count, stop_receiver, _out = bench.receiver()
    merchant_id = bench.merchant_with_endpoint()
    for start in range(0, events, CHUNK):
        commit(bench.database, booked_rows(merchant_id, min(CHUNK, events - start)))
    worker, stop_worker = bench.start_worker()
    began = time.monotonic()  # from the worker's first step
    done = wait_for(count, events, began + max_seconds)
    elapsed = time.monotonic() - began
    delivered = count.value
    stop_worker.set()
    worker.join(60)
    if worker.is_alive():  # mid-step with a backlog: it must not load the next phase
        worker.kill()
    stop_receiver.set()
    receiver.join(30)
    return {"events": events, "delivered": delivered, "seconds": elapsed,
            "deliveries_per_s": delivered / elapsed, "complete": float(done)}  # fmt: skip


def steady(bench: Bench, rate: int, seconds: float, max_seconds: float) -> dict[str, float]:
    receiver, count, stop_receiver, out = bench.receiver()
    merchant_id = bench.merchant_with_endpoint()
    worker, stop_worker = bench.start_worker()
    time.sleep(2)  # let it idle, as a waiting worker does
    per_tick = max(1, round(rate * 0.1))  # ten commits a second
    sent, began = 0, time.monotonic()
    while time.monotonic() - began < seconds:
        commit(bench.database, booked_rows(merchant_id, per_tick))
        sent += per_tick
        time.sleep(max(0.0, began + (sent / rate) - time.monotonic()))
    done = wait_for(count, sent, time.monotonic() + max_seconds)
    stop_worker.set()
    worker.join(30)
    stop_receiver.set()
    receiver.join(30)
    arrivals = orjson.loads(out.read_bytes())
    occurred = bench.occurred()
    delays = sorted(
        (at - occurred[i].timestamp()) * 1000 for i, at in arrivals.items() if i in occurred
    )
    if len(delays) < 2:
        raise SystemExit(f"steady: {len(delays)} of {sent} events delivered within --max-seconds")
    cuts = statistics.quantiles(delays, n=100)
    return {"events": sent, "delivered": len(delays), "rate": rate, "complete": float(done),
            "p50_delay_ms": cuts[49], "p99_delay_ms": cuts[98], "max_delay_ms": delays[-1]}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rate", type=int, default=500, help="steady events per second")
    parser.add_argument("--steady-seconds", type=float, default=20.0)
    parser.add_argument("--max-seconds", type=float, default=300.0, help="bound of each phase")
    parser.add_argument("--quick", action="store_true", help="20,000 events, 10 s steady")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    if args.quick:
        args.events, args.steady_seconds = 20_000, 10.0
    with tempfile.TemporaryDirectory() as folder:
        # A database each: the steady phase must not queue behind the burst's leftovers.
        results = []
        for phase, run in (
            ("burst", lambda bench: burst(bench, args.events, args.max_seconds)),
            (
                "steady",
                lambda bench: steady(bench, args.rate, args.steady_seconds, args.max_seconds),
            ),
        ):
            (Path(folder) / phase).mkdir()
            bench = Bench(Path(folder) / phase)
            results.append(run(bench))
            bench.database.dispose()
        burst_result, steady_result = results
    if args.json:
        print(json.dumps({"deliveries_per_s": round(burst_result["deliveries_per_s"], 1),
                          "p99_delay_ms": round(steady_result["p99_delay_ms"], 1)}))  # fmt: skip
        return
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}, SQLite"
    )
    print(f"{'phase':<8} {'events':>8} {'delivered':>10} {'result':>34}")
    print(
        f"{'burst':<8} {burst_result['events']:>8,.0f} {burst_result['delivered']:>10,.0f} "
        f"{burst_result['deliveries_per_s']:>16,.0f} deliveries/s in {burst_result['seconds']:.1f} s"
    )
    print(f"{'steady':<8} {steady_result['events']:>8,.0f} {steady_result['delivered']:>10,.0f} "
          f"  at {args.rate}/s: p50 {steady_result['p50_delay_ms']:.0f} ms, p99 "
          f"{steady_result['p99_delay_ms']:.0f} ms, max {steady_result['max_delay_ms']:.0f} ms")  # fmt: skip
    if not (burst_result["complete"] and steady_result["complete"]):
        print("incomplete: a phase hit --max-seconds (figures are for what was delivered)")


if __name__ == "__main__":
    main()
