"""Event instants from USPS's local time and GMT offset, in each spelling USPS uses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postbridge.carriers.usps.wire import EventTime, parse_gmt_offset, resolve_event_time


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("-05:00", -300),  # recorded v3 responses
        ("-7:00", -420),  # the v3r2 OpenAPI example
        ("-420", -420),  # minutes, as USPS's README describes it
        ("-5", -300),  # bare hours
        ("+05:30", 330),
        ("+0545", 345),  # ISO 8601 basic form
        ("0", 0),
        ("Z", 0),
        ("+10:00", 600),
    ],
)
def test_gmt_offset_spellings(text: str, minutes: int) -> None:
    assert parse_gmt_offset(text) == minutes


@pytest.mark.parametrize("text", ["", "EST", "-05:07", "+15:00", "-999", "--5"])
def test_implausible_offsets_are_refused(text: str) -> None:
    assert parse_gmt_offset(text) is None


def test_local_time_minus_its_offset_is_the_instant() -> None:
    # 23:30 in Honolulu (UTC-10) on 31 December is already 09:30 UTC on New Year's Day.
    assert resolve_event_time("2024-12-31T23:30:00", "-10:00", None) == EventTime(
        datetime(2025, 1, 1, 9, 30, tzinfo=UTC), -600
    )


def test_fractional_seconds_and_an_eastern_offset() -> None:
    assert resolve_event_time("2025-03-10T08:15:30.250", "+08:00", None) == EventTime(
        datetime(2025, 3, 10, 0, 15, 30, 250000, tzinfo=UTC), 480
    )


def test_a_local_time_carrying_its_own_offset() -> None:
    assert resolve_event_time("2024-04-04T14:03:12-07:00", None, None) == EventTime(
        datetime(2024, 4, 4, 21, 3, 12, tzinfo=UTC), -420
    )


def test_gmt_timestamp_is_the_fallback_for_a_bare_date_or_a_missing_offset() -> None:
    expected = EventTime(datetime(2024, 4, 4, 14, 3, 12, 41000, tzinfo=UTC), None)

    assert resolve_event_time("2024-04-04", "-7:00", "2024-04-04T14:03:12.041Z") == expected
    assert resolve_event_time("2024-04-04T07:03:12", None, "2024-04-04T14:03:12.041Z") == expected
    assert resolve_event_time("2024-04-04T07:03:12", "EST", "2024-04-04T14:03:12.041") == expected


@pytest.mark.parametrize(
    ("local", "offset", "gmt"),
    [
        ("2024-04-04", "-7:00", None),
        (None, "-05:00", None),
        ("2024-04-04T07:03:12", None, None),
        ("yesterday evening", "-05:00", "not a time"),
    ],
)
def test_too_little_to_place_the_event_in_time(
    local: str | None, offset: str | None, gmt: str | None
) -> None:
    assert resolve_event_time(local, offset, gmt) is None


quarter_hours = st.integers(min_value=-12 * 4, max_value=14 * 4).map(lambda n: n * 15)
instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
).map(lambda moment: moment.replace(microsecond=0))


def spellings(minutes: int) -> list[str]:
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    forms = [
        f"{sign}{hours:02d}:{rest:02d}",
        f"{sign}{hours}:{rest:02d}",
        f"{sign}{hours:02d}{rest:02d}",
    ]
    if abs(minutes) > 14:  # a bare number that small reads as hours
        forms.append(f"{sign}{abs(minutes)}")
    return forms


@settings(max_examples=200, deadline=None)
@given(instants, quarter_hours)
def test_any_instant_survives_the_trip_through_local_time_and_offset(
    instant: datetime, minutes: int
) -> None:
    # What a USPS scanner does: show the wall clock of its zone, and say the zone's offset.
    local = (instant + timedelta(minutes=minutes)).replace(tzinfo=None).isoformat()

    for spelling in spellings(minutes):
        assert resolve_event_time(local, spelling, None) == EventTime(instant, minutes)
