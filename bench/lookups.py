"""Benchmark the lookups merchants make on their shipments (issue 10, point 8).

Fills one merchant with N synthetic shipments (raw executemany through
``ShipmentRepository.insert_encoded``, not the booking path: a week of bookings in seconds),
plus a second merchant with N/10, on SQLite and PostgreSQL, then times the first page of
``GET /v1/shipments`` (50 rows: what the route runs behind HTTP, ``shipments.reading.page_rows``,
the advance-data blocks and the JSON body) for each filter and prints the query plan the
database chose for it.

    .venv/bin/python bench/lookups.py                  # 500,000 shipments
    .venv/bin/python bench/lookups.py --quick          # 100,000
    .venv/bin/python bench/lookups.py --json           # one JSON object on stdout
    .venv/bin/python bench/lookups.py --no-postgres    # SQLite only

PostgreSQL: ``--postgres URL`` (default ``POSTBRIDGE_TEST_POSTGRES_URL``, else
``postgresql://postgres@127.0.0.1:5432/postgres``); a throwaway database is created and dropped.
SQLite is not ANALYZEd (the platform never runs it); PostgreSQL is, as autovacuum would.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, select, text

from postbridge.bootstrap import build_platform
from postbridge.config import Settings
from postbridge.handover.advance_data import advance_data_views
from postbridge.merchants.models import Role
from postbridge.merchants.service import create_merchant
from postbridge.migrations import upgrade
from postbridge.shipments import booking
from postbridge.shipments.models import Shipment
from postbridge.shipments.reading import page_rows
from postbridge.shipments.repository import (
    JSON_COLUMNS,
    SHIPMENT_COLUMNS,
    ShipmentFilter,
    ShipmentRepository,
    encode_document,
)
from postbridge.shipments.schemas import ShipmentCreate
from postbridge.shipments.views import dumps, shipment_input, shipment_json
from postbridge.storage.engine import make_engine, normalize_url
from postbridge.storage.unit_of_work import Database

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # so "bench." helpers import when run as a script

from bench.api import BOOKING_BODY  # noqa: E402

CHUNK = 20_000
PEPPER = "bench-lookups-secret-key-0123456789ab"
PAGE = 50
REPEATS = 200
# A merchant's mix: most parcels on their way or delivered, a few cancelled or held.
STATUSES = [("delivered", 55), ("in_transit", 20), ("label_created", 15), ("booked", 5),
            ("cancelled", 3), ("held", 1), ("exception", 1)]  # fmt: skip
DESTINATIONS = [("US", 70), ("BR", 10), ("MX", 8), ("ES", 6), ("CL", 3), ("CO", 2), ("SG", 1)]
SPAN = timedelta(days=180)
START = datetime(2026, 6, 1, tzinfo=UTC)


def _weighted(choices: list[tuple[str, int]], rng: random.Random, n: int) -> list[str]:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights, k=n)


def booked_template(url: str, merchant_id: str, folder: Path) -> dict[str, Any]:
    """One really booked shipment's row, its JSON columns encoded: the template every synthetic
    row copies, so that each page renders real route and duty documents as the API does."""
    platform = build_platform(Settings(database_url=url, var_dir=folder, secret_key=PEPPER))
    try:
        body = ShipmentCreate.model_validate(BOOKING_BODY)
        booking.book_shipment(
            deps=platform.booking, merchant_id=merchant_id, shipment=shipment_input(body)
        )
        with platform.database.engine.connect() as connection:
            row = dict(connection.execute(select(Shipment.__table__)).mappings().one())
    finally:
        platform.database.dispose()
    return row | {name: encode_document(row[name]) for name in JSON_COLUMNS}


def fill(
    database: Database,
    template: dict[str, Any],
    merchant_id: str,
    count: int,
    *,
    first: int,
    seed: int,
) -> None:
    """``count`` copies of ``template`` for ``merchant_id``, created evenly over SPAN, with
    their own ids, references, numbers, statuses and destinations, numbered from ``first``."""
    rng = random.Random(seed)
    step = SPAN / count
    for start in range(0, count, CHUNK):
        size = min(CHUNK, count - start)
        statuses = _weighted(STATUSES, rng, size)
        destinations = _weighted(DESTINATIONS, rng, size)
        rows = []
        for offset in range(size):
            number = first + start + offset
            created = START + step * (start + offset)
            values = template | {
                "id": f"shp_bench{number:010d}", "merchant_id": merchant_id,
                "reference": f"ORD-{number:08d}", "status": statuses[offset],
                "destination_country": destinations[offset],
                "tracking_number": f"LB{number:09d}CN", "partner_tracking_number": None,
                "batch_id": None, "batch_row": None, "created_at": created,
                "updated_at": created,
            }  # fmt: skip
            rows.append([values[name] for name in SHIPMENT_COLUMNS])
        with database.unit_of_work() as uow:
            ShipmentRepository(uow.session).insert_encoded(rows)
            uow.commit()


def lookups(merchant_id: str, count: int) -> dict[str, Callable[[random.Random], ShipmentFilter]]:
    def day(rng: random.Random) -> ShipmentFilter:
        start = START + timedelta(days=rng.randrange(170))
        return ShipmentFilter(merchant_id, created_from=start, created_to=start + timedelta(1))

    return {
        "reference": lambda rng: ShipmentFilter(
            merchant_id, reference=f"ORD-{rng.randrange(count):08d}"
        ),
        "reference, unknown": lambda rng: ShipmentFilter(merchant_id, reference="NO-SUCH-REF"),
        "status=cancelled": lambda rng: ShipmentFilter(merchant_id, status="cancelled"),
        "status=delivered": lambda rng: ShipmentFilter(merchant_id, status="delivered"),
        "destination=SG": lambda rng: ShipmentFilter(merchant_id, destination="SG"),
        "status=held, destination=BR": lambda rng: ShipmentFilter(
            merchant_id, status="held", destination="BR"
        ),
        "created, one day": day,
        "no filter": lambda rng: ShipmentFilter(merchant_id),
    }


@contextmanager
def captured_statements(database: Database) -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def capture(_c: Any, _cur: Any, statement: str, parameters: Any, _ctx: Any, _m: Any) -> None:
        seen.append((statement, parameters))

    # The API's reads go through the reading engine (its own pool on PostgreSQL).
    event.listen(database.read_engine, "before_cursor_execute", capture)
    try:
        yield seen
    finally:
        event.remove(database.read_engine, "before_cursor_execute", capture)


def explain(database: Database, statement: str, parameters: Any) -> list[str]:
    sqlite = database.engine.dialect.name == "sqlite"
    with database.engine.connect() as connection:
        cursor = connection.connection.cursor()
        cursor.execute(("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ") + statement, parameters)
        return [row[3] if sqlite else row[0] for row in cursor.fetchall()]


def time_statement(database: Database, statement: str, parameters: Any) -> float:
    """The database's part of a page: the same SQL on a bare cursor, rows fetched, no ORM."""
    with database.read_engine.connect() as connection:
        cursor = connection.connection.cursor()
        started = time.perf_counter()
        cursor.execute(statement, parameters)
        cursor.fetchall()
        return (time.perf_counter() - started) * 1000


