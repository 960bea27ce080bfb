"""Tracking ingestion benchmark (issue 13): a generated feed ingested end to end into
PostgreSQL and into SQLite, with a raw COPY of the same rows into an unindexed PostgreSQL
table, in the same run, as the physical-limit anchor.

    .venv/bin/python bench/ingest.py            # 1M distinct events, 100k parcels
    .venv/bin/python bench/ingest.py --quick    # 200k distinct events, 20k parcels
    .venv/bin/python bench/ingest.py --json     # {"pg_events_per_s", "sqlite_events_per_s", "ratio_to_copy"}

The feed (tests/tracking_feed.py): ten UPU scans per parcel, 5% of the events resent later
(exact copies), 10% swapped with their neighbour (out of order), 1% unmapped codes, as JSON
Lines. "End to end" is the production path of ``postbridge tracking import``
(``tracking.imports.import_file``): read and parse each line, normalise, fingerprint (in a
forked worker; the clean common item through ``tracking.fast_parse``), then in the writer:
on PostgreSQL (``tracking.bulk_ingest``) COPY each 20,000-line chunk, already as COPY text,
into a staging table, one ``INSERT ... SELECT DISTINCT ON ... ON CONFLICT DO NOTHING`` that
deduplicates within the chunk and against the store, count unmapped codes, attach trackers,
fold the new events onto the stored state of trackers they all come after (recompute the
others from their stored events), commit per chunk; on SQLite the Python path (fingerprint
lookup, executemany, recompute every touched tracker), commit per 5,000 events. Events per
second are input lines over wall time; client CPU is split into the writer and its parsing
worker, and on a local PostgreSQL the server's backends' CPU is read from /proc. PostgreSQL is the server on 127.0.0.1:5432 when it answers
(POSTBRIDGE_BENCH_POSTGRES_URL overrides), otherwise the throwaway cluster of
scripts/postgres.sh; each run uses a fresh database and drops it. After the PostgreSQL
ingest, 2,000 reads of random trackers (``tracking.reading.get_tracker``, what
``GET /v1/trackers/{n}`` calls) give p50 and p95 on the filled database.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the feed generator lives with the tests that also use it

COPY_COLUMNS = (
    "tracking_number", "partner", "code", "description", "occurred_at", "facility", "city",
    "region", "postal_code", "country",
)  # fmt: skip


def postgres_admin_url() -> str:
    explicit = os.environ.get("POSTBRIDGE_BENCH_POSTGRES_URL")
    if explicit:
        return explicit
    script = ROOT / "scripts" / "postgres.sh"
    return subprocess.run([str(script)], check=True, capture_output=True, text=True).stdout.strip()


class ScratchDatabase:
    """A fresh PostgreSQL database for one run, dropped afterwards."""

    def __init__(self, admin_url: str) -> None:
        from sqlalchemy.engine import make_url

        from postbridge.storage.engine import normalize_url

        self.admin = make_url(normalize_url(admin_url)).set(drivername="postgresql")
        self.name = f"postbridge_bench_{uuid.uuid4().hex[:10]}"

    def __enter__(self) -> str:
        import psycopg

        with psycopg.connect(
            self.admin.render_as_string(hide_password=False), autocommit=True
        ) as c:
            c.execute(f'CREATE DATABASE "{self.name}"')
        return self.admin.set(database=self.name).render_as_string(hide_password=False)

    def __exit__(self, *_: object) -> None:
        import psycopg

        with psycopg.connect(
            self.admin.render_as_string(hide_password=False), autocommit=True
        ) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def ingest(url: str, feed: Path) -> dict[str, Any]:
    from postbridge.bootstrap import partner_registry
    from postbridge.migrations import upgrade
    from postbridge.storage.engine import make_engine
    from postbridge.storage.unit_of_work import Database
    from postbridge.tracking.imports import import_file

    upgrade(url)
    database = Database(make_engine(url))
    own_before, children_before = _cpu_seconds()
    started = time.perf_counter()
    counts = import_file(database=database, path=feed, code_schemes=partner_registry().code_scheme)
    elapsed = time.perf_counter() - started
    own_after, children_after = _cpu_seconds()
    own, children = own_after - own_before, children_after - children_before
    server = _server_cpu_seconds(database) if database.dialect == "postgresql" else None
    database.dispose()
    per_event = 1e6 / counts.received
    return {
        "seconds": elapsed,
        "events_per_s": counts.received / elapsed,
        # CPU time of the writer and its parsing worker: what the path costs, whatever the
        # neighbours on a shared machine take (the wall time depends on them).
        "cpu_us_per_event": per_event * (own + children),
        "writer_cpu_us_per_event": per_event * own,
        "worker_cpu_us_per_event": per_event * children,
        "server_cpu_us_per_event": None if server is None else per_event * server,
        "counts": counts,
    }


def _server_cpu_seconds(database: Any) -> float | None:
    """CPU time of the PostgreSQL backends serving this run's (fresh) database, read from
    /proc: only when the server runs on this machine (None otherwise)."""
    from sqlalchemy import text

    with database.engine.connect() as connection:
        pids = list(
            connection.execute(
                text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
            ).scalars()
        )
    ticks, total = os.sysconf("SC_CLK_TCK"), 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def time_reads(url: str, items: list[dict[str, Any]], *, reads: int = 2000) -> dict[str, float]:
    """Milliseconds per ``GET /v1/trackers/{n}`` read (the use case, operator scope: every
    tracker here is untracked) of random parcels, on the database just filled."""
    import random

    from postbridge.storage.engine import make_engine
    from postbridge.storage.unit_of_work import Database
    from postbridge.tracking.reading import get_tracker

    database = Database(make_engine(url))
    numbers = random.Random(5).sample(sorted({i["tracking_number"] for i in items}), reads)
    timings = []
    for number in numbers:
        started = time.perf_counter()
        view = get_tracker(database=database, tracking_number=number, merchant_id=None)
        timings.append(1000 * (time.perf_counter() - started))
        assert view.events
    database.dispose()
    timings.sort()
    return {"p50_ms": timings[len(timings) // 2], "p95_ms": timings[int(len(timings) * 0.95)]}


def _cpu_seconds() -> tuple[float, float]:
    """CPU seconds of this process (the writer) and of its exited children (the workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def raw_copy(url: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    """COPY the feed's rows, already in memory, into a table with no index or key."""
    import psycopg

    rows = [
        (
            i["tracking_number"], i["partner"], i["code"], i["description"], i["occurred_at"],
            *(i["location"].get(name) for name in COPY_COLUMNS[5:]),
        )
        for i in items
    ]  # fmt: skip
    columns = ", ".join(f"{name} text" for name in COPY_COLUMNS[:4])
    places = ", ".join(f"{name} text" for name in COPY_COLUMNS[5:])
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as connection:
        connection.execute(
            f"CREATE TABLE copy_anchor ({columns}, occurred_at timestamptz, {places})"
        )
        connection.commit()
        started = time.perf_counter()
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY copy_anchor ({', '.join(COPY_COLUMNS)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        connection.commit()
        elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "rows_per_s": len(rows) / elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200k events instead of 1M")
    parser.add_argument("--parcels", type=int, help="parcels (ten events each)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()

    from tests.tracking_feed import generate_feed, write_jsonl

    parcels = args.parcels or (20_000 if args.quick else 100_000)
    items, distinct = generate_feed(parcels=parcels)
    with tempfile.TemporaryDirectory() as folder:
        feed = write_jsonl(Path(folder) / "feed.jsonl", items)
        with ScratchDatabase(postgres_admin_url()) as pg_url:
            anchor = raw_copy(pg_url, items)
            pg = ingest(pg_url, feed)
            reads = time_reads(pg_url, items)
        sqlite = None if args.skip_sqlite else ingest(f"sqlite:///{folder}/bench.db", feed)
    figures = {
        "pg_events_per_s": round(pg["events_per_s"]),
        "sqlite_events_per_s": round(sqlite["events_per_s"]) if sqlite else None,
        "ratio_to_copy": round(pg["events_per_s"] / anchor["rows_per_s"], 3),
        "copy_rows_per_s": round(anchor["rows_per_s"]),
        "pg_cpu_us_per_event": round(pg["cpu_us_per_event"], 1),
        "load_average": round(os.getloadavg()[0], 2),
    }
    if args.json:
        print(json.dumps(figures))  # noqa: T201
        return
    counts = pg["counts"]
    load = os.getloadavg()[0]
    lines = [
        f"feed: {len(items):,} lines, {distinct:,} distinct events, {parcels:,} parcels; "
        f"load average {load:.2f}",
        f"stored {counts.accepted:,}, duplicates {counts.duplicates:,}, "
        f"unmapped {counts.unmapped:,}, unmatched {counts.unmatched:,}",
        "",
        "| run | seconds | events/s | client CPU µs per event (writer + worker) "
        "| server CPU µs per event |",
        "|---|---|---|---|---|",
        f"| raw COPY, unindexed PostgreSQL table (anchor) | {anchor['seconds']:.1f} | "
        f"{anchor['rows_per_s']:,.0f} | | |",
        _row("end to end into PostgreSQL", pg),
    ]
    if sqlite:
        lines.append(_row("end to end into SQLite", sqlite))
    lines.append(f"\nratio to COPY: {figures['ratio_to_copy']}")
    lines.append(
        f"tracker reads on PostgreSQL ({counts.accepted:,} events stored): "
        f"p50 {reads['p50_ms']:.2f} ms, p95 {reads['p95_ms']:.2f} ms"
    )
    print("\n".join(lines))  # noqa: T201


def _row(label: str, run: dict[str, Any]) -> str:
    server = run["server_cpu_us_per_event"]
    return (
        f"| {label} | {run['seconds']:.1f} | {run['events_per_s']:,.0f} | "
        f"{run['cpu_us_per_event']:.0f} ({run['writer_cpu_us_per_event']:.0f} + "
        f"{run['worker_cpu_us_per_event']:.0f}) | {'' if server is None else f'{server:.0f}'} |"
    )


if __name__ == "__main__":
    main()
