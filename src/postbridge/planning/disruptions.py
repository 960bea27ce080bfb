"""Re-plan after departures are cancelled or delayed, and report what moved.

Only the lanes of the disrupted departures are solved again; every other lane keeps its
assignment. A cancelled departure carries nothing; a delayed one leaves and arrives later,
which can change its place in the lane's chain and the lateness of everything on it.

The group-level diff matches units by urgency rank, exactly as :func:`disaggregate` does, so
"k parcels of group g move from departure a to b" is what per-parcel disaggregation of the two
plans would show.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike

from postbridge.planning.capacity_plan import OVERFLOW, CapacityPlan, PlanInput, plan_capacity
from postbridge.planning.inputs import Int64Array


@dataclass(frozen=True, slots=True, eq=False)
class PlanChanges:
    """Moves between two plans of one demand table: ``parcels`` of ``group`` went from one
    departure id to another (``-1``: overflow), plus per-group counts of newly at-risk parcels
    (late or unplanned now, on time before)."""

    group: Int64Array
    from_departure_id: Int64Array
    to_departure_id: Int64Array
    parcels: Int64Array
    group_newly_at_risk: Int64Array

    @property
    def moved_parcels(self) -> int:
        return int(self.parcels.sum())

    @property
    def newly_at_risk_parcels(self) -> int:
        return int(self.group_newly_at_risk.sum())


@dataclass(frozen=True, slots=True, eq=False)
class Replan:
    plan: CapacityPlan
    previous: CapacityPlan
    replanned_lane_ids: Int64Array
    changes: PlanChanges


def replan(
    plan_input: PlanInput,
    *,
    cancelled_departure_ids: ArrayLike = (),
    delays: dict[int, int] | None = None,
    previous: CapacityPlan | None = None,
) -> Replan:
    """Cancel and/or delay (minutes) departures, re-plan their lanes, and diff the plans.

    ``previous`` is the plan currently in force for ``plan_input``; it is computed when absent.
    """
    if previous is None:
        previous = plan_capacity(plan_input)
    departures = plan_input.departures
    disrupted = departures.with_disruptions(
        cancelled_departure_ids=cancelled_departure_ids, delays=delays
    )
    touched = np.asarray(cancelled_departure_ids, np.int64)
    if delays:
        touched = np.concatenate([touched, np.fromiter(delays.keys(), np.int64, len(delays))])
    lane_ids = np.unique(departures.lane_id[departures.index_of(touched)])
    # Parcel limits the previous plan settled on (kg repairs included) still hold for the
    # departures that keep flying; cancelled ones drop to zero through ``cancelled``.
    new_plan = plan_capacity(
        replace(plan_input, departures=disrupted),
        previous=previous,
        only_lane_ids=lane_ids,
        parcel_limit=previous.departure_capacity_parcels,
    )
    return Replan(
        plan=new_plan,
        previous=previous,
        replanned_lane_ids=lane_ids,
        changes=compare_plans(previous, new_plan),
    )


def compare_plans(before: CapacityPlan, after: CapacityPlan) -> PlanChanges:
    """Group-level moves between two plans of the same demand table."""
    if len(before.assignment_parcels) == 0:
        empty = np.zeros(0, np.int64)
        return PlanChanges(empty, empty, empty, empty, np.zeros(len(before.input.demand), np.int64))
    before_end = np.cumsum(before.assignment_parcels)
    after_end = np.cumsum(after.assignment_parcels)
    # Segment boundaries: every place where either plan switches to its next row.
    cuts = np.union1d(before_end, after_end)
    starts = np.concatenate([[0], cuts[:-1]]).astype(np.int64)
    before_row = np.searchsorted(before_end, starts, side="right")
    after_row = np.searchsorted(after_end, starts, side="right")
    size = (cuts - starts).astype(np.int64)
    group = before.assignment_group[before_row]
    from_id = before.assignment_departure_ids()[before_row]
    to_id = after.assignment_departure_ids()[after_row]

    at_risk_before = before.assignment_late | (before.assignment_departure == OVERFLOW)
    at_risk_after = after.assignment_late | (after.assignment_departure == OVERFLOW)
    newly = at_risk_after[after_row] & ~at_risk_before[before_row]
    group_newly_at_risk = np.bincount(
        group[newly], size[newly], minlength=len(before.input.demand)
    ).astype(np.int64)

    moved = from_id != to_id
    group, from_id, to_id, size = group[moved], from_id[moved], to_id[moved], size[moved]
    order = np.lexsort((to_id, from_id, group))
    group, from_id, to_id, size = group[order], from_id[order], to_id[order], size[order]
    first = np.ones(len(group), np.bool_)
    first[1:] = (
        (group[1:] != group[:-1]) | (from_id[1:] != from_id[:-1]) | (to_id[1:] != to_id[:-1])
    )
    starts_at = np.flatnonzero(first)
    return PlanChanges(
        group=group[starts_at],
        from_departure_id=from_id[starts_at],
        to_departure_id=to_id[starts_at],
        parcels=np.add.reduceat(size, starts_at) if len(size) else size,
        group_newly_at_risk=group_newly_at_risk,
    )
