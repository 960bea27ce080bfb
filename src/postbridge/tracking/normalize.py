"""Normalise partner events: times to aware UTC plus the zone they were given in, locations
and numbers to a canonical spelling, and a stable fingerprint for deduplication.

Partners give event times three ways: ISO 8601 with an offset (``2026-03-08T10:02:00+08:00``),
with ``Z``, or as local wall-clock time without an offset, which only means something together
with the zone of the scanning office (UPU exports and many posts do this; postal-standards.md
§3.1). We never guess a zone: local time without a zone is an error.

Local time has two traps at DST changes, both handled explicitly by ``LocalTimePolicy``:

- a *gap* (spring forward: 02:30 does not exist in New York on 2026-03-08).
  ``OFFSET_BEFORE`` (the default) reads it with the offset in force before the change (EST,
  07:30 UTC), which is what a scanner whose clock had not moved yet meant; ``OFFSET_AFTER``
  with the offset after it (EDT, 06:30 UTC); ``RAISE`` refuses.
- a *fold* (fall back: 01:30 happens twice in New York on 2026-11-01). ``OFFSET_BEFORE``
  takes the first occurrence (EDT, 05:30 UTC), ``OFFSET_AFTER`` the second (EST, 06:30 UTC).

``NormalizedTime.local_issue`` records which trap a time fell into so that callers can count
such events instead of trusting them blindly.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from postbridge.tracking.codes import map_event, normalize_code
from postbridge.tracking.errors import InvalidEventTime
from postbridge.tracking.model import Location, TrackingEvent


class LocalTimePolicy(StrEnum):
    OFFSET_BEFORE = "offset_before"  # the offset in force before the DST change
    OFFSET_AFTER = "offset_after"  # the offset in force after it
    RAISE = "raise"


class LocalTimeIssue(StrEnum):
    NONE = "none"
    NONEXISTENT = "nonexistent"  # in a DST gap
    AMBIGUOUS = "ambiguous"  # in a DST fold


@dataclass(frozen=True, slots=True)
class NormalizedTime:
    utc: datetime
    zone: str  # IANA name, "+08:00"-style offset, or "UTC"
    local_issue: LocalTimeIssue = LocalTimeIssue.NONE


_OFFSET_TEXT = re.compile(r"([+-])(\d{1,2}):?(\d{2})")


def parse_offset(offset: str | int) -> timezone:
    """A UTC offset as minutes (``-420``) or text (``-07:00``, ``-5:00``, ``+0800``)."""
    if isinstance(offset, int):
        minutes = offset
    else:
        match = _OFFSET_TEXT.fullmatch(offset.strip())
        if match is None:
            raise InvalidEventTime(f"UTC offset {offset!r} is not ±HH:MM")
        sign, hours, mins = match.groups()
        minutes = (int(hours) * 60 + int(mins)) * (-1 if sign == "-" else 1)
    if not -18 * 60 < minutes < 18 * 60:
        raise InvalidEventTime(f"UTC offset {offset!r} is outside ±18 hours")
    return timezone(timedelta(minutes=minutes))


def format_offset(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{mins:02d}"


def parse_event_time(
    text: str,
    *,
    zone: str | None = None,
    offset: str | int | None = None,
    policy: LocalTimePolicy = LocalTimePolicy.OFFSET_BEFORE,
) -> NormalizedTime:
    """Read a partner timestamp.

    ``zone`` (IANA name) and ``offset`` apply only to times written without an offset; a
    written offset is the partner's explicit statement and wins. The IANA name is still kept
    as the zone when it agrees with the written offset at that instant.

    Raises:
        InvalidEventTime: unparseable text, local time with neither zone nor offset, an
            unknown zone, or a gap/fold time under ``LocalTimePolicy.RAISE``.
    """
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise InvalidEventTime(f"{text!r} is not an ISO 8601 date-time") from exc
    given = parsed.utcoffset()
    if given is not None:
        return NormalizedTime(parsed.astimezone(UTC), _zone_of_written(text, parsed, zone))
    if offset is not None:
        fixed = parse_offset(offset)
        return NormalizedTime(
            parsed.replace(tzinfo=fixed).astimezone(UTC), format_offset(fixed.utcoffset(None))
        )
    if zone is None:
        raise InvalidEventTime(f"{text!r} has no UTC offset and no zone was given")
    return localize(parsed, _zone_info(zone), zone_name=zone, policy=policy)


def localize(
    wall_clock: datetime, zone: tzinfo, *, zone_name: str, policy: LocalTimePolicy
) -> NormalizedTime:
    """UTC of a naive wall-clock time in ``zone``, with gaps and folds resolved by ``policy``."""
    first = wall_clock.replace(tzinfo=zone, fold=0)
    second = wall_clock.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return NormalizedTime(first.astimezone(UTC), zone_name)
    # zoneinfo gives the two readings different offsets exactly in gaps and folds; a gap time
    # does not survive the round trip through UTC, a fold time does.
    round_trip = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    issue = LocalTimeIssue.AMBIGUOUS if round_trip == wall_clock else LocalTimeIssue.NONEXISTENT
    if policy is LocalTimePolicy.RAISE:
        raise InvalidEventTime(f"{wall_clock.isoformat()} is {issue} in {zone_name}")
    # PEP 495: fold=0 reads both a gap and a fold time with the offset before the change.
    chosen = first if policy is LocalTimePolicy.OFFSET_BEFORE else second
    return NormalizedTime(chosen.astimezone(UTC), zone_name, issue)


def _zone_info(zone: str) -> ZoneInfo:
    try:
        return ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidEventTime(f"{zone!r} is not an IANA time zone") from exc


def _zone_of_written(text: str, parsed: datetime, zone: str | None) -> str:
    offset = parsed.utcoffset()
    assert offset is not None
    if zone is not None and parsed.astimezone(_zone_info(zone)).utcoffset() == offset:
        return zone
    if text.strip().upper().endswith("Z"):
        return "UTC"
    return format_offset(offset)


def normalize_tracking_number(text: str) -> str:
    """Numbers compare without blanks and case: ``"ea 123 456 785 cn"`` is ``EA123456785CN``."""
    return "".join(text.split()).upper()


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    cleaned = " ".join(value.split())
    return cleaned or None


def normalize_location(location: Location) -> Location:
    """Collapse blanks, drop empty parts, upper-case the country and postal code."""
    country = _clean(location.country)
    postal_code = _clean(location.postal_code)
    return Location(
        facility=_clean(location.facility),
        city=_clean(location.city),
        region=_clean(location.region),
        postal_code=postal_code.upper() if postal_code else None,
        country=country.upper() if country else None,
    )


def fingerprint(event: TrackingEvent) -> str:
    """Identity of an event for deduplication: number, partner, code, UTC minute, location.

    The minute, not the second: partners resend the same scan with seconds dropped or
    rounded. The raw text is left out because partners reword and translate descriptions
    between deliveries of the same scan. Parts are joined with a separator that cannot occur
    in them, and hashed with SHA-256 so the value is the same in every process and release.
    """
    minute = event.occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")
    place = normalize_location(event.location)
    parts = (
        normalize_tracking_number(event.tracking_number),
        event.partner.strip().lower(),
        normalize_code(event.raw_code),
        minute,
        *((part or "").casefold() for part in _location_parts(place)),
    )
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def _location_parts(place: Location) -> tuple[str | None, ...]:
    return (place.facility, place.city, place.region, place.postal_code, place.country)


def build_event(
    *,
    tracking_number: str,
    partner: str,
    code_scheme: str,
    code: str,
    text: str,
    occurred: NormalizedTime,
    location: Location | None = None,
) -> TrackingEvent:
    """A canonical event: the code mapped through its scheme's table, the rest normalised."""
    mapped = map_event(code_scheme, code)
    return TrackingEvent(
        tracking_number=normalize_tracking_number(tracking_number),
        partner=partner.strip().lower(),
        code_scheme=code_scheme,
        raw_code=code.strip(),
        raw_text=text,
        occurred_at=occurred.utc,
        occurred_zone=occurred.zone,
        location=normalize_location(location or Location()),
        status=mapped.status,
        reason=mapped.reason,
        milestone=mapped.milestone,
        action=mapped.action,
        is_mapped=mapped.is_mapped,
    )