def percentiles(timings: list[float]) -> tuple[float, float]:
    timings = sorted(timings)
    return round(statistics.median(timings), 2), round(timings[int(len(timings) * 0.95) - 1], 2)


def api_page(database: Database, spec: ShipmentFilter) -> int:
    """What ``GET /v1/shipments`` runs behind HTTP (api.routes.shipments._list): the page's
    rows, their advance-data blocks, the JSON body. Returns the number of items."""
    page = page_rows(database=database, spec=spec, cursor=None, limit=PAGE)
    blocks = advance_data_views(database=database, shipment_ids=[row.id for row in page.rows])
    items = [shipment_json(row, page.documents, advance_data=blocks[row.id]) for row in page.rows]
    dumps({"items": items, "next_cursor": page.next_cursor})
    return len(items)


def time_lookups(database: Database, merchant_id: str, count: int) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    for name, make_spec in lookups(merchant_id, count).items():
        rng = random.Random(7)
        for _ in range(10):  # warm the caches and the statement cache
            api_page(database, make_spec(rng))
        pages, statements, rows = [], [], 0
        for _ in range(REPEATS):
            spec = make_spec(rng)
            with captured_statements(database) as seen:
                started = time.perf_counter()
                rows = api_page(database, spec)
                pages.append((time.perf_counter() - started) * 1000)
            statements.append(next((s, p) for s, p in seen if "FROM shipments" in s))
        sql = [time_statement(database, statement, params) for statement, params in statements]
        page_p50, page_p95 = percentiles(pages)
        sql_p50, sql_p95 = percentiles(sql)
        results[name] = {
            "p50_ms": page_p50, "p95_ms": page_p95, "sql_p50_ms": sql_p50,
            "sql_p95_ms": sql_p95, "rows": rows, "plan": explain(database, *statements[0]),
        }  # fmt: skip
    return results


