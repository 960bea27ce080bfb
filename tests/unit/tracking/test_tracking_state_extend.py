"""``extend_state``: folding only the events after a stored state gives what recomputing from
every event gives (the columns a tracker row keeps), or declines."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.tracking.builders import T0, event
from tests.unit.tracking.test_tracking_state_properties import event_lists

from postbridge.tracking import TrackingEvent, TrackingState, deduplicate, recompute_state
from postbridge.tracking.normalize import fingerprint
from postbridge.tracking.state import RETURN_STATUSES, StoredFold, extend_state


def stored(state: TrackingState) -> StoredFold:
    return StoredFold(
        status=state.status, reason=state.reason, action=state.action,
        milestone=state.milestone,
        last_event_at=state.last_event.occurred_at if state.last_event else None,
        delivered_at=state.delivered_at, returned_at=state.returned_at,
        event_count=state.event_count, unmapped_event_count=state.unmapped_event_count,
        excluded_count=state.excluded_count,
    )  # fmt: skip


def row(state: TrackingState) -> tuple[object, ...]:
    return (*_fold_columns(state), state.last_event)


def _fold_columns(state: TrackingState) -> tuple[object, ...]:
    fold = stored(state)
    return (fold.status, fold.reason, fold.action, fold.milestone, fold.last_event_at,
            fold.delivered_at, fold.returned_at, fold.event_count, fold.unmapped_event_count,
            fold.excluded_count)  # fmt: skip


def keyed(events: list[TrackingEvent]) -> list[tuple[str, TrackingEvent]]:
    return [(fingerprint(e), e) for e in events]


@settings(max_examples=400, deadline=None)
@given(event_lists, st.integers(0, 60 * 24 * 30))
def test_folding_the_later_events_onto_the_stored_state_equals_recomputing(
    events: list[TrackingEvent], cut_minutes: int
) -> None:
    distinct = list(deduplicate(events).events)
    cut = T0 + timedelta(minutes=cut_minutes)
    earlier = [e for e in distinct if e.occurred_at <= cut]
    later = [e for e in reversed(distinct) if e.occurred_at > cut]  # any order
    before = recompute_state(earlier)
    extended = extend_state(stored(before), keyed(later))
    if not later or before.status in RETURN_STATUSES:
        assert extended is None
    else:
        assert extended is not None
        assert row(extended) == row(recompute_state(distinct))


def test_an_event_at_or_before_the_stored_last_one_declines() -> None:
    before = recompute_state([event("EMA", T0), event("EMC", T0 + timedelta(hours=2))])
    same_instant = [event("EMD", T0 + timedelta(hours=2), city="Los Angeles")]
    assert extend_state(stored(before), keyed(same_instant)) is None
    late = [event("EMB", T0 + timedelta(hours=1)), event("EMD", T0 + timedelta(hours=5))]
    assert extend_state(stored(before), keyed(late)) is None


def test_a_late_in_transit_scan_after_delivery_stays_delivered() -> None:
    before = recompute_state([event("EMA", T0), event("EMI", T0 + timedelta(days=3))])
    extended = extend_state(stored(before), keyed([event("EMD", T0 + timedelta(days=4))]))
    assert extended is not None
    assert (extended.status.value, extended.delivered_at, extended.event_count) == (
        "delivered", T0 + timedelta(days=3), 3,
    )  # fmt: skip
