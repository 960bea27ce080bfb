"""Benchmark the daily capacity plan on booked shipments in the database (issue #4, 5-6).

Books N CSV rows (the bulk-capture generator of bench/booking.py: ~70 % to the US, some
rows bad or unserved on purpose) through ``run_batch`` on a fresh SQLite file, then times:

1. ``plan_day`` for today: materialise departures, read every open shipment, solve, write.
2. The same day again after the 5 busiest departures lose half their room (parcels roll over,
   routes of moved shipments are rewritten).
3. ``cancel_departure`` of the busiest departure (re-plans its lane only).

    .venv/bin/python bench/capacity_day.py            # 7,200 CSV rows, about 5,000 booked
    .venv/bin/python bench/capacity_day.py --quick    # 1,500 rows, about 1,000 booked
    .venv/bin/python bench/capacity_day.py --json     # one JSON object on stdout
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # so "bench." helpers import when run as a script


def run(parcels: int, workdir: Path) -> dict[str, Any]:
    from bench.booking import generate

    from postbridge import capacity
    from postbridge.bootstrap import build_platform
    from postbridge.bulk import batches
    from postbridge.config import Settings
    from postbridge.kit.clock import utc_now
    from postbridge.merchants.models import Role
    from postbridge.merchants.service import create_merchant
    from postbridge.migrations import upgrade

    csv_path = workdir / "parcels.csv"
    generate(csv_path, parcels)
    url = f"sqlite:///{workdir / 'bench.db'}"
    upgrade(url)
    platform = build_platform(Settings(database_url=url, secret_key="bench-pepper-123"))
    database, network = platform.database, platform.quoter.network
    merchant = create_merchant(
        database=platform.database, name="bench", role=Role.MERCHANT, pepper="bench-pepper-123"
    )
    batch, _ = batches.open_batch(database=database, merchant_id=merchant.merchant_id,
                                  batch_key="bench", file_name=csv_path.name,
                                  sha256=batches.file_sha256(csv_path))  # fmt: skip
    started = time.perf_counter()
    batch = batches.run_batch(deps=platform.booking, batch_id=batch.id, source=csv_path)
    booking_seconds = time.perf_counter() - started

    today = utc_now().date()
    wall: dict[str, float] = {}
    clock = time.perf_counter()
    first = capacity.plan_day(database=database, network=network, plan_date=today)
    wall["plan_day"] = time.perf_counter() - clock
    for load in first.busiest[:5]:
        capacity.set_departure_capacity(
            database=database,
            departure_id=load.id,
            capacity_items=load.planned_parcels // 2,
            capacity_grams=load.capacity_grams,
        )
    clock = time.perf_counter()
    tight = capacity.plan_day(database=database, network=network, plan_date=today)
    wall["plan_day_tight"] = time.perf_counter() - clock
    busiest = first.busiest[0].id
    clock = time.perf_counter()
    cancelled = capacity.cancel_departure(database=database, network=network, departure_id=busiest)
    wall["cancel_busiest"] = time.perf_counter() - clock
    runs = {"plan_day": first, "plan_day_tight": tight, "cancel_busiest": cancelled}
    return {
        "booked": batch.rows_booked,
        "rejected": batch.rows_failed,
        "booking_s": round(booking_seconds, 3),
        **{
            name: {
                "parcels": s.parcels,
                "departures": s.departures,
                "departures_used": s.departures_used,
                "moved": s.moved,
                "at_risk": s.at_risk,
                "unplanned": s.unplanned,
                "seconds": round(s.seconds, 3),
                # Including the commit, which ``seconds`` (measured inside the run) leaves out.
                "wall_s": round(wall[name], 3),
                "stage_seconds": {k: round(v, 3) for k, v in s.stage_seconds.items()},
            }
            for name, s in runs.items()
        },
        "cancelled_departure": busiest,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,500 rows (about 1,000 booked)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--parcels", type=int, default=None, help="CSV rows to book")
    args = parser.parse_args()
    # About 30 % of the generated rows are refused (bad on purpose, or no service to the
    # destination), so 7,200 rows book about 5,000 shipments.
    parcels = args.parcels or (1500 if args.quick else 7200)
    with tempfile.TemporaryDirectory() as folder:
        figures = {"parcels_in_file": parcels, **run(parcels, Path(folder))}
    if args.json:
        print(json.dumps(figures))
        return
    print(
        f"capacity plan on {figures['booked']:,} booked shipments "
        f"({figures['rejected']:,} rows rejected; booking took {figures['booking_s']:.1f} s)"
    )
    print(
        f"{'run':<16}{'parcels':>9}{'deps':>6}{'used':>6}{'moved':>7}{'at risk':>9}"
        f"{'load s':>9}{'solve s':>9}{'write s':>9}{'in run s':>9}{'wall s':>9}"
    )
    for name in ("plan_day", "plan_day_tight", "cancel_busiest"):
        run_figures = figures[name]
        stages = run_figures["stage_seconds"]
        print(
            f"{name:<16}{run_figures['parcels']:>9,}{run_figures['departures']:>6}"
            f"{run_figures['departures_used']:>6}{run_figures['moved']:>7,}"
            f"{run_figures['at_risk']:>9,}{stages['load']:>9.3f}{stages['solve']:>9.3f}"
            f"{stages['write']:>9.3f}{run_figures['seconds']:>9.3f}{run_figures['wall_s']:>9.3f}"
        )
    print(f"cancelled: {figures['cancelled_departure']}")


if __name__ == "__main__":
    main()
