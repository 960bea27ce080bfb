"""Event builders for the tracking tests: keyword-only defaults, one line per case."""

from __future__ import annotations

from datetime import UTC, datetime

from postbridge.tracking import Location, NormalizedTime, TrackingEvent, build_event

NUMBER = "LX123456785CN"
T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def event(
    code: str,
    at: datetime,
    *,
    scheme: str = "upu",
    partner: str = "chinapost",
    number: str = NUMBER,
    text: str = "",
    city: str | None = None,
) -> TrackingEvent:
    return build_event(
        tracking_number=number,
        partner=partner,
        code_scheme=scheme,
        code=code,
        text=text or code,
        occurred=NormalizedTime(at, "UTC"),
        location=Location(city=city),
    )
