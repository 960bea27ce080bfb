"""Webhook delivery: events committed to the outbox -> the worker (relay, fan-out, delivery loop)
-> a receiver on 127.0.0.1, on a fresh SQLite database.

Two phases, each bounded by --max-seconds:
  burst   --events events committed first (chunks of 1,000, as bulk capture does), then the
          real worker (postbridge.worker.loop.Worker, its step and its idle sleep) started:
          deliveries/s = events / time from the worker's start to the last first arrival
  steady  events committed at --rate per second for --steady-seconds while the worker runs:
          delay = first arrival at the receiver - the event's occurred_at (set just before
          its commit), p50 and p99

The receiver is uvicorn (httptools) with a bare ASGI app in its own process, the worker another one,
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
import resource
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime
from multiprocessing.sharedctypes import Synchronized
from multiprocessing.synchronize import Event
from pathlib import Path

import orjson

from postbridge.kit.clock import utc_now
from postbridge.kit.ids import new_ids
from postbridge.storage.outbox import EncodedEvent

CHUNK = 1000


def receive(port: Synchronized, count: Synchronized, stop: Event, out: str) -> None:
    """The receiver process: 200 to everything, first arrival time per webhook-id.

    uvicorn with the httptools parser and a bare ASGI callable: a receiver should cost the
    shared two cores as little as a real one on another machine would. (The threaded
    http.server receiver used before saturated one core at about 1,000 requests/s and was
    then what the bench measured.)"""
    import asyncio
    import socket

    import uvicorn

    arrivals: dict[str, float] = {}

    async def app(scope: dict, receive_message: object, send: object) -> None:  # type: ignore[type-arg]
        receive_fn = receive_message  # the ASGI receive callable
        if scope["type"] == "lifespan":
            while True:
                message = await receive_fn()  # type: ignore[operator]
                kind = message["type"].rsplit(".", 1)[-1]
                await send({"type": f"lifespan.{kind}.complete"})  # type: ignore[operator]
                if kind == "shutdown":
                    return
        more = True
        while more:
            more = (await receive_fn()).get("more_body", False)  # type: ignore[operator]
        webhook_id = dict(scope["headers"])[b"webhook-id"].decode()
        if webhook_id not in arrivals:
            arrivals[webhook_id] = time.time()
            count.value += 1
        await send(  # type: ignore[operator]
            {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]}
        )
        await send({"type": "http.response.body", "body": b"ok"})  # type: ignore[operator]

    # IPPROTO_TCP spelt out: asyncio sets TCP_NODELAY on accepted connections only when the
    # listening socket says TCP, and without it every answer's body waits ~40 ms behind the
    # client's delayed ACK of the headers.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        app, http="httptools", loop="asyncio", lifespan="off", log_level="warning",
        access_log=False, backlog=512, timeout_keep_alive=60,
    )  # fmt: skip
    server = uvicorn.Server(config)
    port.value = listener.getsockname()[1]

    def stop_when_told() -> None:
        stop.wait()
        server.should_exit = True

    threading.Thread(target=stop_when_told, daemon=True).start()
    asyncio.run(server.serve(sockets=[listener]))
    Path(out).write_bytes(orjson.dumps(arrivals))


def work(database_url: str, role: str, ready: Event, stop: Event) -> None:
    """A worker process: the real Worker's step, and its idle sleep, until told to stop."""
    from postbridge.bootstrap import build_platform
    from postbridge.config import Settings
    from postbridge.worker.loop import Worker, WorkerRole

    platform = build_platform(Settings(database_url=database_url))
    # The bench's bookings are events only (no shipments behind them): the hand-over jobs their
    # consumer queues (counted: the relay enqueues them) are not run, as no partner takes part
    # here (bench/partners.py measures the partner exchange).
    platform.partner_clients = None
    worker = Worker(platform, role=WorkerRole(role))
    ready.set()
    while not stop.is_set():
        if not worker.step():
            time.sleep(worker.idle_seconds)
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
    def __init__(self, folder: Path, delivery_processes: int) -> None:
        from postbridge.migrations import upgrade
        from postbridge.storage.engine import make_engine
        from postbridge.storage.unit_of_work import Database

        self.url = f"sqlite:///{folder / 'bench.db'}"
        upgrade(self.url)
        self.folder = folder
        self.delivery_processes = delivery_processes
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

    def start_workers(self) -> Workers:
        """As ``postbridge serve`` runs them: one ``jobs`` worker and ``--event-processes``
        ``events`` workers (relay and deliveries); or one ``all`` worker with 0."""
        roles = ["jobs"] + ["events"] * self.delivery_processes
        if self.delivery_processes == 0:
            roles = ["all"]
        stop = self.context.Event()
        started = []
        for role in roles:
            ready = self.context.Event()
            process = self.context.Process(
                target=work, args=(self.url, role, ready, stop), daemon=True
            )
            process.start()
            started.append((process, ready))
        for _process, ready in started:
            if not ready.wait(300):  # imports, the network, the quoter: slow on a busy machine
                raise SystemExit("a worker did not start within 300 s")
        return Workers([process for process, _ready in started], stop)

    def occurred(self) -> dict[str, datetime]:
        from sqlalchemy import select

        from postbridge.webhooks.models import WebhookEvent

        with self.database.unit_of_work() as uow:
            rows = uow.session.execute(select(WebhookEvent.id, WebhookEvent.occurred_at))
            return {row[0]: row[1] for row in rows}


