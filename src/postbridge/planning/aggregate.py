"""Aggregate individual parcels into demand groups the flow can carry, vectorised.

Parcels share a group when they travel the same lane, have the same product, can first catch
the same departure of that lane, and have promise deadlines in the same bucket (or all too late to matter). A group's
``ready_at`` is the latest ready time of its parcels (still before the first departure they
all catch) and its ``deadline`` the earliest deadline, so group lateness is never understated;
per-parcel lateness is recomputed exactly when the plan is disaggregated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from postbridge.errors import InvalidInput
from postbridge.planning.inputs import DemandGroups, Departures, Int64Array, Parcels
from postbridge.planning.schedule import LaneSchedule

# Product codes are small enum ordinals; the bound keeps the packed group key inside 63 bits.
MAX_PRODUCT_CODE = 1023


@dataclass(frozen=True, slots=True, eq=False)
class Aggregation:
    """Demand groups plus, for every parcel row, the index of its group."""

    demand: DemandGroups
    group_of_parcel: Int64Array


def aggregate_parcels(
    parcels: Parcels, departures: Departures, *, deadline_bucket_minutes: int = 60
) -> Aggregation:
    """Group parcels by (lane, product, first catchable departure, deadline bucket)."""
    if deadline_bucket_minutes <= 0:
        raise InvalidInput.for_field("deadline_bucket_minutes", "must be positive")
    if len(parcels) and (parcels.product.min() < 0 or parcels.product.max() > MAX_PRODUCT_CODE):
        raise InvalidInput.for_field("parcels.product", f"codes must be 0..{MAX_PRODUCT_CODE}")
    if len(parcels) == 0:
        empty = np.zeros(0, np.int64)
        demand = DemandGroups.from_columns(
            lane_id=empty, product=empty, ready_at=empty, deadline=empty, parcels=empty, grams=empty
        )
        return Aggregation(demand, empty)

    key = _group_key(parcels, LaneSchedule.build(departures), deadline_bucket_minutes)
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    starts_group = np.empty(len(order), np.bool_)
    starts_group[0] = True
    np.not_equal(sorted_key[1:], sorted_key[:-1], out=starts_group[1:])
    starts = np.flatnonzero(starts_group)
    group_of_parcel = np.empty(len(order), np.int64)
    group_of_parcel[order] = np.cumsum(starts_group) - 1

    first = order[starts]
    demand = DemandGroups.from_columns(
        lane_id=parcels.lane_id[first],
        product=parcels.product[first],
        ready_at=np.maximum.reduceat(parcels.ready_at[order], starts),
        deadline=np.minimum.reduceat(parcels.deadline[order], starts),
        parcels=np.diff(np.append(starts, len(order))),
        grams=np.add.reduceat(parcels.grams[order], starts),
    )
    return Aggregation(demand, group_of_parcel)


def _group_key(parcels: Parcels, schedule: LaneSchedule, bucket_minutes: int) -> Int64Array:
    lane_pos, first, _, known = schedule.catchable_range(parcels.lane_id, parcels.ready_at)
    # A "slot" names (lane, first catchable departure) uniquely: a lane with n departures has
    # n + 1 slots (the last one: nothing left to catch). Lanes without departures get their own.
    slot = first + lane_pos
    unknown = ~known
    if np.any(unknown):
        _, unknown_rank = np.unique(parcels.lane_id[unknown], return_inverse=True)
        slot[unknown] = len(schedule.order) + schedule.lane_count + 1 + unknown_rank
    bucket = (parcels.deadline - parcels.deadline.min()) // bucket_minutes
    # A deadline no departure of the lane can miss costs nothing on any option, so all such
    # deadlines share one bucket: an exact merge that shrinks the flow a lot for slow products.
    never_late = known.copy()
    if schedule.lane_count:
        never_late &= parcels.deadline >= schedule.lane_last_arrival[lane_pos]
    bucket_span = int(bucket.max()) + 2
    bucket[never_late] = bucket_span - 1
    products = MAX_PRODUCT_CODE + 1
    if (int(slot.max()) + 1) * products * bucket_span >= 2**63:
        # Astronomically wide inputs: fall back to a dense rank of the three columns.
        _, dense = np.unique(np.stack([slot, parcels.product, bucket]), axis=1, return_inverse=True)
        return dense.astype(np.int64).ravel()
    return (slot * products + parcels.product) * bucket_span + bucket
