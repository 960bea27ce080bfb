"""Weekly schedules expanded into dated connections, as NumPy columns sorted for scanning.

Times are UTC epoch minutes. A leg's local departure times are turned into UTC with the
origin facility's IANA zone, day by day, so daylight-saving changes and the date line are
handled by ``zoneinfo`` (a local time that does not exist on a spring-forward day is read with
the offset before the change, per PEP 495).

Each connection carries two derived times:

* ``dropoff`` = departure - cut-off: the latest moment the parcel may be ready at the departure
  facility. Connections are sorted by it (not by raw departure) because that is the moment a
  scan must decide whether the parcel can board; with cut-offs included, sorting by departure
  would not give a valid scan order.
* ``ready`` = arrival + median dwell at the arrival facility (processing, plus customs at
  destination gateways): when the parcel can leave again or be handed to the postal partner.

Because every leg lasts at least a minute, ``ready > dropoff`` for every connection, which is
what makes a single pass in drop-off order correct.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from postbridge.kit.clock import time_zone
from postbridge.network.model import Network, ServiceLevel
from postbridge.routing.dwell import facility_dwell

HORIZON_DAYS = 28
MINUTES_PER_DAY = 1440
UNREACHED = np.iinfo(np.int64).max // 4  # "infinity" that survives additions
SERVICE_BITS = {level: 1 << position for position, level in enumerate(ServiceLevel)}

IntArray = NDArray[np.int64]


def to_minute(moment: datetime) -> int:
    """UTC epoch minutes of an aware datetime (seconds are dropped)."""
    if moment.tzinfo is None:
        raise ValueError("datetime must be timezone-aware")
    return int(moment.timestamp()) // 60


def from_minute(minute: int) -> datetime:
    return datetime.fromtimestamp(minute * 60, tz=UTC)


@dataclass(frozen=True, slots=True, eq=False)
class ConnectionSet:
    """The connections one service level may use, as arrays and as lists for scalar scans."""

    timetable: Timetable
    ids: IntArray  # positions in the timetable's columns
    dropoff: IntArray
    ready: IntArray
    dep_stop: IntArray
    arr_stop: IntArray
    lists: tuple[list[int], list[int], list[int], list[int]] = field(repr=False)
    memo: dict[Any, Any] = field(default_factory=dict, repr=False)  # static reachability

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True, slots=True)
class LegDepartures:
    """Drop-off minutes of one leg's departures and when each is ready with p90 dwell."""

    dropoff: list[int]
    ready_p90: list[int]


@dataclass(frozen=True, slots=True, eq=False)
class Timetable:
    """All connections of a network from ``start_minute`` for ``horizon_days``."""

    network: Network
    start_minute: int
    end_minute: int
    stops: tuple[str, ...]
    stop_index: dict[str, int]
    dwell_p50: IntArray
    dwell_p90: IntArray
    dropoff: IntArray
    departure: IntArray
    arrival: IntArray
    ready: IntArray
    dep_stop: IntArray
    arr_stop: IntArray
    leg: IntArray  # index into network.legs
    cost_per_kg: IntArray
    cost_per_item: IntArray
    services: IntArray  # bit set of SERVICE_BITS
    _views: dict[Any, ConnectionSet] = field(default_factory=dict, repr=False)
    _by_leg: dict[int, LegDepartures] = field(default_factory=dict, repr=False)
    memo: dict[Any, Any] = field(default_factory=dict, repr=False)  # derived values, by key

    def __len__(self) -> int:
        return len(self.dropoff)

    def connections(self, service: ServiceLevel | None = None) -> ConnectionSet:
        """The connections open to ``service`` (all of them for ``None``), cached."""
        cached = self._views.get(service)
        if cached is not None:
            return cached
        if service is None:
            ids = np.arange(len(self.dropoff), dtype=np.int64)
        else:
            ids = np.flatnonzero(self.services & SERVICE_BITS[service]).astype(np.int64)
        columns = (self.dropoff[ids], self.ready[ids], self.dep_stop[ids], self.arr_stop[ids])
        view = ConnectionSet(
            timetable=self,
            ids=ids,
            dropoff=columns[0],
            ready=columns[1],
            dep_stop=columns[2],
            arr_stop=columns[3],
            lists=(
                columns[0].tolist(),
                columns[1].tolist(),
                columns[2].tolist(),
                columns[3].tolist(),
            ),
        )
        self._views[service] = view
        return view

    def departures_of_leg(self, leg_index: int) -> LegDepartures:
        """The dated departures of one leg, in drop-off order (for re-timing a route), cached."""
        found = self._by_leg.get(leg_index)
        if found is None:
            positions = np.flatnonzero(self.leg == leg_index)
            arrival_stop = self.arr_stop[positions]
            found = LegDepartures(
                dropoff=self.dropoff[positions].tolist(),
                ready_p90=(self.arrival[positions] + self.dwell_p90[arrival_stop]).tolist(),
            )
            self._by_leg[leg_index] = found
        return found


