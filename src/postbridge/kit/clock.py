"""Aware UTC datetimes everywhere; IANA zones only where local time matters (cut-offs, promises)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def utc_now() -> datetime:
    return datetime.now(UTC)


def ensure_utc(moment: datetime) -> datetime:
    """Refuse naive datetimes: a naive time in logistics is a bug waiting for a time zone."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("datetime must be timezone-aware")
    return moment.astimezone(UTC)


@lru_cache(maxsize=1024)
def time_zone(name: str) -> ZoneInfo:
    """The IANA zone, held for the life of the process. ZoneInfo's own cache keeps only the 8
    most recent zones strongly; bulk capture cycles through more (US, Brazil, Mexico ...) and
    paid a file read and parse for each eviction."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"{name!r} is not an IANA time zone") from exc
