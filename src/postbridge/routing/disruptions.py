"""Departures that will not fly as scheduled, applied to a timetable before it is searched.

An operator cancels or delays a dated departure (``postbridge departures cancel|delay``); new
quotes and bookings must then use only the departures that will fly, at their new times. A
departure is named as capacity planning names it: its leg and its scheduled UTC departure.
A cancelled departure is removed; a delayed one keeps its cut-off and duration, so its latest
drop-off, departure, arrival and ready time all move by the delay (a parcel that missed the
scheduled drop-off may still catch it).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np

from postbridge.routing.timetable import Timetable, to_minute


@dataclass(frozen=True, slots=True)
class Disruptions:
    """Cancelled departures and delays (minutes), each keyed by (leg id, scheduled UTC time)."""

    cancelled: frozenset[tuple[str, datetime]] = frozenset()
    delays: tuple[tuple[str, datetime, int], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.cancelled or self.delays)


NO_DISRUPTIONS = Disruptions()


def disrupted(timetable: Timetable, disruptions: Disruptions) -> Timetable:
    """``timetable`` without its cancelled departures and with its delayed ones re-timed,
    memoised on the timetable per set of disruptions (they change a few times a day)."""
    if not disruptions:
        return timetable
    key = ("disrupted", disruptions)
    found = timetable.memo.get(key)
    if isinstance(found, Timetable):
        return found
    # Keep only the latest few variants: each is a full copy of the columns.
    for old in [k for k in timetable.memo if isinstance(k, tuple) and k[:1] == ("disrupted",)]:
        del timetable.memo[old]
    result = _apply(timetable, disruptions)
    timetable.memo[key] = result
    return result


def _apply(timetable: Timetable, disruptions: Disruptions) -> Timetable:
    leg_index = {leg.id: index for index, leg in enumerate(timetable.network.legs)}

    def positions(leg_id: str, departs: datetime) -> np.ndarray:
        index = leg_index.get(leg_id)
        if index is None:
            return np.empty(0, dtype=np.int64)
        return np.flatnonzero(
            (timetable.leg == index) & (timetable.departure == to_minute(departs))
        )

    shift = np.zeros(len(timetable), dtype=np.int64)
    for leg_id, departs, minutes in disruptions.delays:
        shift[positions(leg_id, departs)] = minutes
    keep = np.ones(len(timetable), dtype=np.bool_)
    for leg_id, departs in disruptions.cancelled:
        keep[positions(leg_id, departs)] = False
    dropoff = (timetable.dropoff + shift)[keep]
    ready = (timetable.ready + shift)[keep]
    order = np.lexsort((ready, dropoff))

    def column(values: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(values[keep][order])

    return replace(
        timetable,
        dropoff=np.ascontiguousarray(dropoff[order]),
        departure=column(timetable.departure + shift),
        arrival=column(timetable.arrival + shift),
        ready=np.ascontiguousarray(ready[order]),
        dep_stop=column(timetable.dep_stop),
        arr_stop=column(timetable.arr_stop),
        leg=column(timetable.leg),
        cost_per_kg=column(timetable.cost_per_kg),
        cost_per_item=column(timetable.cost_per_item),
        services=column(timetable.services),
        _views={},
        _by_leg={},
        memo={},
    )


__all__ = ["NO_DISRUPTIONS", "Disruptions", "disrupted"]