def build_timetable(
    network: Network, start: datetime, horizon_days: int = HORIZON_DAYS
) -> Timetable:
    """Expand every leg's weekly departures whose drop-off falls in [start, start + horizon)."""
    if horizon_days < 1:
        raise ValueError("horizon_days must be positive")
    start_minute = to_minute(start)
    end_minute = start_minute + horizon_days * MINUTES_PER_DAY
    stops = tuple(network.facilities)
    stop_index = {facility_id: index for index, facility_id in enumerate(stops)}
    dwell = [facility_dwell(network, network.facilities[f]) for f in stops]
    dwell_p50 = np.array([d[0] for d in dwell], dtype=np.int64)
    rows: list[tuple[int, int, int, int]] = []  # departure, arrival, leg index, cut-off
    first_day = start.astimezone(UTC).date() - timedelta(days=2)
    for leg_index, leg in enumerate(network.legs):
        zone = time_zone(network.facilities[leg.origin].time_zone)
        for day_offset in range(horizon_days + 4):
            day = first_day + timedelta(days=day_offset)
            for departure in leg.departures:
                if departure.weekday != day.weekday():
                    continue
                clock = time(departure.local_minute // 60, departure.local_minute % 60)
                departs = to_minute(datetime.combine(day, clock, tzinfo=zone))
                if start_minute <= departs - leg.cutoff_min < end_minute:
                    rows.append((departs, departs + leg.duration_min, leg_index, leg.cutoff_min))
    table = np.array(rows, dtype=np.int64).reshape(-1, 4)
    legs = network.legs
    leg_column = table[:, 2]
    dep_stop = np.array([stop_index[leg.origin] for leg in legs], dtype=np.int64)[leg_column]
    arr_stop = np.array([stop_index[leg.destination] for leg in legs], dtype=np.int64)[leg_column]
    dropoff = table[:, 0] - table[:, 3]
    ready = table[:, 1] + dwell_p50[arr_stop]
    # Ties broken by ready time so that equal drop-offs scan the earliest arrival first.
    order = np.lexsort((ready, dropoff))
    service_bits = np.array(
        [sum(SERVICE_BITS[s] for s in leg.services) for leg in legs], dtype=np.int64
    )
    per_kg = np.array([leg.cost_per_kg_minor for leg in legs], dtype=np.int64)
    per_item = np.array([leg.cost_per_item_minor for leg in legs], dtype=np.int64)
    return Timetable(
        network=network,
        start_minute=start_minute,
        end_minute=end_minute,
        stops=stops,
        stop_index=stop_index,
        dwell_p50=dwell_p50,
        dwell_p90=np.array([d[1] for d in dwell], dtype=np.int64),
        dropoff=np.ascontiguousarray(dropoff[order]),
        departure=np.ascontiguousarray(table[order, 0]),
        arrival=np.ascontiguousarray(table[order, 1]),
        ready=np.ascontiguousarray(ready[order]),
        dep_stop=np.ascontiguousarray(dep_stop[order]),
        arr_stop=np.ascontiguousarray(arr_stop[order]),
        leg=np.ascontiguousarray(leg_column[order]),
        cost_per_kg=np.ascontiguousarray(per_kg[leg_column][order]),
        cost_per_item=np.ascontiguousarray(per_item[leg_column][order]),
        services=np.ascontiguousarray(service_bits[leg_column][order]),
    )


@lru_cache(maxsize=8)
def timetable_for(network: Network, day_start: datetime) -> Timetable:
    """The cached timetable of ``network`` starting at a UTC midnight (one per day and network)."""
    return build_timetable(network, day_start)


def timetable_at(network: Network, now: datetime) -> Timetable:
    """The cached timetable covering ``now`` and at least 21 days after it."""
    moment = now.astimezone(UTC)
    day_start = datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
    return timetable_for(network, day_start)
