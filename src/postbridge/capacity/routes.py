"""Pure reading and re-timing of a shipment's route document (``RouteDocument``) for capacity
planning.

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

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from postbridge.kit.clock import time_zone
from postbridge.network.model import Network
from postbridge.quotes.route_document import AIR, RouteDocument, RouteLeg, utc_text
from postbridge.routing.promise import delivery_date

__all__ = [
    "AIR",
    "PlannedFlight",
    "departs_of",
    "departure_id",
    "format_time",
    "planned_flight",
    "repromised",
]


@dataclass(frozen=True, slots=True)
class PlannedFlight:
    """The capacity-limited leg of one route, as the route document states it."""

    index: int  # position in the route's legs
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


def departs_of(departure_id: str) -> datetime:
    """The scheduled UTC departure a departure id names."""
    stamp = departure_id.rpartition("@")[2]
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)


def format_time(moment: datetime) -> str:
    return utc_text(moment)


def planned_flight(route: RouteDocument | None) -> PlannedFlight | None:
    """The first air leg of a route, or None (no route, or a route without flights)."""
    index = None if route is None else route.first_air_leg()
    if route is None or index is None:
        return None
    leg = route.legs[index]
    return PlannedFlight(
        index=index,
        leg_id=leg.leg,
        origin=leg.origin,
        departs=leg.departs,
        arrives=leg.arrives,
        cutoff=leg.departs - leg.latest_dropoff,
        ready_before=route.legs[index - 1].ready if index else None,
    )


def promise_slack(route: RouteDocument) -> timedelta:
    """``promised_by`` minus the p90 date, whole days, never negative."""
    days = (route.promise.promised_by - route.promise.p90).days
    return timedelta(days=max(days, 0))


def retimed_route(
    route: RouteDocument, flight: PlannedFlight, *, departs: datetime, arrives: datetime
) -> RouteDocument:
    """``route`` with the flight on new times and every later leg shifted as much.

    Later legs keep their durations and dwell; shifting them by the arrival delta is an
    estimate (their own next departures are not looked up), good enough to show the merchant
    when the parcel now moves.
    """
    shift = arrives - flight.arrives
    legs = list(route.legs)
    flight_leg = legs[flight.index]
    legs[flight.index] = _timed(
        flight_leg, departs - flight.cutoff, departs, arrives, flight_leg.ready + shift
    )
    for position in range(flight.index + 1, len(legs)):
        leg = legs[position]
        legs[position] = _timed(
            leg, leg.latest_dropoff + shift, leg.departs + shift, leg.arrives + shift,
            leg.ready + shift,
        )  # fmt: skip
    return replace(route, legs=tuple(legs))


def repromised(route: RouteDocument, network: Network, *, shift: timedelta) -> RouteDocument:
    """``route`` with its promise recomputed for hand-overs ``shift`` later: the same last-mile
    transit days counted on the partner's delivery days from the new hand-over. The date
    promised at booking (``promised_by``) stays; ``within_promise`` says whether p90 still
    meets it. Unchanged when the network no longer knows the partner or injection point."""
    partner = network.partners.get(route.partner)
    injection = network.facilities.get(route.injection_point)
    if partner is None or injection is None or not shift:
        return route
    promise = route.promise
    handover_p50, handover_p90 = promise.handover_p50 + shift, promise.handover_p90 + shift
    zone = injection.time_zone
    p90 = delivery_date(partner, handover_p90, zone, promise.transit_days_p90)
    updated = replace(
        promise,
        handover_p50=handover_p50,
        handover_p90=handover_p90,
        p50=delivery_date(partner, handover_p50, zone, promise.transit_days_p50),
        p90=p90,
        within_promise=p90 <= promise.promised_by,
    )
    return replace(route, promise=updated)


def _timed(
    leg: RouteLeg, dropoff: datetime, departs: datetime, arrives: datetime, ready: datetime
) -> RouteLeg:
    return replace(
        leg,
        latest_dropoff=dropoff,
        departs=departs,
        departs_local=departs.astimezone(time_zone(leg.departs_time_zone)),
        arrives=arrives,
        arrives_local=arrives.astimezone(time_zone(leg.arrives_time_zone)),
        ready=ready,
    )
