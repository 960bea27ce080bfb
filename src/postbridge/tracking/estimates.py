"""Delivery estimates that move (issue 13 §4), pure: the remaining route from the milestone a
parcel reached gives a new p50/p90 delivery date.

The booked route (``quotes.route_document``) plans when the parcel reaches each milestone: it
is accepted by the first leg's latest drop-off, leaves the origin country when the first leg
departs, reaches the destination country when the last leg arrives, is through customs when
that leg's dwell ends (``ready``), and is with the last-mile partner at the planned hand-over.
The time still to run from a milestone is what the route planned from that milestone to the
delivery date; a parcel that reached it late (or early) shifts the estimate by as much.
After the hand-over the p90 runs from the p90 hand-over, because the promise adds the p90
transit days to it; before, both quantiles run from the p50 plan of the milestone, so the
p90 keeps the spread the routing engine gave at booking.

An estimate is never earlier than the last event's date (a parcel cannot be delivered in
the past without a scan saying so) and its p90 never earlier than its p50.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

from postbridge.kit.clock import time_zone
from postbridge.quotes.route_document import RouteLeg, RoutePromise
from postbridge.tracking.model import Milestone

# The planned delivery instant of a delivery date: midday, so that a shift of a few hours
# does not move the date by a whole day either way.
_DELIVERY_HOUR = time(12)


class EstimateSource(StrEnum):
    BOOKING = "booking"  # the promise the routing engine gave at booking
    SCAN = "scan"  # recomputed from the remaining route after an event


@dataclass(frozen=True, slots=True)
class RoutePlan:
    """What the booked route plans, as the estimate needs it (built by ``route_plan``)."""

    milestone_times: dict[Milestone, datetime]  # p50 plan of each milestone before delivery
    handover_p90: datetime
    promise_p50: date
    promise_p90: date
    time_zone: str  # the recipient's zone: delivery dates are dates there


@dataclass(frozen=True, slots=True)
class DeliveryEstimate:
    p50: date
    p90: date
    source: EstimateSource
    basis_milestone: Milestone | None  # None: the booking promise
    basis_event_at: datetime | None


def route_plan(legs: tuple[RouteLeg, ...], promise: RoutePromise) -> RoutePlan:
    """The milestone plan of a booked route (rules in the module docstring)."""
    times: dict[Milestone, datetime] = {Milestone.WITH_LAST_MILE: promise.handover_p50}
    if legs:
        first, last = legs[0], legs[-1]
        times[Milestone.ACCEPTED_AT_ORIGIN] = first.latest_dropoff
        times[Milestone.DEPARTED_ORIGIN_COUNTRY] = first.departs
        times[Milestone.ARRIVED_DESTINATION_COUNTRY] = last.arrives
        times[Milestone.CUSTOMS] = min(last.ready, promise.handover_p50)
    return RoutePlan(
        milestone_times=times,
        handover_p90=promise.handover_p90,
        promise_p50=promise.p50,
        promise_p90=promise.p90,
        time_zone=promise.time_zone,
    )


def booking_estimate(plan: RoutePlan) -> DeliveryEstimate:
    return DeliveryEstimate(plan.promise_p50, plan.promise_p90, EstimateSource.BOOKING, None, None)


def remaining_route_estimate(
    plan: RoutePlan,
    *,
    milestone: Milestone | None,
    milestone_at: datetime | None,
    last_event_at: datetime | None,
    delivered_at: datetime | None = None,
) -> DeliveryEstimate:
    """The estimate after the tracker's latest state: the booking promise until a milestone
    is reached, the delivery day once delivered, the remaining route otherwise."""
    zone = time_zone(plan.time_zone)
    if delivered_at is not None:
        day = delivered_at.astimezone(zone).date()
        return DeliveryEstimate(day, day, EstimateSource.SCAN, Milestone.DELIVERED, delivered_at)
    if milestone is None or milestone_at is None or milestone is Milestone.DELIVERED:
        return booking_estimate(plan)
    planned = _planned_time(plan, milestone)
    delivery_p50 = datetime.combine(plan.promise_p50, _DELIVERY_HOUR, zone)
    delivery_p90 = datetime.combine(plan.promise_p90, _DELIVERY_HOUR, zone)
    planned_p90 = plan.handover_p90 if milestone is Milestone.WITH_LAST_MILE else planned
    p50 = (milestone_at + (delivery_p50 - planned)).astimezone(zone).date()
    p90 = (milestone_at + (delivery_p90 - planned_p90)).astimezone(zone).date()
    floor = (last_event_at or milestone_at).astimezone(zone).date()
    p50 = max(p50, floor)
    return DeliveryEstimate(
        p50, max(p90, p50), EstimateSource.SCAN, milestone, last_event_at or milestone_at
    )


def _planned_time(plan: RoutePlan, milestone: Milestone) -> datetime:
    """The plan of a milestone; one the route does not plan (a route without legs) takes the
    plan of the nearest earlier milestone it does, else the hand-over."""
    for candidate in reversed(tuple(Milestone)[: milestone.rank + 1]):
        if candidate in plan.milestone_times:
            return plan.milestone_times[candidate]
    return plan.milestone_times[Milestone.WITH_LAST_MILE]
