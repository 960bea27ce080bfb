"""When a USPS scan happened, as an aware UTC instant, from the times USPS sends with it.

USPS gives each tracking event its local wall-clock time (``eventTimestamp``, naive, e.g.
``2024-11-22T13:58:00``) and that place's offset from GMT (``GMTOffset``). The instant is the
local time minus the offset. Stamping the local time as UTC, as the peer does, shifts every
US event by four to ten hours and reorders events scanned in different zones.

``GMTOffset`` is spelled several ways across the v3 documents: ``-05:00`` (recorded
responses), ``-7:00`` (the v3r2 OpenAPI example) and ``-420`` (minutes, USPS's README). The
v3r2 ``eventTimestamp`` may also carry its own offset (``2024-04-04T14:03:12-07:00``) or be a
bare date; a bare date has no instant, so ``GMTTimestamp`` is the fallback then.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple

# Real zone offsets lie within UTC-12..UTC+14 and are whole quarter hours.
_MAX_OFFSET_MINUTES = 14 * 60
_QUARTER_HOUR = 15


class EventTime(NamedTuple):
    """A NamedTuple, not a dataclass: one is built per event, and on the hot path."""

    occurred_at: datetime  # aware, UTC
    local_offset_minutes: int | None  # minutes east of GMT at the scan; None when USPS gave none


def parse_gmt_offset(text: str) -> int | None:
    """Minutes east of GMT for a USPS ``GMTOffset``; None when it is not a plausible offset."""
    text = text.strip()
    if not text or text in ("Z", "z"):
        return 0 if text else None
    sign = -1 if text[0] == "-" else 1
    body = text[1:] if text[0] in "+-" else text
    hours, colon, minutes = body.partition(":")
    if not (hours.isdigit() and (minutes.isdigit() or not colon)) or not body.isascii():
        return None
    if colon:
        total = int(hours) * 60 + int(minutes)
    elif len(body) == 4:  # ISO 8601 basic form, HHMM
        total = int(body[:2]) * 60 + int(body[2:])
    else:
        value = int(body)
        # A bare number is hours when small (-5) and minutes otherwise (-420).
        total = value * 60 if value <= 14 else value
    if total > _MAX_OFFSET_MINUTES or total % _QUARTER_HOUR:
        return None
    return sign * total


# The same few offsets recur in every response: parse each spelling once, into its minutes
# and the ISO suffix that lets one C call (fromisoformat) build the aware local time.
_OFFSETS: dict[str, tuple[int, str] | None] = {}


def _offset(text: str) -> tuple[int, str] | None:
    try:
        return _OFFSETS[text]
    except KeyError:
        minutes = parse_gmt_offset(text)
        if minutes is None:
            _OFFSETS[text] = None
            return None
        sign = "-" if minutes < 0 else "+"
        hours, rest = divmod(abs(minutes), 60)
        parsed = _OFFSETS[text] = (minutes, f"{sign}{hours:02d}:{rest:02d}")
        return parsed


def resolve_event_time(
    local_timestamp: str | None, gmt_offset: str | None, gmt_timestamp: str | None
) -> EventTime | None:
    """The event's instant from its local time and GMT offset; None when USPS sent too little.

    Order of trust: the local time with its offset (the one it names itself, which v3r2
    allows, else ``GMTOffset``), then ``GMTTimestamp`` alone (the local offset is unknown then).
    """
    if local_timestamp is not None and len(local_timestamp) > 10:  # not a bare date
        offset = _offset(gmt_offset) if gmt_offset is not None else None
        if offset is not None:
            try:
                local = datetime.fromisoformat(local_timestamp + offset[1])
                return EventTime(local.astimezone(UTC), offset[0])
            except ValueError:
                pass  # it carries an offset of its own, or is not a timestamp at all
        own = _with_own_offset(local_timestamp)
        if own is not None:
            return own
    if gmt_timestamp:
        try:
            instant = datetime.fromisoformat(gmt_timestamp)
        except ValueError:
            return None
        # GMT by definition, even when the "Z" is missing.
        return EventTime(
            instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC), None
        )
    return None


def _with_own_offset(text: str) -> EventTime | None:
    """The instant of a timestamp that names its own offset; None for naive or bad text."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    offset = parsed.utcoffset()
    if offset is None:
        return None
    return EventTime(parsed.astimezone(UTC), int(offset.total_seconds()) // 60)
