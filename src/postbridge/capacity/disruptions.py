"""The disruptions new quotes and bookings must route around: cancelled and delayed departures.

``DisruptionFeed`` is the quoter's view of the departures table (``quotes.service.Quoter``
applies it to every timetable it searches). Quoting and bulk booking ask for it on every parcel,
so it is cached: a cancel or delay made in this process is seen at once (the use cases call
``departures_changed``), one made by another process (another API worker, the CLI) within
``refresh_seconds``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from postbridge.capacity.models import DepartureStatus
from postbridge.capacity.repository import CapacityRepository
from postbridge.kit.clock import ensure_utc
from postbridge.routing.disruptions import NO_DISRUPTIONS, Disruptions
from postbridge.storage.unit_of_work import Database

REFRESH_SECONDS = 5.0
# Departures scheduled this long before the moment quoted no longer take new parcels, however
# late they leave (the longest delay the API accepts is a week).
LOOKBACK = timedelta(days=8)

_generation = 0
_lock = threading.Lock()


def departures_changed() -> None:
    """Tell this process's feeds that a departure was cancelled or delayed."""
    global _generation
    with _lock:
        _generation += 1


class DisruptionFeed:
    def __init__(
        self,
        database: Database,
        *,
        refresh_seconds: float = REFRESH_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.database = database
        self.refresh_seconds = refresh_seconds
        self.clock = clock
        self._loaded: tuple[int, float, datetime, Disruptions] | None = None

    def __call__(self, now: datetime) -> Disruptions:
        loaded = self._loaded
        since = ensure_utc(now) - LOOKBACK
        # What was loaded from an earlier moment holds every departure a later one needs.
        if (
            loaded is not None
            and loaded[0] == _generation
            and self.clock() - loaded[1] < self.refresh_seconds
            and loaded[2] <= since
        ):
            return loaded[3]
        generation, started = _generation, self.clock()
        disruptions = self._load(since)
        self._loaded = (generation, started, since, disruptions)
        return disruptions

    def _load(self, since: datetime) -> Disruptions:
        with self.database.unit_of_work() as uow:
            rows = CapacityRepository(uow.session).disrupted_departures(since)
        if not rows:
            return NO_DISRUPTIONS
        cancelled = frozenset(
            (leg, departs) for leg, departs, status, _ in rows
            if status == DepartureStatus.CANCELLED.value
        )  # fmt: skip
        delays = tuple(
            sorted(
                (leg, departs, minutes)
                for leg, departs, status, minutes in rows
                if status != DepartureStatus.CANCELLED.value and minutes
            )  # fmt: skip
        )
        return Disruptions(cancelled=cancelled, delays=delays)
