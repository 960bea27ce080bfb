from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from postbridge.kit.clock import time_zone
from postbridge.quotes.route_document import RouteLeg, RoutePromise
from postbridge.tracking.alerts import AlertKind, SilenceLimits, TrackerSnapshot, alerts_for
from postbridge.tracking.estimates import (
    EstimateSource,
    booking_estimate,
    remaining_route_estimate,
    route_plan,
)
from postbridge.tracking.model import ActionRequired, Milestone, TrackingStatus

T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def _leg(departs: datetime, arrives: datetime) -> RouteLeg:
    return RouteLeg(
        leg="HKG-HUB>LAX-ISC", origin="HKG-HUB", destination="LAX-ISC", mode="air",
        operator="CX", latest_dropoff=departs - timedelta(hours=4), departs=departs,
        departs_local=departs, departs_time_zone="UTC", arrives=arrives, arrives_local=arrives,
        arrives_time_zone="UTC", ready=arrives + timedelta(hours=12),
    )  # fmt: skip


LEG = _leg(T0 + timedelta(days=1), T0 + timedelta(days=2))
PROMISE = RoutePromise(
    p50=date(2026, 5, 6), p90=date(2026, 5, 8), time_zone="UTC",
    handover_p50=T0 + timedelta(days=3), handover_p90=T0 + timedelta(days=4),
    transit_days_p50=2, transit_days_p90=3, promised_by=date(2026, 5, 8), within_promise=True,
)  # fmt: skip
PLAN = route_plan((LEG,), PROMISE)


def test_the_booking_promise_stands_until_a_milestone_is_reached() -> None:
    estimate = remaining_route_estimate(PLAN, milestone=None, milestone_at=None, last_event_at=None)

    assert estimate == booking_estimate(PLAN)
    assert (estimate.p50, estimate.p90, estimate.source) == (
        date(2026, 5, 6), date(2026, 5, 8), EstimateSource.BOOKING,
    )  # fmt: skip


def test_a_milestone_reached_on_plan_keeps_the_promise() -> None:
    estimate = remaining_route_estimate(
        PLAN, milestone=Milestone.DEPARTED_ORIGIN_COUNTRY, milestone_at=LEG.departs,
        last_event_at=LEG.departs,
    )  # fmt: skip

    assert (estimate.p50, estimate.p90) == (date(2026, 5, 6), date(2026, 5, 8))
    assert estimate.source is EstimateSource.SCAN
    assert estimate.basis_milestone is Milestone.DEPARTED_ORIGIN_COUNTRY


def test_a_milestone_reached_two_days_late_moves_the_estimate_two_days() -> None:
    estimate = remaining_route_estimate(
        PLAN, milestone=Milestone.ARRIVED_DESTINATION_COUNTRY,
        milestone_at=LEG.arrives + timedelta(days=2), last_event_at=LEG.arrives + timedelta(days=2),
    )  # fmt: skip

    assert (estimate.p50, estimate.p90) == (date(2026, 5, 8), date(2026, 5, 10))


def test_after_the_handover_the_p90_runs_from_the_p90_handover() -> None:
    at = PROMISE.handover_p50
    estimate = remaining_route_estimate(
        PLAN, milestone=Milestone.WITH_LAST_MILE, milestone_at=at, last_event_at=at
    )

    # p50: 6 May noon - 4 May 08:00 from the hand-over; p90: 8 May noon - 5 May 08:00.
    assert (estimate.p50, estimate.p90) == (date(2026, 5, 6), date(2026, 5, 7))


def test_a_delivered_parcel_is_estimated_on_its_delivery_day() -> None:
    delivered = datetime(2026, 5, 5, 15, tzinfo=UTC)
    estimate = remaining_route_estimate(
        PLAN, milestone=Milestone.DELIVERED, milestone_at=delivered, last_event_at=delivered,
        delivered_at=delivered,
    )  # fmt: skip

    assert (estimate.p50, estimate.p90) == (date(2026, 5, 5), date(2026, 5, 5))


@given(
    milestone=st.sampled_from([m for m in Milestone if m is not Milestone.DELIVERED]),
    offset_hours=st.integers(min_value=-24 * 10, max_value=24 * 60),
    silence_hours=st.integers(min_value=0, max_value=24 * 30),
    zone=st.sampled_from(["UTC", "America/Los_Angeles", "Asia/Shanghai", "Pacific/Kiritimati"]),
)
def test_estimates_are_never_before_the_last_event_and_p50_never_after_p90(
    milestone: Milestone, offset_hours: int, silence_hours: int, zone: str
) -> None:
    plan = route_plan((LEG,), replace(PROMISE, time_zone=zone))
    reached = T0 + timedelta(hours=offset_hours)
    last = reached + timedelta(hours=silence_hours)

    estimate = remaining_route_estimate(
        plan, milestone=milestone, milestone_at=reached, last_event_at=last
    )

    assert estimate.p50 >= last.astimezone(time_zone(zone)).date()
    assert estimate.p50 <= estimate.p90


def _snapshot(status: TrackingStatus, promised_p90: date | None) -> TrackerSnapshot:
    return TrackerSnapshot(
        status=status, reason=None, action=ActionRequired.NONE,
        milestone=Milestone.WITH_LAST_MILE, last_event_at=datetime(2026, 5, 8, tzinfo=UTC),
        promised_p90=promised_p90,
    )  # fmt: skip


def test_late_against_promise_is_raised_the_day_after_the_p90_until_delivered() -> None:
    limits = SilenceLimits()
    on_p90 = datetime(2026, 5, 8, 23, 59, tzinfo=UTC)
    after_p90 = datetime(2026, 5, 9, 0, 1, tzinfo=UTC)
    in_transit = _snapshot(TrackingStatus.IN_TRANSIT, date(2026, 5, 8))

    assert alerts_for(in_transit, now=on_p90, limits=limits) == []
    late = alerts_for(in_transit, now=after_p90, limits=limits)
    assert [(a.kind, a.action, a.detail) for a in late] == [
        (
            AlertKind.LATE_AGAINST_PROMISE,
            ActionRequired.OPERATOR,
            "promised by 2026-05-08 (p90), not delivered",
        )
    ]
    delivered = _snapshot(TrackingStatus.DELIVERED, date(2026, 5, 8))
    assert alerts_for(delivered, now=after_p90, limits=limits) == []
    unbooked = _snapshot(TrackingStatus.IN_TRANSIT, None)
    assert alerts_for(unbooked, now=after_p90, limits=limits) == []
