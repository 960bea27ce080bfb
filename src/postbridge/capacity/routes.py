"""Pure reading and re-timing of a shipment's stored route document for capacity planning.

Which leg is planned: the first ``air`` leg of the route. Trucks out of the sorting centres run
in waves with ample room; the line-haul flight is what is booked by the kilogram and fills up,
so that is the leg whose departures the daily plan shares out. Its leg id is the plan's lane.

When the parcel is ready for it: the previous leg's ``ready`` (arrival plus dwell at the leg's
origin), or, when the flight is the first leg, the booking time plus the origin facility's
median processing. A departure can be caught when its latest drop-off (departure minus the
leg's cut-off) is at or after that moment.

Deadline, the latest arrival at the leg's destination that still keeps the promise: the planned
arrival plus the promise slack, i.e. ``promised_by`` minus the p90 delivery date in whole days
(never negative). Everything after the flight (customs, last mile) is assumed to take as long
as it was planned to, so arriving k days later delivers about k days later; the slack is what
the promise leaves before the p90 date would pass it. This errs on the safe side (a parcel that
arrives the same evening as planned may still meet the same last-mile day, but is not counted
on to).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from postbridge.kit.clock import time_zone

AIR = "air"


@dataclass(frozen=True, slots=True)
class PlannedFlight:
    """The capacity-limited leg of one route, as the route document states it."""

    index: int  # position in route["legs"]
    leg_id: str
    origin: str
    departs: datetime
    arrives: datetime
    cutoff: timedelta  # departs - latest_dropoff
    ready_before: datetime | None  # previous leg's ready; None when the flight is the first leg

    @property
    def departure_id(self) -> str:
        return departure_id(self.leg_id, self.departs)


def departure_id(leg_id: str, departs: datetime) -> str:
    """``HKG-HUB>LAX-ISC@2026-11-26T15:00Z``: the leg and its scheduled UTC departure minute."""
    return f"{leg_id}@{departs.strftime('%Y-%m-%dT%H:%MZ')}"


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def departs_of(departure_id: str) -> datetime:
    """The scheduled UTC departure a departure id names."""
    stamp = departure_id.rpartition("@")[2]
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)


def format_time(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def planned_flight(route: dict[str, Any] | None) -> PlannedFlight | None:
    """The first air leg of a route document, or None (no route, or a route without flights)."""
    if not route:
        return None
    legs = route.get("legs") or []
    for index, leg in enumerate(legs):
        if leg.get("mode") != AIR:
            continue
        departs = parse_time(leg["departs"])
        return PlannedFlight(
            index=index,
            leg_id=leg["leg"],
            origin=leg["from"],
            departs=departs,
            arrives=parse_time(leg["arrives"]),
            cutoff=departs - parse_time(leg["latest_dropoff"]),
            ready_before=parse_time(legs[index - 1]["ready"]) if index else None,
        )
    return None


def promise_slack(route: dict[str, Any]) -> timedelta:
    """``promised_by`` minus the p90 date, whole days, never negative (zero when unknown)."""
    promise = route.get("promise") or {}
    if not promise.get("promised_by") or not promise.get("p90"):
        return timedelta(0)
    days = (date.fromisoformat(promise["promised_by"]) - date.fromisoformat(promise["p90"])).days
    return timedelta(days=max(days, 0))


def retimed_route(
    route: dict[str, Any], flight: PlannedFlight, *, departs: datetime, arrives: datetime
) -> dict[str, Any]:
    """A copy of ``route`` with the flight on new times and every later leg shifted as much.

    Later legs keep their durations and dwell; shifting them by the arrival delta is an
    estimate (their own next departures are not looked up), good enough to show the merchant
    when the parcel now moves.
    """
    legs = [dict(leg) for leg in route["legs"]]
    shift = arrives - flight.arrives
    flight_leg = legs[flight.index]
    ready = parse_time(flight_leg["ready"]) + shift
    _set_times(flight_leg, departs - flight.cutoff, departs, arrives, ready)
    for leg in legs[flight.index + 1 :]:
        _set_times(
            leg,
            parse_time(leg["latest_dropoff"]) + shift,
            parse_time(leg["departs"]) + shift,
            parse_time(leg["arrives"]) + shift,
            parse_time(leg["ready"]) + shift,
        )
    return {**route, "legs": legs}


def _set_times(
    leg: dict[str, Any], dropoff: datetime, departs: datetime, arrives: datetime, ready: datetime
) -> None:
    leg["latest_dropoff"] = format_time(dropoff)
    leg["departs"] = format_time(departs)
    leg["arrives"] = format_time(arrives)
    leg["ready"] = format_time(ready)
    if leg.get("departs_time_zone"):
        leg["departs_local"] = departs.astimezone(time_zone(leg["departs_time_zone"])).isoformat()
    if leg.get("arrives_time_zone"):
        leg["arrives_local"] = arrives.astimezone(time_zone(leg["arrives_time_zone"])).isoformat()
