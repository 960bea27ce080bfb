"""API throughput benchmark (issue 16): each hot route against ``/healthz`` of the same server.

For each database (SQLite, then PostgreSQL) and each server shape (one process, then
``postbridge serve --workers 2``), on a database holding ``--shipments`` (100k) shipments of
one merchant, a closed loop of ``--connections`` (8) keep-alive connections sends one route at
a time for ``--seconds`` (10; ``--quick``: 5) after a warm-up:

* ``GET /healthz`` (the framework's own ceiling: every route is compared to it);
* ``POST /v1/rates`` (CN 518057 to US 78701, 500 g);
* ``GET /v1/shipments?limit=20`` and ``?limit=100`` (the merchant's newest page);
* ``GET /v1/shipments/{id}`` (rotating over the really booked shipments);
* ``POST /v1/shipments`` with a fresh ``Idempotency-Key`` per request (each books a parcel);
* ``GET /v1/shipments/{id}/label?format=zpl``.

Prints req/s, p50 and p99 and each route's ratio to ``/healthz`` of the same configuration,
with the load average (``os.getloadavg``, what ``uptime`` shows) before and after each
configuration: the machine is shared, so ratios within one run are what compares.

The load generator is ``wrk`` (Debian's package: ``apt-get install wrk``) when it is on the
PATH, with a Lua script per route; otherwise a minimal asyncio keep-alive client in its own
process (``--client python`` forces it). It runs on 127.0.0.1 only.

Seeding: the demo orders (bulk capture) and a few single bookings give real shipments, with
real routes, duties and labels; their rows are then copied (new ids, references, numbers and
times; the same shared route and duty documents) by one executemany per 20k rows up to
``--shipments``.

The edge's per-key rate limit is switched off (``POSTBRIDGE_RATE_LIMIT_PER_SECOND=0``) and the
load-shedding bound raised (``POSTBRIDGE_MAX_REQUESTS_IN_FLIGHT=256``): the bench measures
the routes, not the overload answers (``bench/overload.py`` measures those). Every phase is
bounded in time; the servers are stopped and the PostgreSQL database is dropped at the end.

    .venv/bin/python bench/api.py                 # SQLite and PostgreSQL, 10 s per route
    .venv/bin/python bench/api.py --quick         # SQLite only, 5 s per route
    .venv/bin/python bench/api.py --json          # one JSON object on stdout
    .venv/bin/python bench/api.py --no-postgres --seconds 20

PostgreSQL: ``--postgres URL`` of a server where a database can be created (default
``POSTBRIDGE_TEST_POSTGRES_URL``, else ``postgresql://postgres@127.0.0.1:5432/postgres``).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import multiprocessing
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

POSTBRIDGE = str(Path(sys.executable).parent / "postbridge")
SECRET = "bench-api-secret-key-0123456789abcdef"
CHUNK = 20_000
RATES_BODY = {
    "origin": {"country": "CN", "postal_code": "518057"},
    "destination": {"country": "US", "postal_code": "78701"},
    "parcel": {"weight_g": 500, "length_mm": 200, "width_mm": 150, "height_mm": 50},
    "declared_value": {"amount": "20.00", "currency": "USD"},
    "incoterm": "DDU",
}
BOOKING_BODY = {
    "reference": "BENCH-1",
    "service": "standard",
    "incoterm": "DDU",
    "sender": {
        "name": "Li Wei", "company": "Shenzhen Gadgets Co",
        "street_lines": ["No. 8 Keji Road, Nanshan"], "city": "Shenzhen",
        "region": "Guangdong", "postal_code": "518057", "country": "CN",
        "phone": "+86 755 8888 8888", "email": "ops@example.cn",
    },
    "recipient": {
        "name": "Jane Doe", "street_lines": ["100 Congress Ave"], "city": "Austin",
        "region": "Texas", "postal_code": "78701", "country": "US",
        "phone": "512-555-0100", "email": "jane@example.com",
    },
    "parcel": {"weight_g": 450, "length_mm": 200, "width_mm": 150, "height_mm": 50},
    "customs": {
        "category": "sale_of_goods",
        "items": [{
            "description": "Cotton T-shirt", "quantity": 2,
            "unit_value": {"amount": "9.90", "currency": "USD"}, "hs_code": "610910",
            "origin_country": "CN", "unit_weight_g": 180,
        }],
    },
}  # fmt: skip
ROUTES = ("healthz", "rates", "list20", "list100", "get", "book", "label_zpl")
WARM_UP_SECONDS = 2
REQUEST_TIMEOUT_SECONDS = 10


# --- databases and seeding -------------------------------------------------------------------


@contextmanager
def sqlite_database(folder: Path) -> Iterator[str]:
    yield f"sqlite:///{folder / 'bench-api.db'}"


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    import psycopg

    from postbridge.storage.engine import normalize_url

    name = f"postbridge_bench_api_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = server_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    base = admin.rsplit("/", 1)[0]
    try:
        yield normalize_url(f"{base}/{name}")
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed(url: str, var_dir: Path, count: int) -> dict[str, Any]:
    """Migrate, create the bench merchant and its key, book real shipments, copy them to
    ``count``. Returns the key and the ids of the really booked shipments."""
    from postbridge.bootstrap import build_platform
    from postbridge.bulk import batches
    from postbridge.config import Settings
    from postbridge.merchants.models import Role
    from postbridge.merchants.service import create_merchant
    from postbridge.migrations import upgrade
    from postbridge.shipments import booking
    from postbridge.shipments.models import Shipment
    from postbridge.shipments.repository import (
        JSON_COLUMNS,
        SHIPMENT_COLUMNS,
        ShipmentRepository,
        encode_document,
    )
    from postbridge.shipments.schemas import ShipmentCreate
    from postbridge.shipments.views import shipment_input

    started = time.perf_counter()
    upgrade(url)
    settings = Settings(database_url=url, var_dir=var_dir, secret_key=SECRET)
    platform = build_platform(settings)
    database = platform.database
    merchant = create_merchant(
        database=database, name="bench merchant", role=Role.MERCHANT, pepper=SECRET
    )
    from importlib import resources

    source = resources.files("postbridge.cli").joinpath("data/demo_orders.csv")
    with resources.as_file(source) as path:
        batch, _ = batches.open_batch(
            database=database, merchant_id=merchant.merchant_id, batch_key="bench-orders",
            file_name=path.name, sha256=batches.file_sha256(path),
        )  # fmt: skip
        batches.run_batch(deps=platform.booking, batch_id=batch.id, source=path)
    body = ShipmentCreate.model_validate(BOOKING_BODY)
    for _ in range(8):
        booking.book_shipment(
            deps=platform.booking, merchant_id=merchant.merchant_id, shipment=shipment_input(body)
        )
    table = Shipment.__table__
    with database.engine.connect() as connection:
        templates = [dict(row._mapping) for row in connection.execute(select(table))]
    real_ids = [template["id"] for template in templates]
    encoded = [
        template | {name: encode_document(template[name]) for name in JSON_COLUMNS}
        for template in templates
    ]
    oldest = min(template["created_at"] for template in templates)
    for start in range(0, count - len(templates), CHUNK):
        rows = []
        for number in range(start, min(count - len(templates), start + CHUNK)):
            template = encoded[number % len(encoded)]
            created = oldest - timedelta(seconds=30 * (number + 1))
            values = template | {
                "id": f"shp_bench{number:012d}", "reference": f"BENCH-{number:08d}",
                "tracking_number": f"BN{number:09d}CN", "batch_id": None, "batch_row": None,
                "partner_tracking_number": (
                    None if template["partner_tracking_number"] is None else f"92{number:020d}"
                ),
                "created_at": created, "updated_at": created,
            }  # fmt: skip
            rows.append([values[name] for name in SHIPMENT_COLUMNS])
        with database.unit_of_work() as uow:
            ShipmentRepository(uow.session).insert_encoded(rows)
            uow.commit()
    if database.dialect == "postgresql":
        with database.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")  # as autovacuum would after such a load
    database.dispose()
    return {
        "token": merchant.token,
        "real_ids": real_ids,
        "seed_seconds": round(time.perf_counter() - started, 1),
    }


# --- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """``postbridge serve --no-worker [--workers N]`` on a free port of 127.0.0.1."""

    def __init__(self, url: str, folder: Path, workers: int) -> None:
        self.folder = folder
        self.workers = workers
        self.port = free_port()
        self.env = {
            **os.environ,
            "POSTBRIDGE_DATABASE_URL": url,
            "POSTBRIDGE_VAR_DIR": str(folder / "var"),
            "POSTBRIDGE_SECRET_KEY": SECRET,
            "POSTBRIDGE_LOG_LEVEL": "warning",  # no log line per request
            # The bench measures the routes, not the overload answers (bench/overload.py).
            "POSTBRIDGE_RATE_LIMIT_PER_SECOND": "0",
            "POSTBRIDGE_MAX_REQUESTS_IN_FLIGHT": "256",
        }
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        log = (self.folder / f"serve-{self.port}.log").open("wb")
        command = [POSTBRIDGE, "serve", "--no-worker", "--host", "127.0.0.1",
                   "--port", str(self.port), "--workers", str(self.workers)]  # fmt: skip
        self.process = subprocess.Popen(
            command, cwd=self.folder, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1).is_success:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.__exit__()
        log.close()
        # The log lives in the bench's temporary folder, removed on the way out: show its end.
        tail = Path(log.name).read_text(errors="replace")[-3000:]
        raise RuntimeError(f"the server did not start; the end of its log:\n{tail}")

    def __exit__(self, *_: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def process_tree_cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid`` and its descendants (the ``--workers`` processes), from
    /proc: unlike req/s, CPU per request hardly moves with the neighbours' load."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                pending.extend(int(child) for child in children)
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


# --- the load: one route, closed loop --------------------------------------------------------


def route_requests(route: str, token: str, real_ids: list[str]) -> list[dict[str, Any]]:
    """The requests a route's load cycles through: method, path, body (booking: a fresh
    Idempotency-Key is added to each by the client)."""
    auth = {"Authorization": f"Bearer {token}"}
    json_headers = {**auth, "Content-Type": "application/json"}
    if route == "healthz":
        return [{"method": "GET", "path": "/healthz", "headers": {}, "body": ""}]
    if route == "rates":
        body = json.dumps(RATES_BODY)
        return [{"method": "POST", "path": "/v1/rates", "headers": json_headers, "body": body}]
    if route in ("list20", "list100"):
        path = f"/v1/shipments?limit={route[4:]}"
        return [{"method": "GET", "path": path, "headers": auth, "body": ""}]
    if route == "get":
        return [
            {"method": "GET", "path": f"/v1/shipments/{i}", "headers": auth, "body": ""}
            for i in real_ids
        ]
    if route == "label_zpl":
        return [
            {"method": "GET", "path": f"/v1/shipments/{i}/label?format=zpl", "headers": auth,
             "body": ""}
            for i in real_ids
        ]  # fmt: skip
    if route == "book":
        body = json.dumps(BOOKING_BODY)
        return [{"method": "POST", "path": "/v1/shipments", "headers": json_headers,
                 "body": body, "idempotent": True}]  # fmt: skip
    raise ValueError(route)


def _lua_string(value: str) -> str:
    return "[==[" + value + "]==]"


WRK_SCRIPT = """
local requests = {%(requests)s}
local idempotent = %(idempotent)s
local counter = 0
local next_thread = 0
function setup(thread)
  thread:set("tid", next_thread)
  next_thread = next_thread + 1
