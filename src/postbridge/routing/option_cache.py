"""Per-process memo of one service level's quote options, valid until the next minute that
could change them.

A quote's options (routes, promises, line-haul costs) depend on the moment quoted only through
a few instants: the next cut-off of a departure from the origin (a later parcel misses it),
the next drop-off of the first leg of each route re-timed at p90, a Pareto label entering the
search horizon at its far end, and the recipient's local midnight (the promise date counts
from it). Between two of those instants the options are the same, so they are remembered per
timetable (a timetable is one UTC day of the network with one set of disruptions applied: a
cancelled or delayed departure gives a new timetable and so an empty memo) and reused until
the earliest of those instants, always for the same minute or a later one.
Prices are not remembered: they depend on the parcel and are put back on every answer.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from postbridge.kit.clock import time_zone
from postbridge.kit.memo import MISSING, Memo
from postbridge.routing.scan import ParetoFront
from postbridge.routing.timetable import UNREACHED, ConnectionSet, Timetable, to_minute

if TYPE_CHECKING:
    from postbridge.routing.quote import QuoteOption

# Searched beyond the horizon the promises need, so that a later minute can reuse the search:
# the labels the horizon then takes in are already known (six hours of a 10-day search).
HORIZON_EXTENSION_MIN = 360
OPTION_MEMO_SIZE = 4096
_MEMO_KEY = "service_options"


@dataclass(frozen=True, slots=True)
class ServiceOptions:
    """Options computed at ``computed_minute``, the same for every minute before
    ``valid_before`` (UTC epoch minutes)."""

    options: tuple[QuoteOption, ...]
    computed_minute: int
    valid_before: int

    def serves(self, minute: int) -> bool:
        return self.computed_minute <= minute < self.valid_before


class ValidUntil:
    """The earliest minute (exclusive) at which something the options depend on changes."""

    __slots__ = ("before",)

    def __init__(self) -> None:
        self.before = UNREACHED

    def cap(self, minute: int) -> None:
        if minute < self.before:
            self.before = minute

    def cap_by_origin_cut_off(
        self,
        connections: ConnectionSet,
        searched: NDArray[np.int64],
        front: ParetoFront,
        origin: int,
        ready_delay: int,
    ) -> None:
        """A parcel ready at the origin after the next cut-off there misses that departure.
        Every journey leaves the origin first, so no later departure elsewhere is missed.
        ``searched``: the positions scanned, in drop-off order, from the parcel's ready time."""
        if origin in front.labels:  # the origin is an injection point: its label moves each
            self.cap(0)  # minute, so these options are never reused
            return
        from_origin = searched[connections.dep_stop[searched] == origin]
        if len(from_origin):
            self.cap(int(connections.dropoff[from_origin[0]]) - ready_delay + 1)

    def cap_by_horizon(
        self, front: ParetoFront, latest: int, searched_to: int, horizon: int, end_minute: int
    ) -> None:
        """The next label the horizon (``horizon`` minutes after the minute quoted, at most
        ``end_minute``) takes in; beyond ``searched_to`` nothing is known."""
        later = [
            label.ready for labels in front.labels.values() for label in labels
            if label.ready > latest
        ]  # fmt: skip
        if later:
            self.cap(min(later) - horizon)
        elif searched_to < end_minute:
            self.cap(searched_to - horizon + 1)

    def cap_by_first_leg(
        self, timetable: Timetable, path: list[int], ready_p90: int, p90_delay: int
    ) -> None:
        """``journey.retime`` takes the first leg's first departure with a drop-off at or after
        the p90 ready minute; the rest of the route follows from it."""
        if not path:  # handed over at the origin: the p90 moves each minute, never reused
            self.cap(0)
            return
        departures = timetable.departures_of_leg(int(timetable.leg[path[0]]))
        found = bisect_left(departures.dropoff, ready_p90)
        if found < len(departures.dropoff):
            self.cap(departures.dropoff[found] - p90_delay + 1)

    def cap_at_local_midnight(self, now: datetime, zone: str) -> None:
        """The promise date counts from the day in ``zone``: it moves at the next midnight."""
        tz = time_zone(zone)
        tomorrow = now.astimezone(tz).date() + timedelta(days=1)
        self.cap(to_minute(datetime.combine(tomorrow, time(0), tzinfo=tz)))


def option_memo(timetable: Timetable) -> Memo[Hashable, ServiceOptions]:
    """The memo of ``timetable`` (created on first use; thread-safe enough: two threads that
    both create one lose only the other's first entry)."""
    memo = timetable.memo.get(_MEMO_KEY)
    if memo is None:
        memo = timetable.memo.setdefault(_MEMO_KEY, Memo(OPTION_MEMO_SIZE))
    return memo


def remembered(timetable: Timetable, key: Hashable, minute: int) -> ServiceOptions | None:
    found = option_memo(timetable).get(key)
    if found is MISSING or not found.serves(minute):
        return None
    return found


def remember(timetable: Timetable, key: Hashable, options: ServiceOptions) -> None:
    option_memo(timetable).put(key, options)


def forget(timetable: Timetable) -> None:
    """Forget every remembered option of ``timetable`` (to quote as if for the first time)."""
    timetable.memo.pop(_MEMO_KEY, None)


__all__ = [
    "HORIZON_EXTENSION_MIN",
    "ServiceOptions",
    "ValidUntil",
    "forget",
    "remember",
    "remembered",
]
