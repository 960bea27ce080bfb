"""The common canonical item straight to its stored row, pure: what ``canonical.parse_item``,
``normalize.build_event`` and ``normalize.fingerprint`` give for it, without building the
event, its location or its mapped code (a file import does this a million times, and those
objects cost several times the checks; the writer maps codes itself, once per code).

Only items of ``canonical._parse_clean_item``'s fast path are read here, with its checks in
the same order; every other item answers None and goes through ``parse_item``, which names
what is wrong. tests/unit/tracking/test_tracking_fast_parse.py holds the two paths equal.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import Any

from postbridge.kit.text import control_character_problem
from postbridge.tracking.canonical import FIELDS, LOCATION_LIMITS, CodeSchemes
from postbridge.tracking.normalize import format_offset

# ``EVENT_COLUMNS`` order without the received time.
EventRow = tuple[Any, ...]

_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_LOCATION_FIELDS = frozenset(LOCATION_LIMITS)
_PLACE_NAMES = ("facility", "city", "region", "postal_code", "country")
_LIMITS = tuple(LOCATION_LIMITS[name] for name in _PLACE_NAMES)


def clean_item_row(item: Any, code_schemes: CodeSchemes) -> EventRow | None:
    """The stored row of a clean item (fingerprint first), or None for ``parse_item``."""
    if type(item) is not dict or not item.keys() <= FIELDS:
        return None
    number, partner, code = item.get("tracking_number"), item.get("partner"), item.get("code")
    occurred_text, description = item.get("occurred_at"), item.get("description", "")
    description = "" if description is None else description
    place = item.get("location")
    place = {} if place is None else place
    if not (
        type(number) is str and type(partner) is str and type(code) is str
        and type(occurred_text) is str and type(description) is str and type(place) is dict
        and 0 < len(number) <= 40 and len(partner.strip()) > 0 and len(partner) <= 40
        and len(code.strip()) > 0 and len(code) <= 40 and len(description) <= 2000
        and len(occurred_text) <= 64 and place.keys() <= _LOCATION_FIELDS
    ):  # fmt: skip
        return None
    parts = [place.get(name) for name in _PLACE_NAMES]
    for part, limit in zip(parts, _LIMITS, strict=True):
        if part is not None and (type(part) is not str or len(part) > limit):
            return None
    texts = [number, partner, code, occurred_text, *(p for p in parts if p)]
    if _ANY_CONTROL.search("".join(texts)) or control_character_problem(
        description, free_text=True
    ):
        return None
    compact = "".join(number.split()).upper()
    country = parts[4]
    if not (compact.isascii() and compact.isalnum()) or (
        country is not None and not (len(country) == 2 and country.isascii() and country.isalpha())
    ):
        return None
    # normalize.parse_event_time without a zone: the written offset is required.
    stripped = occurred_text.strip()
    try:
        parsed = datetime.fromisoformat(stripped)
    except ValueError:
        return None
    offset = parsed.utcoffset()
    if offset is None:
        return None
    occurred_at = parsed.astimezone(UTC)
    zone = "UTC" if stripped.upper().endswith("Z") else format_offset(offset)
    facility, city, region = _clean(parts[0]), _clean(parts[1]), _clean(parts[2])
    postal_code, country = _clean(parts[3]), _clean(parts[4])
    postal_code = postal_code.upper() if postal_code else None
    country = country.upper() if country else None
    scheme = code_schemes(partner)  # the partner as given, as canonical asks it
    partner = partner.strip().lower()
    raw_code = code.strip()
    minute = (
        occurred_at.isoformat()[:16]
        if occurred_at.year >= 1000
        else occurred_at.strftime("%Y-%m-%dT%H:%M")  # as normalize.fingerprint writes it
    )
    identity = (
        compact, partner, raw_code.upper(), minute,
        *((p or "").casefold() for p in (facility, city, region, postal_code, country)),
    )  # fmt: skip
    key = hashlib.sha256("\x1f".join(identity).encode("utf-8")).hexdigest()[:32]
    return (
        key, compact, partner, scheme, raw_code, description, occurred_at, zone, facility, city,
        region, postal_code, country,
    )  # fmt: skip


def _clean(value: str | None) -> str | None:
    """normalize._clean."""
    if value is None:
        return None
    cleaned = " ".join(value.split())
    return cleaned or None