def run_on(url: str, count: int) -> dict[str, Any]:
    upgrade(url)
    database = Database(make_engine(url))
    try:
        merchant = create_merchant(
            database=database, name="bench", role=Role.MERCHANT, pepper=PEPPER
        )
        other = create_merchant(database=database, name="other", role=Role.MERCHANT, pepper=PEPPER)
        started = time.perf_counter()
        with tempfile.TemporaryDirectory() as folder:
            template = booked_template(url, merchant.merchant_id, Path(folder))
        fill(database, template, merchant.merchant_id, count, first=0, seed=1)
        fill(database, template, other.merchant_id, count // 10, first=count, seed=2)
        fill_seconds = time.perf_counter() - started
        if database.engine.dialect.name == "postgresql":
            with database.engine.begin() as connection:
                connection.execute(text("ANALYZE shipments"))
        return {
            "shipments": count + count // 10,
            "fill_seconds": round(fill_seconds, 1),
            "lookups": time_lookups(database, merchant.merchant_id, count),
        }
    finally:
        database.dispose()


@contextmanager
def throwaway_postgres(admin_url: str) -> Iterator[str]:
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(normalize_url(admin_url)).set(drivername="postgresql")
    conninfo = admin.render_as_string(hide_password=False)
    name = f"postbridge_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield normalize_url(admin.set(database=name).render_as_string(hide_password=False))
    finally:
        with psycopg.connect(conninfo, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def print_table(backend: str, result: dict[str, Any]) -> None:
    print(f"\n{backend}: {result['shipments']:,} shipments, filled in {result['fill_seconds']} s")
    print(
        "  (page: the rows, advance data and JSON of GET /v1/shipments; sql: its statement alone)"
    )
    print(f"  {'lookup':<30} {'page p50':>9} {'p95':>7} {'sql p50':>8} {'p95':>7} {'rows':>5}")
    for name, f in result["lookups"].items():
        print(
            f"  {name:<30} {f['p50_ms']:>9} {f['p95_ms']:>7} {f['sql_p50_ms']:>8} "
            f"{f['sql_p95_ms']:>7} {f['rows']:>5}"
        )
    print("  how each finds the shipments (the whole plans: --json):")
    for name, figures in result["lookups"].items():
        print(f"  {name:<30} {' | '.join(shipments_access(figures['plan']))}")


def shipments_access(plan: list[str]) -> list[str]:
    """The plan's lines that read ``shipments`` or sort, without the documents' joins."""
    markers = ("SEARCH shipments", "SCAN shipments", " on shipments", "Sort Key", "TEMP B-TREE")
    return [line.strip().split("  (cost")[0] for line in plan if any(m in line for m in markers)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 shipments")
    parser.add_argument("--shipments", type=int, default=None)
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("POSTBRIDGE_TEST_POSTGRES_URL")
        or "postgresql://postgres@127.0.0.1:5432/postgres",
    )
    arguments = parser.parse_args()
    count = arguments.shipments or (100_000 if arguments.quick else 500_000)
    Settings()  # fail early on a broken environment
    report: dict[str, Any] = {"shipments_per_merchant": count, "page": PAGE, "repeats": REPEATS}
    with tempfile.TemporaryDirectory(prefix="postbridge-lookups-") as workdir:
        report["sqlite"] = run_on(f"sqlite:///{Path(workdir) / 'bench.db'}", count)
    if not arguments.no_postgres:
        with throwaway_postgres(arguments.postgres) as url:
            report["postgresql"] = run_on(url, count)
    if arguments.json:
        print(json.dumps(report, indent=2))
        return
    for backend in ("sqlite", "postgresql"):
        if backend in report:
            print_table(backend, report[backend])


if __name__ == "__main__":
    sys.exit(main())