end
function request()
  counter = counter + 1
  local r = requests[(counter %% #requests) + 1]
  local headers = {}
  for name, value in pairs(r.headers) do headers[name] = value end
  if idempotent then
    headers["Idempotency-Key"] = "%(run)s-" .. tostring(tid) .. "-" .. tostring(counter)
  end
  return wrk.format(r.method, r.path, headers, r.body)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\\nWRK-JSON {"requests": %%d, "duration_us": %%d, "non_2xx": %%d, "socket_errors": %%d, '
    .. '"p50_us": %%d, "p99_us": %%d}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def wrk_script(requests: list[dict[str, Any]]) -> str:
    entries = []
    for r in requests:
        headers = ", ".join(
            f"[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in r["headers"].items()
        )
        entries.append(
            f"{{method = {_lua_string(r['method'])}, path = {_lua_string(r['path'])}, "
            f"headers = {{{headers}}}, body = {_lua_string(r['body'])}}}"
        )
    return WRK_SCRIPT % {
        "requests": ", ".join(entries),
        "idempotent": "true" if requests[0].get("idempotent") else "false",
        "run": uuid.uuid4().hex[:10],
    }


def run_wrk(
    port: int, requests: list[dict[str, Any]], seconds: float, connections: int, folder: Path
) -> dict[str, Any]:
    script = folder / f"wrk-{uuid.uuid4().hex[:8]}.lua"
    script.write_text(wrk_script(requests))
    threads = min(2, connections)
    printed = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(seconds))}s",
         "--timeout", f"{REQUEST_TIMEOUT_SECONDS}s", "-s", str(script),
         f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, timeout=seconds + 60, check=True,
    )  # fmt: skip
    line = next((x for x in printed.stdout.splitlines() if x.startswith("WRK-JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary: {printed.stdout} {printed.stderr}")
    raw = json.loads(line.removeprefix("WRK-JSON "))
    elapsed = raw["duration_us"] / 1e6
    return {
        "requests": raw["requests"],
        "rps": round(raw["requests"] / elapsed, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "errors": raw["non_2xx"] + raw["socket_errors"],
    }


def _raw_request(r: dict[str, Any], counter: int, run: str) -> bytes:
    body = r["body"].encode()
    lines = [f"{r['method']} {r['path']} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{k}: {v}" for k, v in r["headers"].items()]
    if r.get("idempotent"):
        lines.append(f"Idempotency-Key: {run}-{counter}")
    if body:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _python_load(
    port: int, requests: list[dict[str, Any]], seconds: float, connections: int
) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    run = uuid.uuid4().hex[:10]
    counter = 0
    end = time.monotonic() + seconds

    async def loop() -> None:
        nonlocal counter, errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while time.monotonic() < end:
            counter += 1
            request = _raw_request(requests[counter % len(requests)], counter, run)
            began = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - began)
            if not head.startswith(b"HTTP/1.1 2"):
                errors += 1
        writer.close()

    began = time.monotonic()
    await asyncio.gather(*(loop() for _ in range(connections)))
    elapsed = time.monotonic() - began
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 2),
        "errors": errors,
    }


