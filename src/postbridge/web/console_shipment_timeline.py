"""The shipment page's route, pure: each planned leg next to what the tracking events say
happened. Partners scan at their own sites and name them freely, so:

- leaving the origin country (its milestone) is the first flight's departure, and reaching the
  destination country is the last flight's arrival: the milestones say exactly that;
- otherwise a leg arrives at its first scan at the leg's destination facility (by its id), and
  departs after its last scan at the origin facility: the first leg's origin is where the
  parcel was posted, so any scan there will do; at a later leg's origin the first scan is the
  arrival of the leg before, so only a later scan there shows the parcel moving on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from postbridge.quotes.route_document import RouteDocument, RouteLeg
from postbridge.tracking.model import Milestone, TrackingEvent


@dataclass(frozen=True, slots=True)
class LegMoment:
    planned: datetime  # UTC
    planned_local: datetime
    time_zone: str
    actual: datetime | None  # UTC, from a tracking event

    @property
    def late_minutes(self) -> int | None:
        """Minutes after the plan (negative: early); None before it happened."""
        if self.actual is None:
            return None
        return int((self.actual - self.planned).total_seconds() // 60)


@dataclass(frozen=True, slots=True)
class LegTimeline:
    leg: str
    origin: str
    destination: str
    mode: str
    operator: str
    departure: LegMoment
    arrival: LegMoment

    @property
    def state(self) -> str:
        if self.arrival.actual is not None:
            return "arrived"
        if self.departure.actual is not None:
            return "under way"
        return "planned"


def _at_facility(events: Sequence[TrackingEvent], facility: str) -> list[datetime]:
    wanted = facility.casefold()
    return [
        e.occurred_at
        for e in events
        if e.location.facility and e.location.facility.strip().casefold() == wanted
    ]


def _first_at_milestone(events: Sequence[TrackingEvent], milestone: Milestone) -> datetime | None:
    times = [e.occurred_at for e in events if e.milestone is milestone]
    return min(times) if times else None


def route_timeline(
    route: RouteDocument | None, events: Sequence[TrackingEvent]
) -> list[LegTimeline]:
    if route is None:
        return []
    air = [index for index, leg in enumerate(route.legs) if leg.is_air]
    first_air, last_air = (air[0], air[-1]) if air else (None, None)
    timeline = []
    for index, leg in enumerate(route.legs):
        departed = arrived = None
        if index == first_air:
            departed = _first_at_milestone(events, Milestone.DEPARTED_ORIGIN_COUNTRY)
        if index == last_air:
            arrived = _first_at_milestone(events, Milestone.ARRIVED_DESTINATION_COUNTRY)
        left = _at_facility(events, leg.origin)
        if departed is None and len(left) > (0 if index == 0 else 1):
            departed = max(left)
        reached = _at_facility(events, leg.destination)
        if arrived is None and reached:
            arrived = min(reached)
        timeline.append(_leg_timeline(leg, departed, arrived))
    return timeline


def _leg_timeline(
    leg: RouteLeg, departed: datetime | None, arrived: datetime | None
) -> LegTimeline:
    return LegTimeline(
        leg=leg.leg, origin=leg.origin, destination=leg.destination, mode=leg.mode,
        operator=leg.operator,
        departure=LegMoment(leg.departs, leg.departs_local, leg.departs_time_zone, departed),
        arrival=LegMoment(leg.arrives, leg.arrives_local, leg.arrives_time_zone, arrived),
    )  # fmt: skip
