"""Console render times at scale (issue 15): every console page rendered server-side with
100k shipments and 1M tracking events stored, on PostgreSQL; the target is p95 < 300 ms for
every page.

    .venv/bin/python bench/console.py               # 100k shipments, 1M events
    .venv/bin/python bench/console.py --quick       # 20k shipments, 200k events
    .venv/bin/python bench/console.py --json        # {"p95_render_ms": ...}

Filling: three merchants with a console user each and one operator, ten orders each booked
through the real booking path plus the demo upload (bench/console_data.py), one cancelled per
merchant, their scans (ten per parcel) ingested end to end. Those real shipments, their
trackers and their events are then copied inside PostgreSQL (``INSERT ... SELECT`` over
``generate_series``: new ids, references, S10 numbers with their check digit, times moved back
so the copies spread over the last 30 days, everything else the same) up to ``--shipments``
shipments and ten events each. ANALYZE follows, as autovacuum would.

Renders: the app in-process (starlette's TestClient: routing, the session cookie, the use case,
the template, no socket), signed in through ``POST /login`` as the first merchant's user and
as the operator; ``--renders`` (50) per page with varied parameters after five warm-ups.
Server-side milliseconds from the request reaching the app to its last byte. A page answering
404 on its first request is reported "missing" (pages still being built), not timed;
``p95_render_ms`` is the worst p95 among the pages that answered 200 every time (the others are
listed as failing).

PostgreSQL: the server on 127.0.0.1:5432 when it answers (POSTBRIDGE_BENCH_POSTGRES_URL
overrides), otherwise the throwaway cluster of scripts/postgres.sh; a fresh database, dropped.
SQLite is not measured: its fill would need a second copy path for its datetime storage.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the builders live with the tests that also use them

from bench.ingest import ScratchDatabase, postgres_admin_url  # noqa: E402
from bench.tracking_reads import ServerTime  # noqa: E402

SECRET = "bench-console-secret-key-0123456789abcd"
REAL_PER_MERCHANT = 10
# Eleven scans per scanned parcel: the cancelled ones (one per merchant) have none, so the
# copies average ten events per shipment (1M for 100k).
SCANS_PER_SHIPMENT = 11
COPIES_PER_STATEMENT = 5_000
COPY_SPREAD = timedelta(days=24)  # the real ones span the last 6 days: 30 in all
COPY_PREFIX = "ZC"  # an S10 service indicator the number allocator never hands out
WARM_UPS = 5
TARGET_MS = 300.0

# S10 number of a copy's serial: ZC, eight digits, their check digit (weights 8 6 4 2 3 5 9 7,
# 11 - sum mod 11, 10 -> 0, 11 -> 5), CN: pages that validate the number accept it.
_S10_FUNCTION = """
CREATE FUNCTION bench_s10(serial bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT 'ZC' || d || (CASE c WHEN 10 THEN 0 WHEN 11 THEN 5 ELSE c END)::text || 'CN'
  FROM (SELECT d, 11 - (8 * substr(d, 1, 1)::int + 6 * substr(d, 2, 1)::int
          + 4 * substr(d, 3, 1)::int + 2 * substr(d, 4, 1)::int + 3 * substr(d, 5, 1)::int
          + 5 * substr(d, 6, 1)::int + 9 * substr(d, 7, 1)::int + 7 * substr(d, 8, 1)::int)
          % 11 AS c
        FROM (SELECT lpad(serial::text, 8, '0') AS d) AS digits) AS checked
$$
"""
_SOURCES = (
    "CREATE TABLE bench_sources AS SELECT id, tracking_number, "
    "row_number() OVER (ORDER BY id) - 1 AS r FROM shipments"
)
# g: the copy's serial; its source is real shipment g mod :sources; its times move back by
# g / :total of COPY_SPREAD.
_FROM_COPIES = (
    "FROM generate_series(CAST(:first AS bigint), CAST(:last AS bigint)) AS g "
    "JOIN bench_sources b ON b.r = g % :sources "
)
_SHIFT = "make_interval(secs => g::float8 / :total * :spread_seconds)"


def copy_number(serial: int) -> str:
    from postbridge.identifiers.s10 import s10_check_digit

    digits = f"{serial:08d}"
    return f"{COPY_PREFIX}{digits}{s10_check_digit(digits)}CN"


def _select_list(columns: list[tuple[str, str]], alias: str, changed: dict[str, str]) -> str:
    """Every column as it is, except ``changed`` and the times, moved back by the shift."""
    chosen = []
    for name, kind in columns:
        if name in changed:
            chosen.append(changed[name])
        elif kind.startswith("TIMESTAMP"):
            chosen.append(f"{alias}.{name} - {_SHIFT}")
        elif kind == "DATE":
            chosen.append(f"CAST({alias}.{name} - {_SHIFT} AS date)")
        else:
            chosen.append(f"{alias}.{name}")
    return ", ".join(chosen)


def _copy_statements(database: Any) -> list[str]:
    from sqlalchemy import inspect

    inspector = inspect(database.engine)

    def columns(table: str) -> list[tuple[str, str]]:
        return [(c["name"], str(c["type"]).upper()) for c in inspector.get_columns(table)]

    shipment_changes = {
        "id": "'shp_copy' || lpad(g::text, 10, '0')",
        "reference": "s.reference || '-' || g",
        "tracking_number": "bench_s10(g)",
        "partner_tracking_number": "NULL",
        "batch_id": "NULL",
        "batch_row": "NULL",
    }
    tracker_changes = {
        "id": "'trk_copy' || lpad(g::text, 10, '0')",
        "tracking_number": "bench_s10(g)",
        "partner_tracking_number": "NULL",
        "shipment_id": "'shp_copy' || lpad(g::text, 10, '0')",
    }
    event_changes = {
        "fingerprint": "md5(e.fingerprint || ':' || g)",
        "tracking_number": "bench_s10(g)",
    }
    statements = []
    for table, alias, join, changes in (
        ("shipments", "s", "JOIN shipments s ON s.id = b.id", shipment_changes),
        ("trackers", "t", "JOIN trackers t ON t.shipment_id = b.id", tracker_changes),
        ("tracking_events", "e", "JOIN tracking_events e ON e.tracking_number = b.tracking_number",
         event_changes),
    ):  # fmt: skip
        listed = columns(table)
        statements.append(
            f"INSERT INTO {table} ({', '.join(name for name, _ in listed)}) "
            f"SELECT {_select_list(listed, alias, changes)} {_FROM_COPIES}{join}"
        )
    return statements


def fill(url: str, folder: Path, *, shipments: int) -> dict[str, Any]:
    from bench.console_data import seed
    from sqlalchemy import text

    from postbridge.bootstrap import build_platform
    from postbridge.config import Settings
    from postbridge.migrations import upgrade

    started = time.perf_counter()
    upgrade(url)
    platform = build_platform(Settings(database_url=url, var_dir=folder, secret_key=SECRET))
    database = platform.database
    data = seed(
        platform,
        folder,
        shipments_per_merchant=REAL_PER_MERCHANT,
        scans_per_shipment=SCANS_PER_SHIPMENT,
    )
    with database.engine.begin() as connection:
        connection.execute(text(_S10_FUNCTION))
        connection.execute(text(_SOURCES))
        sources = connection.execute(text("SELECT count(*) FROM bench_sources")).scalar_one()
    statements = _copy_statements(database)
    values = {"sources": sources, "total": shipments, "spread_seconds": COPY_SPREAD.total_seconds()}
    for first in range(sources, shipments, COPIES_PER_STATEMENT):
        last = min(shipments, first + COPIES_PER_STATEMENT) - 1
        with database.engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement), values | {"first": first, "last": last})
        print(f"  shipments {last + 1:,}/{shipments:,}", file=sys.stderr, flush=True)
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("DROP TABLE bench_sources"))
        c.execute(text("ANALYZE"))
        counts = {
            table: c.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("shipments", "trackers", "tracking_events")
        }
        own = c.execute(
            text("SELECT created_at, id, reference, tracking_number FROM shipments "
                 "WHERE merchant_id = :m "
                 "ORDER BY created_at DESC, id DESC"),
            {"m": data.merchant_ids[0]},
        ).all()  # fmt: skip
        copied = c.execute(
            text("SELECT count(*) FROM shipments WHERE tracking_number = :n"),
            {"n": copy_number(shipments - 1)},
        ).scalar_one()
    assert copied == (1 if shipments > sources else 0), "the copies' numbers are not S10"
    database.dispose()
    return {
        "data": data,
        "own": [tuple(row) for row in own],
        "sources": sources,
        "counts": counts,
        "fill_seconds": round(time.perf_counter() - started, 1),
    }


PathOf = Callable[[random.Random], str]


def merchant_pages(filled: dict[str, Any], shipments: int) -> list[tuple[str, PathOf]]:
    from postbridge.shipments.views import encode_cursor

    own = filled["own"]
    data = filled["data"]
    sources = filled["sources"]
    statuses = ["delivered", "in_transit", "cancelled"]
    destinations = ["US", "BR", "ES", "MX"]

    def day(rng: random.Random) -> str:
        booked = rng.choice(own)[0].date().isoformat()
        return f"/?created_from={booked}&created_to={booked}"  # the end day is inclusive

    def deep(rng: random.Random) -> str:
        created_at, shipment_id, _, _ = own[rng.randrange(len(own) // 2, len(own))]
        return f"/?cursor={encode_cursor(created_at, shipment_id)}"

    def any_copy(rng: random.Random) -> str:  # the public page: anyone's parcel
        return copy_number(rng.randrange(sources, shipments)) if shipments > sources else own[0][3]

    uploads = [("uploads/{id}", lambda rng: f"/uploads/{data.batch_id}")] if data.batch_id else []
    return [
        ("list", lambda rng: "/"),
        ("list, status", lambda rng: f"/?status={rng.choice(statuses)}"),
        ("list, destination", lambda rng: f"/?destination={rng.choice(destinations)}"),
        ("list, reference", lambda rng: f"/?reference={rng.choice(own)[2]}"),
        ("list, reference prefix",
         lambda rng: f"/?reference={rng.choice(own)[2][:8]}&reference_match=prefix"),
        ("list, tracking number", lambda rng: f"/?tracking_number={rng.choice(own)[3]}"),
        ("list, one day", day),
        ("list, deep cursor", deep),
        ("shipments/{id}", lambda rng: f"/shipments/{rng.choice(own)[1]}"),
        ("dashboard", lambda rng: "/dashboard"),
        ("shipments/new", lambda rng: "/shipments/new"),
        ("uploads", lambda rng: "/uploads"),
        *uploads,
        ("developers", lambda rng: "/developers"),
        ("t/{n} (public)", lambda rng: f"/t/{any_copy(rng)}?lang=en"),
    ]  # fmt: skip


def operator_pages() -> list[tuple[str, PathOf]]:
    from postbridge.kit.clock import utc_now

    today = utc_now().date()
    return [
        ("list (operator)", lambda rng: "/"),
        ("network", lambda rng: f"/network?date={today + timedelta(rng.randrange(7))}"),
        ("operations/exceptions", lambda rng: "/operations/exceptions"),
        ("operations/jobs", lambda rng: "/operations/jobs"),
        ("operations/partners", lambda rng: "/operations/partners"),
    ]


def time_pages(
    url: str, folder: Path, filled: dict[str, Any], *, shipments: int, renders: int
) -> list[dict[str, Any]]:
    from starlette.testclient import TestClient
    from tests.console_builders import sign_in

    from postbridge.app import create_app
    from postbridge.bootstrap import build_platform
    from postbridge.config import Settings

    settings = Settings(
        database_url=url, var_dir=folder, secret_key=SECRET, rate_limit_per_second=0
    )
    platform = build_platform(settings)
    rng = random.Random(15)
    data = filled["data"]
    results = []
    timed = ServerTime(create_app(platform=platform))
    # A page failing answers 500 and is reported so, as a server would, instead of stopping
    # the run (pages are being built while this bench runs).
    with TestClient(timed, raise_server_exceptions=False) as client:
        for user, pages in (
            (data.merchant_user, merchant_pages(filled, shipments)),
            (data.operator, operator_pages()),
        ):
            client.cookies.clear()
            signed = sign_in(client, user)
            assert signed.status_code == 303, ("sign-in", signed.status_code)
            for name, path_of in pages:
                results.append(_time_page(client, timed, name, path_of, rng, renders))
    platform.database.dispose()
    return results


def _time_page(
    client: Any, timed: ServerTime, name: str, path_of: PathOf, rng: random.Random, renders: int
) -> dict[str, Any]:
    first = client.get(path_of(rng), follow_redirects=False)
    if first.status_code == 404:
        return {"page": name, "status": "missing"}
    for _ in range(WARM_UPS):
        client.get(path_of(rng), follow_redirects=False)
    timings, codes = [], set()
    for _ in range(renders):
        response = client.get(path_of(rng), follow_redirects=False)
        codes.add(response.status_code)
        timings.append(timed.last_ms)
    timings.sort()
    return {
        "page": name,
        "status": ",".join(str(code) for code in sorted(codes)),
        "p50_ms": round(timings[len(timings) // 2], 1),
        "p95_ms": round(timings[min(len(timings) - 1, int(len(timings) * 0.95))], 1),
        "max_ms": round(timings[-1], 1),
        "renders": len(timings),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20k shipments instead of 100k")
    parser.add_argument("--shipments", type=int, help="shipments to store (default 100k)")
    parser.add_argument("--renders", type=int, default=50, help="renders per page")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    shipments = args.shipments or (20_000 if args.quick else 100_000)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as name, ScratchDatabase(postgres_admin_url()) as url:
        folder = Path(name)
        filled = fill(url, folder, shipments=shipments)
        pages = time_pages(url, folder, filled, shipments=shipments, renders=args.renders)
    # The target is about pages that work: a page failing (500 while it is being built) is
    # listed apart, not allowed to hide behind or inflate the others' figure.
    answered = [page for page in pages if page["status"] == "200"]
    failing = [page["page"] for page in pages if page["status"] not in ("200", "missing")]
    worst = max(answered, key=lambda page: page["p95_ms"]) if answered else None
    load = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    if args.json:
        print(json.dumps({
            "p95_render_ms": worst["p95_ms"] if worst else None,
            "worst_page": worst["page"] if worst else None,
            "missing_pages": [page["page"] for page in pages if page["status"] == "missing"],
            "failing_pages": failing,
            "shipments": filled["counts"]["shipments"],
            "events": filled["counts"]["tracking_events"],
            "load_average": load,
        }))  # fmt: skip
        return
    counts = filled["counts"]
    print(
        f"PostgreSQL: {counts['shipments']:,} shipments, {counts['tracking_events']:,} events, "
        f"{counts['trackers']:,} trackers (filled in {filled['fill_seconds']} s); "
        f"load average {load}\n"
        "| page | status | server p50 ms | server p95 ms | max ms | renders |\n"
        "|---|---|---|---|---|---|\n"
        + "\n".join(
            f"| {page['page']} | missing | | | | |"
            if page["status"] == "missing"
            else f"| {page['page']} | {page['status']} | {page['p50_ms']} | {page['p95_ms']} | "
            f"{page['max_ms']} | {page['renders']} |"
            for page in pages
        )
        + f"\np95_render_ms (worst page): {worst['p95_ms'] if worst else '-'}"
        + f" ({worst['page'] if worst else 'no page answered'}); target < {TARGET_MS:.0f} ms"
        + (f"\nnot answering 200, left out of it: {', '.join(failing)}" if failing else "")
    )


if __name__ == "__main__":
    main()
