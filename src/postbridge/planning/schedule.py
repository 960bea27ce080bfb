"""Per-lane departure chains: usable departures sorted by lane, then effective departure time.

Lanes are independent in the capacity plan, so every later stage works on contiguous slices of
this order. Lane ids are arbitrary ``int64``; ``lane_ids`` maps them to dense positions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from postbridge.planning.inputs import NO_LIMIT, Departures, Int64Array

# Minutes relative to the earliest departure fit in 32 bits (8,000 years), so a lane position
# and a time pack into one sortable int64.
_TIME_BITS = 32
_TIME_MASK = (1 << _TIME_BITS) - 1


@dataclass(frozen=True, slots=True, eq=False)
class LaneSchedule:
    """Usable (not cancelled) departures in chain order.

    ``order[i]`` is the departure row at chain position ``i``; lane ``k`` (``lane_ids[k]``)
    owns positions ``lane_start[k]:lane_start[k + 1]``.
    """

    lane_ids: Int64Array
    order: Int64Array
    lane_start: Int64Array
    position_lane: Int64Array
    chain_keys: Int64Array
    lane_last_arrival: Int64Array
    epoch: int

    @classmethod
    def build(cls, departures: Departures) -> LaneSchedule:
        usable = np.flatnonzero(~departures.cancelled)
        departs = departures.effective_departs_at[usable]
        lanes = departures.lane_id[usable]
        ties = departures.departure_id[usable]
        order = usable[np.lexsort((ties, departs, lanes))].astype(np.int64)
        lane_ids, lane_counts = np.unique(departures.lane_id[order], return_counts=True)
        lane_start = np.zeros(len(lane_ids) + 1, np.int64)
        np.cumsum(lane_counts, out=lane_start[1:])
        position_lane = np.repeat(np.arange(len(lane_ids), dtype=np.int64), lane_counts)
        epoch = int(departs.min()) if len(departs) else 0
        relative = departures.effective_departs_at[order] - epoch
        chain_keys = (position_lane << _TIME_BITS) | relative
        arrives = departures.effective_arrives_at[order]
        lane_last_arrival = (
            np.maximum.reduceat(arrives, lane_start[:-1]) if len(order) else np.zeros(0, np.int64)
        )
        return cls(lane_ids, order, lane_start, position_lane, chain_keys, lane_last_arrival, epoch)

    @property
    def lane_count(self) -> int:
        return len(self.lane_ids)

    def lane_position(self, lane_id: Int64Array) -> tuple[Int64Array, np.ndarray]:
        """Dense lane position of each id, and whether the lane has any usable departure."""
        if self.lane_count == 0:
            return np.zeros(len(lane_id), np.int64), np.zeros(len(lane_id), np.bool_)
        spot = np.searchsorted(self.lane_ids, lane_id)
        spot = np.minimum(spot, self.lane_count - 1).astype(np.int64)
        return spot, self.lane_ids[spot] == lane_id

    def catchable_range(
        self, lane_id: Int64Array, ready_at: Int64Array
    ) -> tuple[Int64Array, Int64Array, Int64Array, np.ndarray]:
        """Lane position, first chain position each row can catch, its lane's end position,
        and whether the lane is known.

        Rows on lanes without usable departures get an empty range (``first == end``).
        """
        lane_pos, known = self.lane_position(lane_id)
        relative = np.clip(ready_at - self.epoch, 0, _TIME_MASK)
        first = np.searchsorted(self.chain_keys, (lane_pos << _TIME_BITS) | relative)
        end = self.lane_start[lane_pos + 1] if self.lane_count else np.zeros_like(first)
        first = np.where(known, first, 0).astype(np.int64)
        end = np.where(known, end, 0).astype(np.int64)
        return lane_pos, first, end, known


def parcel_capacity(
    departures: Departures, schedule: LaneSchedule, lane_mean_grams: Int64Array
) -> Int64Array:
    """Capacity of each chain position in parcels, the flow unit of the plan.

    A weight limit becomes a parcel limit through the mean parcel weight of the lane's demand:
    the flow cannot weigh individual groups, so the plan checks realised weight afterwards.
    """
    rows = schedule.order
    by_items = departures.capacity_parcels[rows]
    by_weight = departures.capacity_grams[rows]
    unlimited = np.iinfo(np.int64).max
    items = np.where(by_items == NO_LIMIT, unlimited, by_items)
    mean = np.maximum(lane_mean_grams[schedule.position_lane], 1)
    weight = np.where(by_weight == NO_LIMIT, unlimited, by_weight // mean)
    return np.minimum(items, weight)
