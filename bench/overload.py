"""Overload benchmark: twice the saturating rate, offered open-loop, against one server.

Starts ``postbridge serve --demo --no-worker`` (one API process, default edge limits) on a
temporary SQLite database with the demo merchant and a few more API keys of it, then:

1. **saturation**: a closed loop (a few clients, each sending its next request when the last
   one is answered) of the mixed load, half ``POST /v1/rates`` and half
   ``GET /v1/shipments?limit=20``; the served rate is the saturation rate;
2. **overload**: the same mix offered open-loop at ``--factor`` (2) times that rate for 60 s
   (``--quick``: 15 s), each request sent at its scheduled time on one of many connections
   whatever the answers, so a slow server meets more requests, not fewer.

Reports the served rate, p50/p99 of the served (200) requests, the longest wait of any
request (from its scheduled time to its answer), the share answered 429 and 503, and every
other error; and the load average before and after. Targets (reported, not asserted): p99 of
served requests under 250 ms, no wait over 2 s, no error but 429/503.

Traffic goes to 127.0.0.1 only; every phase is bounded in time and count and the server is
stopped at the end. Usage::

    .venv/bin/python bench/overload.py            # 60 s of overload
    .venv/bin/python bench/overload.py --quick    # 15 s
    .venv/bin/python bench/overload.py --json     # one JSON object on stdout
    .venv/bin/python bench/overload.py --keys 1   # one key: the rate limit answers first
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

POSTBRIDGE = str(Path(sys.executable).parent / "postbridge")
RATES_BODY = {
    "origin": {"country": "CN", "postal_code": "518057"},
    "destination": {"country": "US", "postal_code": "10001"},
    "parcel": {"weight_g": 800, "length_mm": 250, "width_mm": 180, "height_mm": 90},
    "declared_value": {"amount": "35.00", "currency": "USD"},
    "incoterm": "DDU",
}
REQUEST_TIMEOUT_SECONDS = 30.0
DRAIN_SECONDS = 35.0  # after the last scheduled request: every answer or its timeout
MAX_OPEN_LOOP_REQUESTS = 60_000  # a bound on the count whatever the measured rate
# Enough to keep one API process busy, and no more than it admits (the in-flight bound, 4):
# more clients would measure the shedding, not the saturation.
CLOSED_LOOP_CLIENTS = 4


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """``postbridge serve --demo --no-worker`` in a temporary folder, on a free port."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "POSTBRIDGE_DATABASE_URL": f"sqlite:///{folder / 'var' / 'bench.db'}",
            "POSTBRIDGE_VAR_DIR": str(folder / "var"),
            # No access log line per request: the bench measures the API, not the terminal.
            "POSTBRIDGE_LOG_LEVEL": "warning",
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with (self.folder / "serve.log").open("wb") as log:
            self.process = subprocess.Popen(
                [POSTBRIDGE, "serve", "--demo", "--no-worker", "--port", str(self.port)],
                cwd=self.folder, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the server did not start: see {self.folder / 'serve.log'}")

    def keys(self, count: int) -> list[str]:
        """The demo key and ``count - 1`` more of the demo merchant (``merchants key``)."""
        demo = (self.folder / "var" / "demo-api-key").read_text().strip()
        me = httpx.get(f"{self.url}/v1/me", headers={"Authorization": f"Bearer {demo}"})
        merchant_id = me.json()["merchant_id"]
        keys = [demo]
        for _ in range(count - 1):
            printed = subprocess.run(
                [POSTBRIDGE, "merchants", "key", merchant_id],
                env=self.env, cwd=self.folder, capture_output=True, text=True, check=True,
            )  # fmt: skip
            keys.append(printed.stdout.strip().splitlines()[-1])
        return keys

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def raw_requests(keys: list[str]) -> list[list[bytes]]:
    """Per key, the two requests of the mix as bytes: [quote, list]."""
    body = json.dumps(RATES_BODY).encode()
    requests = []
    for key in keys:
        auth = f"Authorization: Bearer {key}\r\nHost: 127.0.0.1\r\n".encode()
        quote = (
            b"POST /v1/rates HTTP/1.1\r\n" + auth + b"Content-Type: application/json\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
        )
        listing = b"GET /v1/shipments?limit=20 HTTP/1.1\r\n" + auth + b"\r\n"
        requests.append([quote, listing])
    return requests


class Connection:
    """One keep-alive HTTP/1.1 connection. A minimal client: httpx's async pool spends more
    CPU per request than the server does at a few hundred requests a second, and the client
    shares the machine, so it would measure itself."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def send(self, request: bytes) -> int:
        if self.streams is None:
            self.streams = await asyncio.open_connection("127.0.0.1", self.port)
        reader, writer = self.streams
        try:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
                elif name.strip().lower() == b"connection" and b"close" in value.lower():
                    self.streams = None
            await reader.readexactly(length)
        except BaseException:
            writer.close()
            self.streams = None
            raise
        if self.streams is None:
            writer.close()
        return int(head.split(b" ", 2)[1])

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()


async def closed_loop(port: int, keys: list[str], clients: int, seconds: float) -> dict[str, Any]:
    requests = raw_requests(keys)
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    end = time.monotonic() + seconds

    async def loop(worker: int) -> None:
        connection = Connection(port)
        index = worker
        while time.monotonic() < end:
            began = time.monotonic()
            status = await connection.send(requests[index % len(keys)][index % 2])
            statuses[str(status)] = statuses.get(str(status), 0) + 1
            if status == 200:
                latencies.append(time.monotonic() - began)
            index += clients
        connection.close()

    began = time.monotonic()
    await asyncio.gather(*(loop(worker) for worker in range(clients)))
    elapsed = time.monotonic() - began
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "served_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "statuses": statuses,
    }


def percentile_ms(sorted_values: list[float], share: float) -> float | None:
    if not sorted_values:
        return None
    return round(
        sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * share))] * 1000, 1
    )


async def open_loop(
    port: int, keys: list[str], rate: float, seconds: float, connections: int
) -> dict[str, Any]:
    """Each request is due at start + index / rate; a free connection sends it then (or as
    soon as one frees up: that wait counts), whatever happened to the ones before."""
    requests = raw_requests(keys)
    count = min(int(rate * seconds), MAX_OPEN_LOOP_REQUESTS)
    waits: list[float] = []
    served: list[float] = []
    shed: list[float] = []
    statuses: dict[str, int] = {}
    errors: dict[str, int] = {}
    due: asyncio.Queue[int | None] = asyncio.Queue()
    start = time.monotonic() + 0.5

    async def sender() -> None:
        connection = Connection(port)
        while (index := await due.get()) is not None:
            scheduled = start + index / rate
            try:
                status = await asyncio.wait_for(
                    connection.send(requests[index % len(keys)][index % 2]),
                    REQUEST_TIMEOUT_SECONDS,
                )
            except (OSError, asyncio.IncompleteReadError, TimeoutError) as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                continue
            wait = time.monotonic() - scheduled
            waits.append(wait)
            statuses[str(status)] = statuses.get(str(status), 0) + 1
            if status == 200:
                served.append(wait)
            elif status in (429, 503):
                shed.append(wait)
            else:
                errors[f"http_{status}"] = errors.get(f"http_{status}", 0) + 1
        connection.close()

    senders = [asyncio.create_task(sender()) for _ in range(connections)]
    for index in range(count):
        delay = start + index / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        due.put_nowait(index)
    for _ in senders:
        due.put_nowait(None)
    _, pending = await asyncio.wait(senders, timeout=DRAIN_SECONDS)
    for task in pending:
        task.cancel()
    errors["unanswered"] = count - len(waits) - sum(errors.values())
    served.sort()
    shed.sort()
    return {
        "offered_per_second": round(rate, 1),
        "seconds": seconds,
        "requests": count,
        "served_per_second": round(len(served) / seconds, 1),
        "served_p50_ms": percentile_ms(served, 0.5),
        "served_p99_ms": percentile_ms(served, 0.99),
        "refused_p50_ms": percentile_ms(shed, 0.5),
        "longest_wait_ms": round(max(waits) * 1000, 1) if waits else None,
        "share_429": round(statuses.get("429", 0) / count, 3),
        "share_503": round(statuses.get("503", 0) / count, 3),
        "statuses": statuses,
        "errors_other_than_429_503": {name: n for name, n in errors.items() if n},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="15 s of overload instead of 60")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--factor", type=float, default=2.0, help="offered / saturation rate")
    parser.add_argument("--keys", type=int, default=8, help="API keys the load is spread over")
    parser.add_argument("--connections", type=int, default=256)
    arguments = parser.parse_args()
    overload_seconds = 15.0 if arguments.quick else 60.0
    saturation_seconds = 8.0 if arguments.quick else 20.0
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="postbridge-overload-") as folder:
        server = Server(Path(folder))
        try:
            server.start()
            keys = server.keys(arguments.keys)
            saturation = asyncio.run(
                closed_loop(server.port, keys, CLOSED_LOOP_CLIENTS, saturation_seconds)
            )
            rate = saturation["served_per_second"] * arguments.factor
            overload = asyncio.run(
                open_loop(server.port, keys, rate, overload_seconds, arguments.connections)
            )
        finally:
            server.stop()
    result = {
        "bench": "overload",
        "cpus": os.cpu_count(),
        "keys": arguments.keys,
        "load_average_before": [round(value, 2) for value in load_before],
        "load_average_after": [round(value, 2) for value in os.getloadavg()],
        "saturation_closed_loop": saturation,
        "overload_open_loop": overload,
        "targets": {"served_p99_ms": 250, "longest_wait_ms": 2000, "other_errors": 0},
    }
    if arguments.json:
        print(json.dumps(result))
        return
    print(f"load average before {result['load_average_before']}")
    print(f"saturation (closed loop, {CLOSED_LOOP_CLIENTS} clients): {saturation}")
    for name, value in overload.items():
        print(f"  {name:28} {value}")
    print(f"load average after {result['load_average_after']}")


if __name__ == "__main__":
    main()