def children_cpu_seconds() -> float:
    """User and system CPU of the child processes that have ended (and been joined)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Workers:
    def __init__(self, processes: list[multiprocessing.process.BaseProcess], stop: Event) -> None:
        self.processes = processes
        self.stop_event = stop

    def stop(self, wait_seconds: float) -> None:
        self.stop_event.set()
        for process in self.processes:
            process.join(wait_seconds)
            if process.is_alive():  # mid-step with a backlog: it must not load the next phase
                process.kill()


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
    cpu_before = children_cpu_seconds()
    workers = bench.start_workers()
    began = time.monotonic()  # from the workers' first step
    done = wait_for(count, events, began + max_seconds)
    elapsed = time.monotonic() - began
    delivered = count.value
    workers.stop(60)
    stop_receiver.set()
    receiver.join(30)
    # The workers' and the receiver's CPU, start-up (imports, the network) included: what the
    # deliveries cost whatever the neighbours on the machine were doing meanwhile.
    cpu = children_cpu_seconds() - cpu_before
    return {"events": events, "delivered": delivered, "seconds": elapsed,
            "deliveries_per_s": delivered / elapsed, "complete": float(done),
            "cpu_ms_per_delivery": 1000 * cpu / max(1, delivered)}  # fmt: skip


def steady(bench: Bench, rate: int, seconds: float, max_seconds: float) -> dict[str, float]:
    receiver, count, stop_receiver, out = bench.receiver()
    merchant_id = bench.merchant_with_endpoint()
    workers = bench.start_workers()
    time.sleep(2)  # let it idle, as a waiting worker does
    per_tick = max(1, round(rate * 0.1))  # ten commits a second
    sent, began = 0, time.monotonic()
    while time.monotonic() - began < seconds:
        commit(bench.database, booked_rows(merchant_id, per_tick))
        sent += per_tick
        time.sleep(max(0.0, began + (sent / rate) - time.monotonic()))
    done = wait_for(count, sent, time.monotonic() + max_seconds)
    workers.stop(30)
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
    parser.add_argument(
        "--event-processes", type=int, default=2, dest="delivery_processes",
        help="`worker --role events` processes beside the jobs worker (default 2, as `serve` "
        "starts them); 0 runs one `--role all` worker",
    )  # fmt: skip
    args = parser.parse_args()
    load_before = os.getloadavg()
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
            bench = Bench(Path(folder) / phase, args.delivery_processes)
            results.append(run(bench))
            bench.database.dispose()
        burst_result, steady_result = results
    load = [round(x, 2) for x in (*load_before, *os.getloadavg())]
    if args.json:
        print(json.dumps({"deliveries_per_s": round(burst_result["deliveries_per_s"], 1),
                          "p99_delay_ms": round(steady_result["p99_delay_ms"], 1),
                          "p50_delay_ms": round(steady_result["p50_delay_ms"], 1),
                          "burst_cpu_ms_per_delivery": round(burst_result["cpu_ms_per_delivery"], 3),
                          "event_processes": args.delivery_processes,
                          "load_average_before_after": [load[:3], load[3:]]}))  # fmt: skip
        return
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
        f"SQLite; event processes: {args.delivery_processes}; load average before "
        f"{load[0]:.2f}, after {load[3]:.2f}"
    )
    print(f"{'phase':<8} {'events':>8} {'delivered':>10} {'result':>34}")
    print(
        f"{'burst':<8} {burst_result['events']:>8,.0f} {burst_result['delivered']:>10,.0f} "
        f"{burst_result['deliveries_per_s']:>16,.0f} deliveries/s in {burst_result['seconds']:.1f} s"
        f" ({burst_result['cpu_ms_per_delivery']:.2f} ms of CPU each, workers and receiver)"
    )
    print(f"{'steady':<8} {steady_result['events']:>8,.0f} {steady_result['delivered']:>10,.0f} "
          f"  at {args.rate}/s: p50 {steady_result['p50_delay_ms']:.0f} ms, p99 "
          f"{steady_result['p99_delay_ms']:.0f} ms, max {steady_result['max_delay_ms']:.0f} ms")  # fmt: skip
    if not (burst_result["complete"] and steady_result["complete"]):
        print("incomplete: a phase hit --max-seconds (figures are for what was delivered)")


if __name__ == "__main__":
    main()