def _python_load_process(queue: Any, *arguments: Any) -> None:
    queue.put(asyncio.run(_python_load(*arguments)))


def run_python(
    port: int, requests: list[dict[str, Any]], seconds: float, connections: int, folder: Path
) -> dict[str, Any]:
    """The same closed loop from a child process (the client never shares the server's)."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(
        target=_python_load_process, args=(queue, port, requests, seconds, connections)
    )
    child.start()
    result = queue.get(timeout=seconds + 60)
    child.join(10)
    return dict(result)


# --- profiles (py-spy) -----------------------------------------------------------------------


def profile_route(
    pid: int,
    client: Any,
    port: int,
    requests: list[dict[str, Any]],
    seconds: float,
    connections: int,
    raw: Path,
) -> dict[str, Any]:
    """py-spy (``--gil``: the thread holding the GIL, i.e. where the process's CPU goes) while
    the route's load runs; the shares of samples by inclusive and by own frame. The raw
    (collapsed) stacks stay in ``raw``."""
    spy = subprocess.Popen(
        [str(Path(sys.executable).parent / "py-spy"), "record", "--gil", "--nonblocking",
         "--format", "raw", "--rate", "250", "--duration", str(max(1, round(seconds - 1))),
         "--pid", str(pid), "--output", str(raw)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    figures = client(port, requests, seconds, connections)
    spy.wait(60)
    inclusive: dict[str, int] = {}
    own: dict[str, int] = {}
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        count = int(count_text)
        frames = [_short_frame(frame) for frame in stack.split(";")]
        total += count
        own[frames[-1]] = own.get(frames[-1], 0) + count
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + count

    def top(counts: dict[str, int], n: int) -> list[tuple[str, float]]:
        ranked = sorted(counts.items(), key=lambda item: -item[1])[:n]
        return [(frame, round(100 * count / total, 1)) for frame, count in ranked]

    return {"figures": figures, "samples": total, "inclusive": top(inclusive, 45),
            "own": top(own, 25)}  # fmt: skip


def _short_frame(frame: str) -> str:
    # "name (path/to/module.py:123)" -> "name (module.py)"
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    parts = Path(path).parts
    short = "/".join(parts[-2:]) if parts else path
    return f"{name} ({short})"


def profile_configuration(
    url: str, folder: Path, seeded: dict[str, Any], arguments: argparse.Namespace
) -> None:
    client = run_wrk if arguments.client == "wrk" else run_python
    with Server(url, folder, 1) as server:
        assert server.process is not None
        for route in arguments.profile:
            requests = route_requests(route, seeded["token"], seeded["real_ids"])
            client(server.port, requests, WARM_UP_SECONDS, arguments.connections, folder)
            raw = Path(tempfile.gettempdir()) / f"bench-api-profile-{route}.txt"
            client_run = functools.partial(client, folder=folder)
            result = profile_route(
                server.process.pid, client_run, server.port, requests, arguments.seconds,
                arguments.connections, raw,
            )  # fmt: skip
            print(f"\n== {route}: {result['figures']} ({result['samples']} samples, {raw})")
            print("  inclusive %:")
            for frame, share in result["inclusive"]:
                print(f"    {share:5.1f}  {frame}")
            print("  own %:")
            for frame, share in result["own"]:
                print(f"    {share:5.1f}  {frame}")


# --- one configuration -----------------------------------------------------------------------


def measure_configuration(
    url: str, folder: Path, workers: int, seeded: dict[str, Any], arguments: argparse.Namespace
) -> dict[str, Any]:
    client = run_wrk if arguments.client == "wrk" else run_python
    load_before = os.getloadavg()
    results: dict[str, Any] = {}
    with Server(url, folder, workers) as server:
        for route in ROUTES:
            requests = route_requests(route, seeded["token"], seeded["real_ids"])
            # Warm-up: every process's memos, today's timetable, the statement caches.
            client(server.port, requests, WARM_UP_SECONDS, arguments.connections, folder)
            assert server.process is not None
            cpu_before = process_tree_cpu_seconds(server.process.pid)
            figures = client(
                server.port, requests, arguments.seconds, arguments.connections, folder
            )
            cpu = process_tree_cpu_seconds(server.process.pid) - cpu_before
            figures["server_cpu_us_per_request"] = round(cpu / max(1, figures["requests"]) * 1e6)
            results[route] = figures
    healthz = results["healthz"]["rps"]
    for figures in results.values():
        figures["ratio"] = round(figures["rps"] / healthz, 3) if healthz else None
    return {
        "workers": workers,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "routes": results,
    }


def print_table(database: str, configuration: dict[str, Any]) -> None:
    print(
        f"\n{database}, {configuration['workers']} process(es); load average "
        f"{configuration['load_average_before']} -> {configuration['load_average_after']}"
    )
    print(
        f"  {'route':12} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>7} "
        f"{'CPU us/req':>11} {'errors':>7}"
    )
    for route, figures in configuration["routes"].items():
        print(
            f"  {route:12} {figures['rps']:>9,.1f} {figures['p50_ms']:>8.2f} "
            f"{figures['p99_ms']:>8.2f} {figures['ratio']:>7.3f} "
            f"{figures['server_cpu_us_per_request']:>11,} {figures['errors']:>7}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 s per route, SQLite only")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--seconds", type=float, default=None, help="per route (default 10)")
    parser.add_argument("--shipments", type=int, default=100_000)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--json-out", help="also write the JSON object to this file")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "POSTBRIDGE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument(
        "--client", choices=("wrk", "python"), default="wrk" if shutil.which("wrk") else "python"
    )
    parser.add_argument(
        "--profile", nargs="+", choices=ROUTES, default=None,
        help="instead of the figures: py-spy profiles of these routes (SQLite, one process)",
    )  # fmt: skip
    arguments = parser.parse_args()
    if arguments.profile:
        arguments.seconds = arguments.seconds or 8.0
        with tempfile.TemporaryDirectory(prefix="postbridge-bench-api-") as temporary:
            folder = Path(temporary)
            with sqlite_database(folder) as url:
                seeded = seed(url, folder / "var", arguments.shipments)
                profile_configuration(url, folder, seeded, arguments)
        return
    if arguments.seconds is None:
        arguments.seconds = 5.0 if arguments.quick else 10.0
    databases = [("sqlite", sqlite_database)]
    if not (arguments.quick or arguments.no_postgres):
        databases.append(("postgresql", lambda folder: postgres_database(arguments.postgres)))
    report: dict[str, Any] = {
        "bench": "api",
        "client": arguments.client,
        "connections": arguments.connections,
        "seconds_per_route": arguments.seconds,
        "shipments": arguments.shipments,
        "cpus": os.cpu_count(),
        "edge": "rate limit off (POSTBRIDGE_RATE_LIMIT_PER_SECOND=0), shedding bound 256",
        "databases": {},
    }
    for name, open_database in databases:
        with tempfile.TemporaryDirectory(prefix="postbridge-bench-api-") as temporary:
            folder = Path(temporary)
            with open_database(folder) as url:
                seeded = seed(url, folder / "var", arguments.shipments)
                configurations = {}
                for workers in arguments.workers:
                    configurations[str(workers)] = measure_configuration(
                        url, folder, workers, seeded, arguments
                    )
                    if not arguments.json:
                        print_table(name, configurations[str(workers)])
                report["databases"][name] = {
                    "seed_seconds": seeded["seed_seconds"],
                    "configurations": configurations,
                }
    sqlite = report["databases"]["sqlite"]["configurations"]
    one = sqlite.get("1", {}).get("routes", {})
    two = sqlite.get("2", {}).get("routes", {})

    def ratio(route: str) -> float | None:
        return one[route]["ratio"] if route in one else None

    summary = {
        "rates_ratio": ratio("rates"),
        "list20_ratio": ratio("list20"),
        "list100_ratio": ratio("list100"),
        "get_ratio": ratio("get"),
        "book_ratio": ratio("book"),
        "label_zpl_ratio": ratio("label_zpl"),
        "healthz_rps": one["healthz"]["rps"] if one else None,
        "rates_rps": one["rates"]["rps"] if one else None,
        "rates_rps_2_workers": two["rates"]["rps"] if two else None,
        "rates_2_workers_gain": (
            round(two["rates"]["rps"] / one["rates"]["rps"], 2) if one and two else None
        ),
    }
    report = summary | report
    if arguments.json_out:
        Path(arguments.json_out).write_text(json.dumps(report, indent=1))
    if arguments.json:
        print(json.dumps(report))
        return
    print(
        "\nSQLite, one process: "
        + ", ".join(f"{k} {v}" for k, v in summary.items() if v is not None)
        + "\ntargets: rates_ratio >= 0.6, list20_ratio >= 0.5, get_ratio >= 0.7, "
        "book_ratio >= 0.25, rates_2_workers_gain >= 1.6"
    )


if __name__ == "__main__":
    main()
