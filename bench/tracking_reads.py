"""Tracker reads at scale (issue 13): ``GET /v1/trackers/{n}`` and the public page ``/t/{n}``
with 10M events stored, on PostgreSQL.

    .venv/bin/python bench/tracking_reads.py               # 10M events
    .venv/bin/python bench/tracking_reads.py --quick       # 1M events
    .venv/bin/python bench/tracking_reads.py --json        # one JSON object

Filling: ``--parcels`` (1,000) numbers tracked by one merchant (the use case behind
``POST /v1/trackers``), then their generated feed (tests/tracking_feed.py: ten UPU scans each,
5 % resent, 10 % out of order) ingested end to end (``tracking.imports.import_file``, what
``postbridge tracking import`` runs). Those real trackers and their events are then copied
inside PostgreSQL (``INSERT ... SELECT`` over ``generate_series``: new numbers, ids and
fingerprints, everything else the same) until ``--events`` events are stored, so every copy
reads like a real tracker of that merchant. ANALYZE follows, as autovacuum would.

Reads: the app in-process (starlette's TestClient: routing, authentication, the use case, the
response model or the template, no socket), random numbers among all the copies, each read
once: ``GET /v1/trackers/{n}`` with the merchant's key and ``GET /t/{n}`` (the public page,
English). Server-side milliseconds from the request to its last byte, p50 and p95; the edge's
per-key rate limit is off (the bench reads faster than a merchant may). Then the use case
alone (``reading.get_tracker``: the queries and the view, no HTTP, no JSON), the same numbers.
The CPU column is the process's CPU time per read (all its threads, the test client's too): on
a shared machine, other processes' load stretches the wall times (each read hops between three
threads, each hop a wait for a core) but not this.

PostgreSQL: the server on 127.0.0.1:5432 when it answers (POSTBRIDGE_BENCH_POSTGRES_URL
overrides), otherwise the throwaway cluster of scripts/postgres.sh; a fresh database, dropped.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the feed generator lives with the tests that also use it

from bench.ingest import ScratchDatabase, postgres_admin_url  # noqa: E402

SECRET = "bench-tracking-reads-secret-0123456789"
EVENT_COLUMNS = (
    "tracking_number, partner, code_scheme, raw_code, raw_text, occurred_at, occurred_zone, "
    "facility, city, region, postal_code, country, received_at"
)
COPIES_PER_STATEMENT = 50


def fill(url: str, folder: Path, *, parcels: int, events: int) -> dict[str, Any]:
    from sqlalchemy import text
    from tests.tracking_feed import generate_feed, write_jsonl

    from postbridge.bootstrap import build_platform, partner_registry
    from postbridge.config import Settings
    from postbridge.merchants.models import Role
    from postbridge.merchants.service import create_merchant
    from postbridge.migrations import upgrade
    from postbridge.tracking.imports import import_file
    from postbridge.tracking.trackers import track_number

    started = time.perf_counter()
    upgrade(url)
    platform = build_platform(Settings(database_url=url, var_dir=folder, secret_key=SECRET))
    database = platform.database
    merchant = create_merchant(database=database, name="bench", role=Role.MERCHANT, pepper=SECRET)
    items, _ = generate_feed(parcels=parcels)
    numbers = sorted({item["tracking_number"] for item in items})
    for number in numbers:
        track_number(database=database, merchant_id=merchant.merchant_id, tracking_number=number)
    feed = write_jsonl(folder / "feed.jsonl", items)
    import_file(database=database, path=feed, code_schemes=partner_registry().code_scheme)
    with database.engine.connect() as connection:
        real = connection.execute(text("SELECT count(*) FROM tracking_events")).scalar_one()
    copies = max(0, events // real - 1)
    tracker_columns = _columns(database, "trackers")
    for first in range(1, copies + 1, COPIES_PER_STATEMENT):
        last = min(copies, first + COPIES_PER_STATEMENT - 1)
        with database.engine.begin() as connection:
            connection.execute(
                text(_copy_trackers(tracker_columns)), {"first": first, "last": last}
            )
            connection.execute(text(_COPY_EVENTS), {"first": first, "last": last})
        print(f"  copies {last:,}/{copies:,}", file=sys.stderr, flush=True)  # noqa: T201
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("ANALYZE"))
        stored = c.execute(text("SELECT count(*) FROM tracking_events")).scalar_one()
        trackers = c.execute(text("SELECT count(*) FROM trackers")).scalar_one()
    database.dispose()
    return {
        "token": merchant.token,
        "merchant_id": merchant.merchant_id,
        "numbers": numbers,
        "copies": copies,
        "events": stored,
        "trackers": trackers,
        "fill_seconds": round(time.perf_counter() - started, 1),
    }


def _columns(database: Any, table: str) -> list[str]:
    from sqlalchemy import inspect

    return [column["name"] for column in inspect(database.engine).get_columns(table)]


def _copy_trackers(columns: list[str]) -> str:
    """Copies ``first``..``last`` of the real trackers: the copy's number gets a four-digit
    suffix (the events' copies get the same), its id another."""
    changed = {
        "id": "t.id || '_' || g",
        "tracking_number": "t.tracking_number || lpad(g::text, 4, '0')",
        "partner_tracking_number": (
            "CASE WHEN t.partner_tracking_number IS NULL THEN NULL "
            "ELSE t.partner_tracking_number || lpad(g::text, 4, '0') END"
        ),
    }
    chosen = ", ".join(changed.get(name, f"t.{name}") for name in columns)
    return (
        f"INSERT INTO trackers ({', '.join(columns)}) SELECT {chosen} FROM trackers t "
        "CROSS JOIN generate_series(CAST(:first AS integer), CAST(:last AS integer)) g "
        "WHERE length(t.tracking_number) = 13"  # the real ones: S10 numbers, 13 characters
    )


_COPY_EVENTS = (
    f"INSERT INTO tracking_events (fingerprint, {EVENT_COLUMNS}) "
    "SELECT md5(e.fingerprint || ':' || g), e.tracking_number || lpad(g::text, 4, '0'), "
    "e.partner, e.code_scheme, e.raw_code, e.raw_text, e.occurred_at, e.occurred_zone, "
    "e.facility, e.city, e.region, e.postal_code, e.country, e.received_at "
    "FROM tracking_events e "
    "CROSS JOIN generate_series(CAST(:first AS integer), CAST(:last AS integer)) g "
    "WHERE length(e.tracking_number) = 13"  # the real ones: S10 numbers, 13 characters
)


class ServerTime:
    """ASGI wrapper: milliseconds from the request reaching the app to its last body byte
    sent (the server's part; TestClient's own thread hop and parsing are left out)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.last_ms = 0.0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        started = time.perf_counter()

        async def timed_send(message: Any) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                self.last_ms = 1000 * (time.perf_counter() - started)

        await self.app(scope, receive, timed_send)


def time_reads(
    url: str, folder: Path, filled: dict[str, Any], *, reads: int
) -> dict[str, dict[str, float]]:
    from starlette.testclient import TestClient

    from postbridge.app import create_app
    from postbridge.bootstrap import build_platform
    from postbridge.config import Settings

    settings = Settings(
        database_url=url, var_dir=folder, secret_key=SECRET, rate_limit_per_second=0
    )
    platform = build_platform(settings)
    rng = random.Random(11)
    suffixes = [""] + [f"{copy:04d}" for copy in range(1, filled["copies"] + 1)]
    numbers = [rng.choice(filled["numbers"]) + rng.choice(suffixes) for _ in range(reads)]
    auth = {"Authorization": f"Bearer {filled['token']}"}
    results: dict[str, dict[str, float]] = {}
    timed = ServerTime(create_app(platform=platform))
    with TestClient(timed) as client:
        for name, path, headers in (
            ("tracker_api", "/v1/trackers/{}", auth),
            ("public_page", "/t/{}?lang=en", {}),
        ):
            for number in numbers[:50]:  # warm the caches, the statements and the templates
                client.get(path.format(number), headers=headers)
            timings, client_side, cpu = [], [], []
            for number in numbers:
                started, cpu_started = time.perf_counter(), time.process_time()
                response = client.get(path.format(number), headers=headers)
                cpu.append(1000 * (time.process_time() - cpu_started))
                client_side.append(1000 * (time.perf_counter() - started))
                timings.append(timed.last_ms)
                assert response.status_code == 200, (path, number, response.status_code)
            results[name] = {
                **_percentiles(timings),
                "reads": len(timings),
                "with_test_client_p50_ms": _percentiles(client_side)["p50_ms"],
                "cpu_p50_ms": _percentiles(cpu)["p50_ms"],
            }
        results["use_case"] = _time_use_case(platform, filled["merchant_id"], numbers)
    platform.database.dispose()
    return results


def _time_use_case(platform: Any, merchant_id: str, numbers: list[str]) -> dict[str, float]:
    """``reading.get_tracker`` alone (no HTTP, no JSON), the same numbers, warm."""
    from postbridge.tracking.reading import get_tracker

    timings, cpu = [], []
    for number in numbers:
        started, cpu_started = time.perf_counter(), time.process_time()
        get_tracker(database=platform.database, tracking_number=number, merchant_id=merchant_id)
        cpu.append(1000 * (time.process_time() - cpu_started))
        timings.append(1000 * (time.perf_counter() - started))
    return {
        **_percentiles(timings),
        "reads": len(timings),
        "cpu_p50_ms": _percentiles(cpu)["p50_ms"],
    }


def _percentiles(milliseconds: list[float]) -> dict[str, float]:
    ordered = sorted(milliseconds)
    return {
        "p50_ms": round(ordered[len(ordered) // 2], 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95)], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1M events instead of 10M")
    parser.add_argument("--events", type=int, help="events to store (default 10M)")
    parser.add_argument("--parcels", type=int, default=1_000, help="really tracked parcels")
    parser.add_argument("--reads", type=int, default=2_000)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    events = args.events or (1_000_000 if args.quick else 10_000_000)
    # Imported now, so the code read is the code that was there at the start, and a tree
    # that does not import fails before a fill of several minutes, not after it.
    import postbridge.app  # noqa: F401

    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as name, ScratchDatabase(postgres_admin_url()) as url:
        folder = Path(name)
        filled = fill(url, folder, parcels=args.parcels, events=events)
        reads = time_reads(url, folder, filled, reads=args.reads)
    report = {
        "events": filled["events"],
        "trackers": filled["trackers"],
        "fill_seconds": filled["fill_seconds"],
        "tracker_api_p50_ms": reads["tracker_api"]["p50_ms"],
        "tracker_api_p95_ms": reads["tracker_api"]["p95_ms"],
        "public_page_p50_ms": reads["public_page"]["p50_ms"],
        "public_page_p95_ms": reads["public_page"]["p95_ms"],
        "use_case_p50_ms": reads["use_case"]["p50_ms"],
        "use_case_p95_ms": reads["use_case"]["p95_ms"],
        "tracker_api_cpu_p50_ms": reads["tracker_api"]["cpu_p50_ms"],
        "use_case_cpu_p50_ms": reads["use_case"]["cpu_p50_ms"],
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }
    if args.json:
        print(json.dumps(report))  # noqa: T201
        return
    print(  # noqa: T201
        f"PostgreSQL: {filled['events']:,} events, {filled['trackers']:,} trackers "
        f"(filled in {filled['fill_seconds']} s); load average {report['load_average']}\n"
        "| read | server p50 ms | server p95 ms | p50 with the test client | CPU p50 ms | reads |\n"
        "|---|---|---|---|---|---|\n"
        + "\n".join(
            f"| {name} | {r['p50_ms']} | {r['p95_ms']} | {r.get('with_test_client_p50_ms', '')} | "
            f"{r['cpu_p50_ms']} | {r['reads']:,} |"
            for name, r in reads.items()
        )
        + "\ntargets: GET /v1/trackers/{n} p50 < 5 ms, public page p95 < 50 ms"
    )


if __name__ == "__main__":
    main()
