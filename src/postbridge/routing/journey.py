"""Routes as legs with planned times, and re-timing a route under slower dwell times."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from postbridge.kit.clock import time_zone
from postbridge.network.model import TransportMode
from postbridge.routing.timetable import Timetable, from_minute


@dataclass(frozen=True, slots=True)
class PlannedLeg:
    """One leg of a route. Times are aware UTC datetimes; ``*_local`` give the facility's view."""

    leg_id: str
    origin: str
    destination: str
    mode: TransportMode
    operator: str
    latest_dropoff: datetime
    departs: datetime
    arrives: datetime
    ready: datetime
    origin_time_zone: str
    destination_time_zone: str

    @property
    def departs_local(self) -> datetime:
        return self.departs.astimezone(time_zone(self.origin_time_zone))

    @property
    def arrives_local(self) -> datetime:
        return self.arrives.astimezone(time_zone(self.destination_time_zone))

    def to_json(self) -> dict[str, str]:
        return dict(_leg_json(self))


@lru_cache(maxsize=16_384)
def _leg_json(leg: PlannedLeg) -> dict[str, str]:
    """JSON of a planned leg, cached: the same dated departure appears in many quotes."""
    return {
        "leg": leg.leg_id,
        "from": leg.origin,
        "to": leg.destination,
        "mode": leg.mode.value,
        "operator": leg.operator,
        "latest_dropoff": _iso(leg.latest_dropoff),
        "departs": _iso(leg.departs),
        "departs_local": leg.departs_local.isoformat(),
        "departs_time_zone": leg.origin_time_zone,
        "arrives": _iso(leg.arrives),
        "arrives_local": leg.arrives_local.isoformat(),
        "arrives_time_zone": leg.destination_time_zone,
        "ready": _iso(leg.ready),
    }


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def plan_legs(timetable: Timetable, connection_ids: list[int]) -> tuple[PlannedLeg, ...]:
    """Turn timetable connection positions into planned legs (cached per timetable)."""
    cache = timetable.memo
    planned = []
    for position in connection_ids:
        found = cache.get(("planned", position))
        if found is None:
            found = _plan_leg(timetable, position)
            cache[("planned", position)] = found
        planned.append(found)
    return tuple(planned)


def _plan_leg(timetable: Timetable, position: int) -> PlannedLeg:
    network = timetable.network
    leg = network.legs[int(timetable.leg[position])]
    return PlannedLeg(
        leg_id=leg.id,
        origin=leg.origin,
        destination=leg.destination,
        mode=leg.mode,
        operator=leg.operator,
        latest_dropoff=from_minute(int(timetable.dropoff[position])),
        departs=from_minute(int(timetable.departure[position])),
        arrives=from_minute(int(timetable.arrival[position])),
        ready=from_minute(int(timetable.ready[position])),
        origin_time_zone=network.facilities[leg.origin].time_zone,
        destination_time_zone=network.facilities[leg.destination].time_zone,
    )


def retime(timetable: Timetable, connection_ids: list[int], ready_at: int) -> int | None:
    """Ready minute at the route's end when every facility takes its p90 dwell.

    The parcel follows the same legs; where it misses a departure it takes the next departure
    of the same leg. ``None`` if that runs past the timetable's horizon.
    """
    ready = ready_at
    legs = timetable.leg
    for position in connection_ids:
        departures = timetable.departures_of_leg(int(legs[position]))
        found = bisect_left(departures.dropoff, ready)
        if found == len(departures.dropoff):
            return None
        ready = departures.ready_p90[found]
    return ready
