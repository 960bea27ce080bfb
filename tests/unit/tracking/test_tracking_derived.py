"""Pure parts around the state: booking windows for recycled numbers, the booking status a
state moves to, operator alerts, the page's progress stages and language choice."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from tests.unit.tracking.builders import T0, event

from postbridge.shipments.lifecycle import ShipmentStatus
from postbridge.tracking import recompute_state
from postbridge.tracking.alerts import (
    Alert,
    AlertKind,
    SilenceLimits,
    TrackerSnapshot,
    alerts_for,
)
from postbridge.tracking.booking_link import TrackerSpan, booking_windows, shipment_status_for
from postbridge.tracking.model import ActionRequired, Milestone, Reason, TrackingStatus
from postbridge.tracking.normalize import fingerprint
from postbridge.tracking.progress import Stage, progress_stages
from postbridge.tracking.state import BookingWindow, recompute_state_of_distinct
from postbridge.web.tracking_i18n import choose_language

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_recomputing_stored_events_equals_recomputing_raw_ones() -> None:
    codes = ["EMA", "EMC", "EMD", "EME", "EMG", "EMI", "EMD"]
    events = [event(code, T0 + timedelta(hours=5 * n)) for n, code in enumerate(codes)]
    keyed = {fingerprint(e): e for e in events}
    shuffled = list(keyed.items())
    random.Random(3).shuffle(shuffled)
    assert recompute_state_of_distinct(shuffled) == recompute_state(events)


def test_a_later_booking_of_the_same_number_closes_the_earlier_window() -> None:
    first, second = datetime(2025, 1, 5, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)
    windows = booking_windows([
        TrackerSpan("trk_b", ("LX1", "9400"), second),
        TrackerSpan("trk_a", ("LX1",), first),
        TrackerSpan("trk_m", ("LX1",), None),
    ])  # fmt: skip
    assert windows == {
        "trk_a": BookingWindow(booked_at=first, closes_at=second),
        "trk_b": BookingWindow(booked_at=second),
        "trk_m": None,
    }


def test_the_booking_follows_the_tracking_state_except_when_cancelled() -> None:
    delivered = recompute_state([event("EMA", T0), event("EMI", T0 + timedelta(days=5))])
    held = recompute_state([event("EMA", T0), event("EXX", T0 + timedelta(hours=2))])
    assert shipment_status_for(delivered, ShipmentStatus.LABEL_CREATED) is ShipmentStatus.DELIVERED
    assert shipment_status_for(held, ShipmentStatus.IN_TRANSIT) is ShipmentStatus.EXCEPTION
    assert shipment_status_for(delivered, ShipmentStatus.CANCELLED) is ShipmentStatus.CANCELLED
    accepted = recompute_state([event("EMA", T0)])
    departed = recompute_state([event("EMA", T0), event("EMC", T0 + timedelta(hours=9))])
    assert shipment_status_for(accepted, ShipmentStatus.HELD) is ShipmentStatus.HELD
    assert shipment_status_for(departed, ShipmentStatus.HELD) is ShipmentStatus.IN_TRANSIT
    pending = recompute_state([])
    assert shipment_status_for(pending, ShipmentStatus.BOOKED) is ShipmentStatus.BOOKED


def snapshot(
    status: TrackingStatus = TrackingStatus.IN_TRANSIT,
    *,
    reason: Reason | None = None,
    action: ActionRequired = ActionRequired.NONE,
    milestone: Milestone | None = Milestone.DEPARTED_ORIGIN_COUNTRY,
    days_silent: float = 1,
) -> TrackerSnapshot:
    return TrackerSnapshot(status, reason, action, milestone, NOW - timedelta(days=days_silent))


def test_alerts_say_what_is_wrong_and_who_acts() -> None:
    limits = SilenceLimits()
    assert alerts_for(snapshot(days_silent=6.5), now=NOW, limits=limits) == []
    assert alerts_for(snapshot(days_silent=7.5), now=NOW, limits=limits) == [
        Alert(AlertKind.NO_SCAN, ActionRequired.OPERATOR,
              "no scan for 7 days (departed_origin_country allows 7)"),
    ]  # fmt: skip
    held = snapshot(reason=Reason.CUSTOMS_HOLD, milestone=Milestone.CUSTOMS)
    assert alerts_for(held, now=NOW, limits=limits) == [
        Alert(AlertKind.CUSTOMS_HOLD, ActionRequired.OPERATOR, "customs_hold at customs")
    ]
    refused = snapshot(
        TrackingStatus.EXCEPTION, reason=Reason.REFUSED, action=ActionRequired.SENDER
    )
    assert alerts_for(refused, now=NOW, limits=limits) == [
        Alert(AlertKind.EXCEPTION, ActionRequired.SENDER, "reason: refused")
    ]
    delivered = snapshot(TrackingStatus.DELIVERED, days_silent=90)
    assert alerts_for(delivered, now=NOW, limits=limits) == []


def test_silence_limits_are_configurable_per_milestone() -> None:
    limits = SilenceLimits.from_names({"departed_origin_country": 10, "none": 1})
    assert (limits.limit(Milestone.DEPARTED_ORIGIN_COUNTRY), limits.limit(None)) == (
        timedelta(days=10), timedelta(days=1),
    )  # fmt: skip
    assert limits.limit(Milestone.CUSTOMS) == timedelta(days=5)
    assert alerts_for(snapshot(days_silent=8), now=NOW, limits=limits) == []
    assert limits.shortest == timedelta(days=1)


def test_progress_stages() -> None:
    reached = progress_stages(Milestone.CUSTOMS, TrackingStatus.IN_TRANSIT)
    assert reached == (
        (Stage.ACCEPTED, True), (Stage.DEPARTED_ORIGIN, True),
        (Stage.IN_DESTINATION, True), (Stage.DELIVERED, False),
    )  # fmt: skip
    assert [done for _, done in progress_stages(None, TrackingStatus.PENDING)] == [False] * 4
    assert [done for _, done in progress_stages(None, TrackingStatus.DELIVERED)] == [True] * 4


def test_language_choice() -> None:
    assert choose_language("PT", "zh") == "pt"
    assert choose_language(None, "fr-FR, es;q=0.4, zh-Hant;q=0.9") == "zh"
    assert choose_language("de", "de-DE, en;q=0") == "en"
    assert choose_language(None, None) == "en"
