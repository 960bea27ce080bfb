"""Property tests: the state depends on the set of events, not on arrival order or copies."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.tracking.builders import T0, event

from postbridge.tracking import (
    BookingWindow,
    TrackingEvent,
    TrackingStatus,
    code_schemes,
    deduplicate,
    load_code_table,
    recompute_state,
)

# Every code of every table plus codes no table knows, so unknown events take part too.
CODES = [
    *((scheme, code) for scheme in code_schemes() for code in load_code_table(scheme)),
    ("upu", "QQQ"),
    ("usps", "ZZ"),
]


# Times either spread over a month or packed on a few whole hours, so that events sharing a
# timestamp (and their tie-break) are exercised too.
offsets = st.one_of(
    st.builds(
        lambda minutes, seconds: timedelta(minutes=minutes, seconds=seconds),
        st.integers(0, 60 * 24 * 30),
        st.integers(0, 59),
    ),
    st.builds(lambda h: timedelta(hours=h), st.integers(0, 4)),
)


@st.composite
def events(draw: st.DrawFn) -> TrackingEvent:
    scheme, code = draw(st.sampled_from(CODES))
    return event(
        code,
        T0 + draw(offsets),
        scheme=scheme,
        partner=scheme,
        city=draw(st.sampled_from([None, "Shenzhen", "Los Angeles"])),
    )


event_lists = st.lists(events(), max_size=14)


@st.composite
def with_copies(draw: st.DrawFn) -> tuple[list[TrackingEvent], list[TrackingEvent]]:
    """A list of events and the same list with exact copies and resends shuffled in."""
    base = draw(event_lists)
    extra: list[TrackingEvent] = []
    if base:
        for original in draw(st.lists(st.sampled_from(base), max_size=8)):
            extra.append(original)
    return base, draw(st.permutations(base + extra))


@settings(max_examples=300)
@given(with_copies())
def test_order_and_exact_copies_do_not_change_the_state(
    lists: tuple[list[TrackingEvent], list[TrackingEvent]],
) -> None:
    base, shuffled_with_copies = lists
    assert recompute_state(shuffled_with_copies) == recompute_state(base)


@settings(max_examples=300)
@given(event_lists, st.data())
def test_resent_copies_in_any_order_give_one_state(
    base: list[TrackingEvent], data: st.DataObject
) -> None:
    # Resends: same scan, same minute, other seconds and wording.
    resends = [
        replace(e, raw_text=f"{e.raw_text} (resent)", occurred_at=e.occurred_at.replace(second=s))
        for e, s in data.draw(st.lists(st.tuples(st.sampled_from(base), st.integers(0, 59))))
    ] if base else []  # fmt: skip
    combined = base + resends
    assert recompute_state(data.draw(st.permutations(combined))) == recompute_state(combined)
    assert recompute_state(combined).event_count == len(deduplicate(base).events)


@settings(max_examples=300)
@given(event_lists)
def test_applying_the_same_events_again_changes_nothing(base: list[TrackingEvent]) -> None:
    once = recompute_state(base)
    assert recompute_state(base + base) == once
    assert recompute_state(deduplicate(base).events) == once


@settings(max_examples=300)
@given(event_lists)
def test_milestones_never_move_backwards_in_event_time(base: list[TrackingEvent]) -> None:
    ordered = deduplicate(base).events
    previous_rank = -1
    previous_status = None
    for moment in sorted({e.occurred_at for e in ordered}):
        state = recompute_state(e for e in ordered if e.occurred_at <= moment)
        rank = -1 if state.milestone is None else state.milestone.rank
        assert rank >= previous_rank
        previous_rank = rank
        if previous_status is TrackingStatus.DELIVERED:
            assert state.status in {
                TrackingStatus.DELIVERED,
                TrackingStatus.RETURNING_TO_SENDER,
                TrackingStatus.RETURNED_TO_SENDER,
            }
        if previous_status is TrackingStatus.RETURNED_TO_SENDER:
            assert state.status is TrackingStatus.RETURNED_TO_SENDER
        previous_status = state.status


@settings(max_examples=200)
@given(event_lists, event_lists)
def test_events_before_the_booking_only_count_as_excluded(
    parcel: list[TrackingEvent], earlier_life: list[TrackingEvent]
) -> None:
    window = BookingWindow(booked_at=T0)
    old = [replace(e, occurred_at=e.occurred_at - timedelta(days=400)) for e in earlier_life]
    alone = recompute_state(parcel, window=window)
    mixed = recompute_state(parcel + old, window=window)
    assert replace(mixed, excluded_count=0) == replace(alone, excluded_count=0)
    assert mixed.excluded_count == len(deduplicate(old).events)
