"""Put individual parcels on the departures the plan chose for their group, deterministically.

Inside a group, parcels whose promise falls in an earlier hour (``urgency_bucket_minutes``) get
the earlier-arriving departures and overflow goes to the least urgent. Within one promise hour
the order interleaves parcels by weight (golden-ratio spread of the weight rank), so every
departure receives a representative weight mix and its real kg load stays close to the
group-mean weight the plan used. Because plan rows are sorted by group and each group's rows
add up to its parcel count, the k-th parcel in that order takes the k-th unit of the
concatenated rows: two sorts and one ``searchsorted`` for any number of parcels.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from postbridge.errors import InvalidInput
from postbridge.planning.capacity_plan import OVERFLOW, CapacityPlan
from postbridge.planning.inputs import BoolArray, Int64Array, Parcels


class ParcelPlanStatus(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"  # the planned departure arrives after the parcel's promise deadline
    UNPLANNED = "unplanned"  # no departure in the horizon could take it


@dataclass(frozen=True, slots=True, eq=False)
class ParcelAssignment:
    """Per parcel row of the :class:`Parcels` table: its departure (``-1``: none) and flags."""

    parcel_id: Int64Array
    departure_row: Int64Array
    departure_id: Int64Array
    late: BoolArray
    unplanned: BoolArray

    def status(self, index: int) -> ParcelPlanStatus:
        if self.unplanned[index]:
            return ParcelPlanStatus.UNPLANNED
        return ParcelPlanStatus.LATE if self.late[index] else ParcelPlanStatus.ON_TIME

    def departure_grams(self, parcels: Parcels, departure_count: int) -> Int64Array:
        """Exact weight loaded on each departure row, summed from the parcels themselves."""
        planned = self.departure_row != OVERFLOW
        return np.bincount(
            self.departure_row[planned], parcels.grams[planned], minlength=departure_count
        ).astype(np.int64)


GOLDEN_RATIO_CONJUGATE = 0.6180339887498949


def disaggregate(
    plan: CapacityPlan,
    parcels: Parcels,
    group_of_parcel: Int64Array,
    *,
    urgency: Int64Array | None = None,
) -> ParcelAssignment:
    """Assign every parcel to one departure of its group's plan rows.

    ``urgency`` is :func:`urgency_order` of the same parcels; pass it to reuse it across plans
    of one demand (it does not depend on the plan and is the costly part).
    """
    demand = plan.input.demand
    group_of_parcel = np.asarray(group_of_parcel, np.int64)
    if len(group_of_parcel) != len(parcels):
        raise InvalidInput.for_field("group_of_parcel", "needs one group per parcel")
    counted = np.bincount(group_of_parcel, minlength=len(demand)) if len(parcels) else None
    if counted is not None and (len(counted) != len(demand) or np.any(counted != demand.parcels)):
        raise InvalidInput.for_field(
            "group_of_parcel", "parcel counts per group differ from the planned demand"
        )

    if urgency is None:
        urgency = urgency_order(parcels, group_of_parcel)
    unit_end = np.cumsum(plan.assignment_parcels)
    row_of_unit = np.searchsorted(unit_end, np.arange(len(parcels)), side="right")
    departure_row = np.empty(len(parcels), np.int64)
    departure_row[urgency] = plan.assignment_departure[row_of_unit]

    departures = plan.input.departures
    unplanned = departure_row == OVERFLOW
    safe_row = np.maximum(departure_row, 0)
    if len(departures):
        arrives = departures.effective_arrives_at[safe_row]
        departure_id = np.where(unplanned, OVERFLOW, departures.departure_id[safe_row])
    else:
        arrives = np.zeros(len(parcels), np.int64)
        departure_id = np.full(len(parcels), OVERFLOW, np.int64)
    late = ~unplanned & (arrives > parcels.deadline)
    return ParcelAssignment(
        parcel_id=parcels.parcel_id,
        departure_row=departure_row,
        departure_id=departure_id,
        late=late,
        unplanned=unplanned,
    )


def urgency_order(
    parcels: Parcels, group_of_parcel: Int64Array, *, urgency_bucket_minutes: int = 60
) -> Int64Array:
    """Parcel rows by group, promise hour, then weight-interleaved; ties by parcel id."""
    if urgency_bucket_minutes <= 0:
        raise InvalidInput.for_field("urgency_bucket_minutes", "must be positive")
    group = np.asarray(group_of_parcel, np.int64)
    if len(group) == 0:
        return np.zeros(0, np.int64)
    bucket = parcels.deadline // urgency_bucket_minutes
    bucket -= bucket.min()
    # Sorting packed int64 keys stably over a parcel-id order is several times faster than a
    # four-key lexsort on a million rows, and keeps parcel id as the final tie-break.
    by_id = np.argsort(parcels.parcel_id, kind="stable")
    block_key = group * (int(bucket.max()) + 1) + bucket
    weight_span = int(parcels.grams.max()) + 1
    if (int(block_key.max()) + 1) * weight_span < 2**62:
        packed = (block_key * weight_span + parcels.grams)[by_id]
        by_weight = by_id[np.argsort(packed, kind="stable")]
    else:
        by_weight = np.lexsort((parcels.parcel_id, parcels.grams, bucket, group))
    sorted_block = block_key[by_weight]
    new_block = np.ones(len(by_weight), np.bool_)
    new_block[1:] = sorted_block[1:] != sorted_block[:-1]
    block_start = np.maximum.accumulate(np.where(new_block, np.arange(len(by_weight)), 0))
    weight_rank = np.arange(len(by_weight)) - block_start
    spread = np.modf(weight_rank * GOLDEN_RATIO_CONJUGATE)[0]
    # Block index (dense, < rows) and a 24-bit spread pack into one key; equal spreads can only
    # meet in blocks of millions of parcels and then fall back to the weight order.
    packed_spread = (np.cumsum(new_block) - 1) * (1 << 24) + (spread * (1 << 24)).astype(np.int64)
    return by_weight[np.argsort(packed_spread, kind="stable")].astype(np.int64)


@dataclass(frozen=True, slots=True, eq=False)
class ParcelMoves:
    """Parcel rows whose departure changed between two assignments, and the newly at risk."""

    moved: Int64Array
    from_departure_id: Int64Array
    to_departure_id: Int64Array
    newly_at_risk: Int64Array


def diff_assignments(before: ParcelAssignment, after: ParcelAssignment) -> ParcelMoves:
    """Compare two assignments of the same parcels table (e.g. before and after a disruption)."""
    if len(before.parcel_id) != len(after.parcel_id):
        raise InvalidInput.for_field("after", "both assignments must cover the same parcels")
    moved = np.flatnonzero(before.departure_id != after.departure_id)
    at_risk_before = before.late | before.unplanned
    at_risk_after = after.late | after.unplanned
    return ParcelMoves(
        moved=moved,
        from_departure_id=before.departure_id[moved],
        to_departure_id=after.departure_id[moved],
        newly_at_risk=np.flatnonzero(at_risk_after & ~at_risk_before),
    )
