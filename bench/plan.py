"""Benchmark the daily capacity plan: 1M parcels, 10,000 lanes, 20,000 departures.

Times the whole pipeline (``plan_parcels``) on a seeded synthetic day: aggregation of parcels
into demand groups, graph build, min-cost-flow solve, group-mean weight repair, extraction of
per-departure loads, disaggregation back onto every parcel, and the exact-kg repair rounds.

    .venv/bin/python bench/plan.py            # full size, readable table
    .venv/bin/python bench/plan.py --json     # one JSON object on stdout
    .venv/bin/python bench/plan.py --quick    # 100k parcels, 1,000 lanes, 2,000 departures
    .venv/bin/python bench/plan.py --compare  # also graph shapes x lane batches
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass

import numpy as np

from postbridge.planning import Departures, GraphShape, Parcels, PlanSettings, plan_parcels

DAY = 24 * 60
PLAN_DAY_START = 29_387_520  # 2025-11-15T00:00Z in epoch minutes
SLA_HOURS = np.array([30, 54, 100])  # premium, standard, economy: origin-to-gateway promise
PRODUCT_SHARE = np.array([0.2, 0.5, 0.3])


@dataclass(frozen=True, slots=True)
class Size:
    parcels: int
    lanes: int
    departures: int


FULL = Size(parcels=1_000_000, lanes=10_000, departures=20_000)
QUICK = Size(parcels=100_000, lanes=1_000, departures=2_000)


def synthetic_day(size: Size, seed: int) -> tuple[Departures, Parcels]:
    rng = np.random.default_rng(seed)
    lane_weight = rng.lognormal(0.0, 1.0, size.lanes)
    lane_weight /= lane_weight.sum()
    parcel_lane = rng.choice(size.lanes, size=size.parcels, p=lane_weight)
    product = rng.choice(3, size=size.parcels, p=PRODUCT_SHARE)
    ready = PLAN_DAY_START + rng.integers(-12 * 60, 30 * 60, size.parcels)
    deadline = ready + SLA_HOURS[product] * 60 + rng.integers(-6 * 60, 6 * 60, size.parcels)
    grams = np.clip(rng.lognormal(np.log(300), 0.8, size.parcels), 20, 30_000).astype(np.int64)

    # Every lane gets one departure; the rest are spread over lanes by their volume.
    extra = rng.choice(size.lanes, size=size.departures - size.lanes, p=lane_weight)
    per_lane = np.bincount(extra, minlength=size.lanes) + 1
    dep_lane = np.repeat(np.arange(size.lanes), per_lane)
    departs = PLAN_DAY_START + rng.integers(0, 48 * 60 // 5, size.departures) * 5
    duration = rng.integers(2 * 60, 18 * 60, size.departures)
    lane_grams = np.bincount(parcel_lane, grams, minlength=size.lanes)
    # Capacity around 90 % of the lane's booked weight, unevenly split: some departures bind.
    share = rng.uniform(0.5, 1.5, size.departures)
    share /= np.bincount(dep_lane, share)[dep_lane]
    capacity_grams = (0.9 * lane_grams[dep_lane] * share).astype(np.int64)
    item_limited = rng.random(size.departures) < 0.3
    capacity_parcels = np.where(item_limited, capacity_grams // 250, -1)
    departures = Departures.from_columns(
        departure_id=np.arange(size.departures) + 1_000_000,
        lane_id=dep_lane * 7 + 3,  # ids need not be dense
        departs_at=departs,
        arrives_at=departs + duration,
        capacity_parcels=capacity_parcels,
        capacity_grams=capacity_grams,
        cost_per_parcel=rng.integers(5, 40, size.departures),
        cost_per_kg=rng.integers(50, 500, size.departures),
    )
    parcels = Parcels.from_columns(
        parcel_id=np.arange(size.parcels) + 10**9,
        lane_id=parcel_lane * 7 + 3,
        product=product,
        ready_at=ready,
        deadline=deadline,
        grams=grams,
    )
    return departures, parcels


def run_once(
    departures: Departures, parcels: Parcels, settings: PlanSettings, weight_rounds: int
) -> dict[str, float | int | str]:
    started = time.perf_counter()
    result = plan_parcels(parcels, departures, settings=settings, exact_weight_rounds=weight_rounds)
    seconds = time.perf_counter() - started
    limit = departures.capacity_grams
    limited = limit >= 0
    over = np.zeros(len(departures))
    over[limited] = (result.departure_grams[limited] - limit[limited]) / np.maximum(
        limit[limited], 1
    )
    return {
        "shape": settings.shape.value,
        "lane_batches": settings.lane_batches,
        "seconds": seconds,
        **{f"{stage}_s": value for stage, value in result.stage_seconds.items()},
        "groups": len(result.aggregation.demand),
        "arcs": result.plan.solved_arcs,
        "total_cost_minor": result.plan.total_cost.minor,
        "late_parcels": int(np.count_nonzero(result.assignment.late)),
        "unplanned_parcels": int(np.count_nonzero(result.assignment.unplanned)),
        "overweight_departures": len(result.overweight_departures),
        "max_overweight_pct": round(100 * float(max(over.max(initial=0), 0)), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10x smaller instance")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--compare", action="store_true", help="also time other graph shapes")
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--shape", choices=[s.value for s in GraphShape], default="direct")
    parser.add_argument("--batches", type=int, default=64, help="lane batches per solve")
    parser.add_argument("--weight-rounds", type=int, default=2, help="exact kg repair rounds")
    args = parser.parse_args()

    size = QUICK if args.quick else FULL
    departures, parcels = synthetic_day(size, args.seed)
    main_settings = PlanSettings(shape=GraphShape(args.shape), lane_batches=args.batches)
    runs = [run_once(departures, parcels, main_settings, args.weight_rounds)]
    if args.compare:
        # CHAIN on one whole graph takes minutes at full size, so it is compared batched only.
        variants = [(GraphShape.DIRECT, b) for b in (1, 16, 64, 256)] + [(GraphShape.CHAIN, 64)]
        for shape, batches in variants:
            if (shape.value, batches) != (args.shape, args.batches):
                settings = PlanSettings(shape=shape, lane_batches=batches)
                runs.append(run_once(departures, parcels, settings, args.weight_rounds))
    headline = runs[0]
    figures = {
        "parcels": size.parcels,
        "lanes": size.lanes,
        "departures": size.departures,
        **headline,
    }
    if args.compare:
        figures["variants"] = runs[1:]
    if args.json:
        print(json.dumps(figures))
        return
    print(
        f"capacity plan: {size.parcels:,} parcels, {size.lanes:,} lanes, "
        f"{size.departures:,} departures, seed {args.seed}"
    )
    stages = [
        "aggregate_s",
        "build_s",
        "solve_s",
        "weight_repair_s",
        "extract_s",
        "disaggregate_s",
        "exact_weight_repair_s",
        "seconds",
    ]
    print(
        f"{'shape':<7}{'batches':>8}{'groups':>9}{'arcs':>10}"
        + "".join(
            f"{name.removesuffix('_s').replace('weight_repair', 'kg_fix'):>14}" for name in stages
        )
    )
    for run in runs:
        print(
            f"{run['shape']:<7}{run['lane_batches']:>8}{run['groups']:>9,}{run['arcs']:>10,}"
            + "".join(f"{run[name]:>14.3f}" for name in stages)
        )
    print(
        f"total cost {headline['total_cost_minor']:,} minor units; "
        f"late {headline['late_parcels']:,}; unplanned {headline['unplanned_parcels']:,}; "
        f"departures over kg limit {headline['overweight_departures']}"
    )


if __name__ == "__main__":
    main()
