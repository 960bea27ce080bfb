"""Event times to UTC plus zone, canonical locations, and the dedup fingerprint."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.unit.tracking.builders import T0, event

from postbridge.errors import InvalidInput
from postbridge.tracking import (
    InvalidEventTime,
    LocalTimeIssue,
    LocalTimePolicy,
    Location,
    NormalizedTime,
    TrackingStatus,
    build_event,
    fingerprint,
    parse_event_time,
)
from postbridge.tracking.normalize import normalize_location, parse_offset


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "kwargs", "expected"),
    [
        ("2026-05-01T10:02:00+08:00", {}, NormalizedTime(utc(2026, 5, 1, 2, 2), "+08:00")),
        ("2026-05-01T10:02:00Z", {}, NormalizedTime(utc(2026, 5, 1, 10, 2), "UTC")),
        ("2026-05-01 10:02:07.250-05:00", {}, NormalizedTime(
            datetime(2026, 5, 1, 15, 2, 7, 250_000, tzinfo=UTC), "-05:00")),
        # A written offset that agrees with the zone keeps the zone's name ...
        ("2026-05-01T10:02:00+08:00", {"zone": "Asia/Shanghai"},
         NormalizedTime(utc(2026, 5, 1, 2, 2), "Asia/Shanghai")),
        # ... and one that disagrees wins: it is the partner's explicit statement.
        ("2026-05-01T10:02:00+09:00", {"zone": "Asia/Shanghai"},
         NormalizedTime(utc(2026, 5, 1, 1, 2), "+09:00")),
        ("2026-05-01T10:02:00", {"zone": "Asia/Shanghai"},
         NormalizedTime(utc(2026, 5, 1, 2, 2), "Asia/Shanghai")),
        ("2026-07-01T10:02:00", {"zone": "America/Los_Angeles"},
         NormalizedTime(utc(2026, 7, 1, 17, 2), "America/Los_Angeles")),
        ("2026-02-07T12:55:12", {"offset": "-5:00"},
         NormalizedTime(utc(2026, 2, 7, 17, 55, 12), "-05:00")),
        ("2026-02-07T12:55:12", {"offset": -420},
         NormalizedTime(utc(2026, 2, 7, 19, 55, 12), "-07:00")),
        ("2026-02-07T12:55:12", {"offset": "+0530"},
         NormalizedTime(utc(2026, 2, 7, 7, 25, 12), "+05:30")),
    ],
)  # fmt: skip
def test_parse_event_time(text: str, kwargs: dict[str, object], expected: NormalizedTime) -> None:
    assert parse_event_time(text, **kwargs) == expected


GAP = "2026-03-08T02:30:00"  # New York springs forward 02:00 EST -> 03:00 EDT
FOLD = "2026-11-01T01:30:00"  # New York falls back 02:00 EDT -> 01:00 EST


@pytest.mark.parametrize(
    ("text", "policy", "expected_utc", "issue"),
    [
        (GAP, LocalTimePolicy.OFFSET_BEFORE, utc(2026, 3, 8, 7, 30), LocalTimeIssue.NONEXISTENT),
        (GAP, LocalTimePolicy.OFFSET_AFTER, utc(2026, 3, 8, 6, 30), LocalTimeIssue.NONEXISTENT),
        (FOLD, LocalTimePolicy.OFFSET_BEFORE, utc(2026, 11, 1, 5, 30), LocalTimeIssue.AMBIGUOUS),
        (FOLD, LocalTimePolicy.OFFSET_AFTER, utc(2026, 11, 1, 6, 30), LocalTimeIssue.AMBIGUOUS),
        ("2026-11-01T02:30:00", LocalTimePolicy.RAISE, utc(2026, 11, 1, 7, 30),
         LocalTimeIssue.NONE),
    ],
)  # fmt: skip
def test_dst_gaps_and_folds_are_resolved_by_policy_and_reported(
    text: str, policy: LocalTimePolicy, expected_utc: datetime, issue: LocalTimeIssue
) -> None:
    parsed = parse_event_time(text, zone="America/New_York", policy=policy)
    assert parsed == NormalizedTime(expected_utc, "America/New_York", issue)


@pytest.mark.parametrize(
    ("text", "message"),
    [(GAP, "is nonexistent in America/New_York"), (FOLD, "is ambiguous in America/New_York")],
)
def test_raise_policy_refuses_gaps_and_folds(text: str, message: str) -> None:
    with pytest.raises(InvalidEventTime, match=message):
        parse_event_time(text, zone="America/New_York", policy=LocalTimePolicy.RAISE)


@pytest.mark.parametrize(
    ("text", "kwargs", "message"),
    [
        ("2026-05-01T10:02:00", {}, "has no UTC offset and no zone was given"),
        ("yesterday", {}, "is not an ISO 8601 date-time"),
        ("2026-05-01T10:02:00", {"zone": "Mars/Olympus"}, "is not an IANA time zone"),
        ("2026-05-01T10:02:00", {"offset": "8h"}, "is not ±HH:MM"),
        ("2026-05-01T10:02:00", {"offset": 1200}, "outside ±18 hours"),
    ],
)
def test_times_we_cannot_place_are_refused(
    text: str, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidEventTime, match=message) as caught:
        parse_event_time(text, **kwargs)
    assert isinstance(caught.value, InvalidInput)
    assert isinstance(caught.value, ValueError)
    assert caught.value.code == "invalid_event_time"
    assert [p.field for p in caught.value.problems] == ["occurred_at"]


@given(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1)),
    st.sampled_from(["America/New_York", "Europe/Madrid", "Asia/Shanghai", "America/Santiago"]),
)
def test_local_time_round_trips_outside_gaps(wall: datetime, zone: str) -> None:
    parsed = parse_event_time(wall.isoformat(), zone=zone)
    assert parsed.utc.tzinfo is UTC
    if parsed.local_issue is not LocalTimeIssue.NONEXISTENT:
        assert parsed.utc.astimezone(ZoneInfo(zone)).replace(tzinfo=None) == wall


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1),
        max_value=datetime(2040, 1, 1),
        timezones=st.builds(
            lambda m: timezone(timedelta(minutes=m)), st.integers(-14 * 60, 14 * 60)
        ),
    )
)
def test_a_written_offset_round_trips(moment: datetime) -> None:
    parsed = parse_event_time(moment.isoformat())
    assert parsed.utc == moment
    assert parsed.utc.tzinfo is UTC
    assert parse_offset(parsed.zone).utcoffset(None) == moment.utcoffset()


def test_parse_offset_accepts_minutes_and_text() -> None:
    assert parse_offset(-420).utcoffset(None) == timedelta(hours=-7)
    assert parse_offset("+08:00").utcoffset(None) == timedelta(hours=8)
    assert parse_offset("-0930").utcoffset(None) == timedelta(hours=-9, minutes=-30)


def test_normalize_location() -> None:
    assert normalize_location(
        Location(facility="  ISC  LOS ANGELES CA ", city="", postal_code=" 90009 ", country="us")
    ) == Location(facility="ISC LOS ANGELES CA", city=None, postal_code="90009", country="US")


def test_build_event_maps_the_code_and_normalises() -> None:
    built = build_event(
        tracking_number=" lx 123 456 785 cn ",
        partner=" ChinaPost ",
        code_scheme="upu",
        code=" emc ",
        text="Departure from outward office of exchange",
        occurred=NormalizedTime(utc(2026, 5, 2, 1, 0), "Asia/Shanghai"),
        location=Location(facility="CNSZXA", country="cn"),
    )
    assert (built.tracking_number, built.partner, built.raw_code) == (
        "LX123456785CN",
        "chinapost",
        "emc",
    )
    assert built.status is TrackingStatus.IN_TRANSIT
    assert built.location == Location(facility="CNSZXA", country="CN")
    assert built.occurred_zone == "Asia/Shanghai"


def test_events_must_carry_utc() -> None:
    with pytest.raises(ValueError, match="must be aware UTC"):
        event("EMA", datetime(2026, 5, 1, 8, 0, tzinfo=timezone(timedelta(hours=8))))


def test_fingerprint_is_a_pinned_value() -> None:
    # Stored fingerprints must survive releases: this value may never change.
    assert fingerprint(event("EMA", T0, city="Shenzhen")) == "9710221802947e9cff813074d7bfaad7"


def test_fingerprint_ignores_seconds_text_case_and_blanks_but_not_the_minute() -> None:
    base = fingerprint(event("EMA", T0, city="Shenzhen", text="Posting"))
    assert fingerprint(event("ema", T0 + timedelta(seconds=59), city=" SHENZHEN ")) == base
    assert fingerprint(event("EMA", T0, city="Shenzhen", text="收寄")) == base
    assert fingerprint(event("EMA", T0 + timedelta(minutes=1), city="Shenzhen")) != base
    assert fingerprint(event("EMA", T0, city="Guangzhou")) != base
    assert fingerprint(event("EMB", T0, city="Shenzhen")) != base
    assert fingerprint(event("EMA", T0, city="Shenzhen", partner="singpost")) != base
    assert fingerprint(event("EMA", T0, city="Shenzhen", number="LX123456794CN")) != base
