"""Tracking state recomputed in event-time order: precedence, returns, recycled numbers."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from tests.unit.tracking.builders import T0, event

from postbridge.tracking import (
    ActionRequired,
    BookingWindow,
    Milestone,
    MilestoneReached,
    Reason,
    TrackingStatus,
    deduplicate,
    expire_if_silent,
    recompute_state,
)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


JOURNEY = [
    event("EMA", T0, city="Shenzhen"),
    event("EMC", T0 + hours(20), city="Shenzhen"),
    event("EMD", T0 + hours(40), city="Los Angeles"),
    event("EDB", T0 + hours(41), city="Los Angeles"),
    event("01", T0 + hours(90), scheme="usps", partner="usps", city="Austin"),
]


def test_no_events_is_pending() -> None:
    state = recompute_state([])
    assert (state.status, state.reason, state.action, state.milestone) == (
        TrackingStatus.PENDING,
        None,
        ActionRequired.NONE,
        None,
    )
    assert (state.last_event, state.event_count, state.unmapped_codes) == (None, 0, ())


def test_a_journey_in_order() -> None:
    state = recompute_state(JOURNEY)
    assert state.status is TrackingStatus.DELIVERED
    assert state.milestone is Milestone.DELIVERED
    assert state.delivered_at == T0 + hours(90)
    assert state.milestones == (
        MilestoneReached(Milestone.ACCEPTED_AT_ORIGIN, T0),
        MilestoneReached(Milestone.DEPARTED_ORIGIN_COUNTRY, T0 + hours(20)),
        MilestoneReached(Milestone.ARRIVED_DESTINATION_COUNTRY, T0 + hours(40)),
        MilestoneReached(Milestone.CUSTOMS, T0 + hours(41)),
        MilestoneReached(Milestone.DELIVERED, T0 + hours(90)),
    )
    assert state.last_event == JOURNEY[-1]
    assert state.event_count == 5


def test_reversed_arrival_gives_the_same_state() -> None:
    assert recompute_state(list(reversed(JOURNEY))) == recompute_state(JOURNEY)


def test_a_late_in_transit_scan_after_delivery_stays_delivered() -> None:
    late = event("10", T0 + hours(95), scheme="usps", partner="usps", city="Austin")
    state = recompute_state([*JOURNEY, late])
    assert state.status is TrackingStatus.DELIVERED
    assert state.delivered_at == T0 + hours(90)
    assert state.last_event == late  # the timeline still shows it
    assert state.milestone is Milestone.DELIVERED


def test_an_event_with_an_older_time_lands_in_place() -> None:
    # Customs arrives last but happened before delivery: nothing moves backwards.
    state = recompute_state([*JOURNEY[:3], JOURNEY[4], JOURNEY[3]])
    assert state.status is TrackingStatus.DELIVERED
    assert state.last_event == JOURNEY[4]


def test_exception_is_cleared_by_later_movement() -> None:
    refused = event("04", T0 + hours(50), scheme="usps", partner="usps")
    moving = event("10", T0 + hours(52), scheme="usps", partner="usps")
    held = recompute_state([*JOURNEY[:4], refused])
    assert (held.status, held.reason, held.action) == (
        TrackingStatus.EXCEPTION,
        Reason.REFUSED,
        ActionRequired.SENDER,
    )
    assert recompute_state([*JOURNEY[:4], refused, moving]).status is TrackingStatus.IN_TRANSIT


def test_an_unmapped_latest_code_is_unknown_and_surfaced() -> None:
    odd = event("ZZ", T0 + hours(45), scheme="usps", partner="usps")
    state = recompute_state([*JOURNEY[:4], odd])
    assert (state.status, state.action) == (TrackingStatus.UNKNOWN, ActionRequired.OPERATOR)
    assert state.unmapped_codes == (("usps", "ZZ"),)
    assert state.milestone is Milestone.CUSTOMS


def test_an_unmapped_code_after_delivery_keeps_delivered_but_is_listed() -> None:
    odd = event("ZZ", T0 + hours(99), scheme="usps", partner="usps")
    state = recompute_state([*JOURNEY, odd])
    assert state.status is TrackingStatus.DELIVERED
    assert state.unmapped_codes == (("usps", "ZZ"),)


def test_return_after_delivery_is_followed_and_keeps_the_delivery() -> None:
    back = event("09", T0 + hours(120), scheme="usps", partner="usps")
    state = recompute_state([*JOURNEY, back])
    assert state.status is TrackingStatus.RETURNING_TO_SENDER
    assert state.delivered_at == T0 + hours(90)
    assert state.milestone is Milestone.DELIVERED


def test_delivery_during_a_return_is_the_return_reaching_the_sender() -> None:
    unclaimed = event("27", T0 + hours(200), scheme="usps", partner="usps")
    back_at_origin = event("EMD", T0 + hours(300), city="Shenzhen")
    held_on_the_way = event("EME", T0 + hours(301), city="Shenzhen")
    final = event("EMI", T0 + hours(400), city="Shenzhen")
    events = [*JOURNEY[:4], unclaimed, back_at_origin, held_on_the_way]
    on_the_way = recompute_state(events)
    assert (on_the_way.status, on_the_way.reason) == (
        TrackingStatus.RETURNING_TO_SENDER,
        Reason.CUSTOMS_HOLD,
    )
    state = recompute_state([*events, final])
    assert (state.status, state.reason, state.action) == (
        TrackingStatus.RETURNED_TO_SENDER,
        Reason.UNCLAIMED,
        ActionRequired.SENDER,
    )
    assert state.returned_at == T0 + hours(400)
    assert state.delivered_at is None
    # Return-leg events reach no milestone: the parcel never got past customs outbound.
    assert state.milestone is Milestone.CUSTOMS
    assert [m.milestone for m in state.milestones][-1] is Milestone.CUSTOMS


def test_returned_to_sender_is_terminal() -> None:
    unclaimed = event("27", T0 + hours(200), scheme="usps", partner="usps")
    final = event("EMI", T0 + hours(400), city="Shenzhen")
    again = event("EDG", T0 + hours(500), city="Shenzhen")
    state = recompute_state([*JOURNEY[:4], unclaimed, final, again])
    assert state.status is TrackingStatus.RETURNED_TO_SENDER


def test_same_minute_out_for_delivery_and_delivered_ends_delivered() -> None:
    at = T0 + hours(90)
    both = [event("01", at, scheme="usps", partner="usps"), event("OF", at, scheme="usps")]
    assert recompute_state(both).status is TrackingStatus.DELIVERED
    assert recompute_state(list(reversed(both))).status is TrackingStatus.DELIVERED


def test_recycled_number_events_outside_the_booking_window_are_excluded() -> None:
    previous_life = [
        event("EMA", T0 - timedelta(days=400)),
        event("EMI", T0 - timedelta(days=380)),
    ]
    next_life = [event("EMA", T0 + timedelta(days=300))]
    window = BookingWindow(booked_at=T0 - hours(0.5), closes_at=T0 + timedelta(days=200))
    state = recompute_state([*previous_life, *JOURNEY[:3], *next_life], window=window)
    assert state.status is TrackingStatus.IN_TRANSIT
    assert state.milestone is Milestone.ARRIVED_DESTINATION_COUNTRY
    assert (state.event_count, state.excluded_count) == (3, 3)
    assert state.delivered_at is None


def test_the_window_allows_for_clock_skew_only() -> None:
    window = BookingWindow(booked_at=T0 + hours(1))
    assert window.contains(T0) is True  # one hour of skew
    assert window.contains(T0 - timedelta(seconds=1)) is False


def test_cancelled_ignores_paperwork_but_follows_a_physical_scan() -> None:
    manifest = event("MA", T0, scheme="usps", partner="usps")
    # No packaged table maps a cancellation yet; partner tables will (label voided).
    cancel = replace(
        event("VOID", T0 + hours(1), scheme="usps", partner="usps"),
        status=TrackingStatus.CANCELLED,
        is_mapped=True,
    )
    manifest_again = event("MA", T0 + hours(2), scheme="usps", partner="usps", city="Austin")
    odd = event("ZZ", T0 + hours(3), scheme="usps", partner="usps")
    paperwork = recompute_state([manifest, cancel, manifest_again, odd])
    assert paperwork.status is TrackingStatus.CANCELLED
    assert paperwork.milestone is None
    scanned = event("10", T0 + hours(4), scheme="usps", partner="usps")
    moving = recompute_state([manifest, cancel, manifest_again, odd, scanned])
    assert moving.status is TrackingStatus.IN_TRANSIT
    assert moving.milestone is Milestone.WITH_LAST_MILE


def test_deduplicate_keeps_one_copy_and_counts_the_rest() -> None:
    resent = event("EMA", T0 + timedelta(seconds=30), city="Shenzhen", text="Posting (resent)")
    result = deduplicate([JOURNEY[0], resent, JOURNEY[0], JOURNEY[1]])
    assert result.duplicate_count == 2
    assert result.events == (JOURNEY[0], JOURNEY[1])


def test_expire_if_silent() -> None:
    moving = recompute_state(JOURNEY[:3])
    last = JOURNEY[2].occurred_at
    limit = timedelta(days=30)
    assert expire_if_silent(moving, now=last + limit, max_silence=limit) == moving
    expired = expire_if_silent(moving, now=last + limit + hours(1), max_silence=limit)
    assert (expired.status, expired.action) == (TrackingStatus.EXPIRED, ActionRequired.OPERATOR)
    delivered = recompute_state(JOURNEY)
    assert expire_if_silent(delivered, now=last + 10 * limit, max_silence=limit) == delivered
