"""One call from booked parcels to parcels on departures, with exact kilogram limits.

The flow plans whole parcels with group-mean weights, so a departure can still end up over
its kg limit once real parcels are put on it (a heavy parcel in a small group). Each repair
round disaggregates, weighs every departure exactly, lowers the parcel limit of the
overweight ones in proportion (``load x limit / real weight``) and re-solves only their lanes.
Limits only ever go down, so the rounds converge; they can leave a departure under-filled.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np

from postbridge.planning.aggregate import Aggregation, aggregate_parcels
from postbridge.planning.capacity_plan import CapacityPlan, PlanInput, PlanSettings, plan_capacity
from postbridge.planning.disaggregate import ParcelAssignment, disaggregate, urgency_order
from postbridge.planning.inputs import NO_LIMIT, Departures, Int64Array, Parcels, PlanningCosts


@dataclass(frozen=True, slots=True, eq=False)
class ParcelPlan:
    aggregation: Aggregation
    plan: CapacityPlan
    assignment: ParcelAssignment
    departure_grams: Int64Array
    overweight_departures: Int64Array
    stage_seconds: dict[str, float] = field(default_factory=dict)


def plan_parcels(
    parcels: Parcels,
    departures: Departures,
    *,
    costs: PlanningCosts | None = None,
    settings: PlanSettings | None = None,
    deadline_bucket_minutes: int = 60,
    exact_weight_rounds: int = 2,
) -> ParcelPlan:
    """Aggregate, plan, disaggregate, then repair exact kg overbooking for a few rounds.

    ``overweight_departures`` lists the departure rows still over their kg limit afterwards.
    """
    clock = time.perf_counter()
    aggregation = aggregate_parcels(
        parcels, departures, deadline_bucket_minutes=deadline_bucket_minutes
    )
    plan_input = PlanInput(
        departures, aggregation.demand, costs or PlanningCosts(), settings or PlanSettings()
    )
    seconds = {"aggregate": time.perf_counter() - clock}
    plan = plan_capacity(plan_input)
    seconds.update(plan.stage_seconds)
    solved_arcs = plan.solved_arcs

    clock = time.perf_counter()
    urgency = urgency_order(parcels, aggregation.group_of_parcel)
    assignment = disaggregate(plan, parcels, aggregation.group_of_parcel, urgency=urgency)
    grams = assignment.departure_grams(parcels, len(departures))
    seconds["disaggregate"] = time.perf_counter() - clock

    clock = time.perf_counter()
    limit = departures.capacity_grams
    parcel_limit = np.full(len(departures), NO_LIMIT, np.int64)
    for _ in range(exact_weight_rounds):
        heavy = np.flatnonzero((limit != NO_LIMIT) & (grams > limit))
        if len(heavy) == 0:
            break
        load = plan.departure_parcels[heavy]
        parcel_limit[heavy] = load * limit[heavy] // grams[heavy]
        plan = plan_capacity(
            plan_input,
            previous=plan,
            only_lane_ids=np.unique(departures.lane_id[heavy]),
            parcel_limit=parcel_limit,
        )
        solved_arcs += plan.solved_arcs
        assignment = disaggregate(plan, parcels, aggregation.group_of_parcel, urgency=urgency)
        grams = assignment.departure_grams(parcels, len(departures))
    seconds["exact_weight_repair"] = time.perf_counter() - clock

    overweight = np.flatnonzero((limit != NO_LIMIT) & (grams > limit)).astype(np.int64)
    # The plan reports the whole pipeline: every solve's arcs and every stage's time.
    plan = replace(plan, stage_seconds=seconds, solved_arcs=solved_arcs)
    return ParcelPlan(aggregation, plan, assignment, grams, overweight, seconds)
