"""The canonical event format (``POST /v1/tracking-events``, ``postbridge tracking import``):
decoded JSON items checked field by field and turned into ``TrackingEvent``s. Pure.

An item is ``{"tracking_number", "partner", "code", "description", "occurred_at",
"location": {"facility", "city", "region", "postal_code", "country"}}``; ``occurred_at`` must
carry its UTC offset (the canonical format has no zone field to read local time with), and
unknown fields are errors, as everywhere in the API, so a misspelt field is not silently lost.

Checked by hand rather than through pydantic: a file import runs this a million times, and a
hand check costs a fraction of a model validation per item. Problems carry the item's index
and the field, and callers spell the path their way (``[3].occurred_at`` in the API,
``line 4: occurred_at`` in the CLI).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from postbridge.kit.text import control_character_problem
from postbridge.tracking.errors import InvalidEventTime
from postbridge.tracking.model import Location, TrackingEvent
from postbridge.tracking.normalize import build_event, parse_event_time

FIELDS = frozenset({"tracking_number", "partner", "code", "description", "occurred_at", "location"})
LOCATION_LIMITS = {"facility": 100, "city": 100, "region": 100, "postal_code": 20, "country": 2}
LIMITS = {"tracking_number": 40, "partner": 40, "code": 40, "description": 2000, "occurred_at": 64}


@dataclass(frozen=True, slots=True)
class ItemProblem:
    index: int  # position of the item in the request (0-based) or line number in a file
    field: str  # "occurred_at", "location.country", or "" for the item itself
    message: str
    code: str = "invalid"


class _Problems:
    def __init__(self, index: int) -> None:
        self.index = index
        self.found: list[ItemProblem] = []

    def add(self, field: str, message: str, code: str = "invalid") -> None:
        self.found.append(ItemProblem(self.index, field, message, code))


_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_LOCATION_FIELDS = frozenset(LOCATION_LIMITS)


# Which code table reads a partner's events: the partner seam answers
# (``PartnerRegistry.code_scheme``); tracking itself knows no partner.
CodeSchemes = Callable[[str], str]


def parse_item(
    item: Any, index: int, code_schemes: CodeSchemes
) -> TrackingEvent | list[ItemProblem]:
    """The event of one decoded item, or every problem it has."""
    fast = _parse_clean_item(item, code_schemes)
    return fast if fast is not None else _parse_checking_each_field(item, index, code_schemes)


def _parse_clean_item(item: Any, code_schemes: CodeSchemes) -> TrackingEvent | None:
    """The common case in one pass: every field a short string without control characters
    (one regex over all of them). None sends the item through the field-by-field check,
    which names what is wrong."""
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
    parts = [place.get(name) for name in ("facility", "city", "region", "postal_code", "country")]
    for part, limit in zip(parts, LOCATION_LIMITS.values(), strict=True):
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
    try:
        occurred = parse_event_time(occurred_text)
    except InvalidEventTime:
        return None
    return build_event(
        tracking_number=compact,
        partner=partner,
        code_scheme=code_schemes(partner),
        code=code,
        text=description,
        occurred=occurred,
        location=Location(*parts),
    )


def _parse_checking_each_field(
    item: Any, index: int, code_schemes: CodeSchemes
) -> TrackingEvent | list[ItemProblem]:
    problems = _Problems(index)
    if not isinstance(item, dict):
        problems.add("", "expected an object", "type_error")
        return problems.found
    for name in sorted(set(item) - FIELDS):
        problems.add(name, "unknown field", "extra_forbidden")
    number = _text(item, "tracking_number", problems, required=True)
    compact = "".join(number.split()).upper() if number else ""
    if number and not (compact.isascii() and compact.isalnum()):
        problems.add("tracking_number", "must be letters and digits", "invalid_tracking_number")
    partner = _text(item, "partner", problems, required=True)
    code = _text(item, "code", problems, required=True)
    description = _text(item, "description", problems, required=False, free_text=True)
    location = _location(item.get("location"), problems)
    occurred_text = _text(item, "occurred_at", problems, required=True)
    occurred = None
    if occurred_text:
        try:
            occurred = parse_event_time(occurred_text)
        except InvalidEventTime:
            problems.add(
                "occurred_at",
                "expected an ISO 8601 date-time with a UTC offset, e.g. 2026-05-01T08:00:00+08:00",
                "invalid_time",
            )
    if problems.found or occurred is None or partner is None or code is None:
        return problems.found
    return build_event(
        tracking_number=compact,
        partner=partner,
        code_scheme=code_schemes(partner),
        code=code,
        text=description or "",
        occurred=occurred,
        location=location,
    )


def parse_items(
    items: list[Any], code_schemes: CodeSchemes, *, first_index: int = 0, max_problems: int = 100
) -> tuple[list[TrackingEvent], list[ItemProblem]]:
    """Every item's event, or the first ``max_problems`` problems (then no events matter)."""
    events: list[TrackingEvent] = []
    problems: list[ItemProblem] = []
    for offset, item in enumerate(items):
        parsed = parse_item(item, first_index + offset, code_schemes)
        if isinstance(parsed, list):
            problems.extend(parsed)
            if len(problems) >= max_problems:
                break
        else:
            events.append(parsed)
    return events, problems[:max_problems]


def _text(
    item: dict[str, Any],
    name: str,
    problems: _Problems,
    *,
    required: bool,
    free_text: bool = False,
    limits: dict[str, int] = LIMITS,
    prefix: str = "",
) -> str | None:
    value = item.get(name)
    field = prefix + name
    if value is None:
        if required:
            problems.add(field, "required", "missing")
        return None
    if not isinstance(value, str):
        problems.add(field, "expected a string", "string_type")
        return None
    if required and not value.strip():
        problems.add(field, "must not be blank", "blank")
        return None
    if len(value) > limits[name]:
        problems.add(field, f"at most {limits[name]} characters", "string_too_long")
        return None
    control = control_character_problem(value, free_text=free_text)
    if control is not None:
        problems.add(field, control, "control_character")
        return None
    return value


def _location(value: Any, problems: _Problems) -> Location:
    if value is None:
        return Location()
    if not isinstance(value, dict):
        problems.add("location", "expected an object", "type_error")
        return Location()
    for name in sorted(set(value) - set(LOCATION_LIMITS)):
        problems.add(f"location.{name}", "unknown field", "extra_forbidden")
    read: Callable[[str], str | None] = lambda name: _text(  # noqa: E731
        value, name, problems, required=False, limits=LOCATION_LIMITS, prefix="location."
    )
    country = read("country")
    if country is not None and not (len(country) == 2 and country.isascii() and country.isalpha()):
        problems.add("location.country", "expected an ISO 3166-1 alpha-2 code", "invalid_country")
    return Location(
        facility=read("facility"),
        city=read("city"),
        region=read("region"),
        postal_code=read("postal_code"),
        country=country,
    )


MAX_REQUEST_EVENTS = 100_000
NDJSON = "application/x-ndjson"
JSON_LINES_TYPES = frozenset(
    {NDJSON, "application/jsonl", "application/jsonlines", "application/x-jsonlines"}
)


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _int_or_inf(text: str) -> Any:
    # Past Python's digit limit an integer is out of every range anyway: as 1E999990 is.
    limit = sys.get_int_max_str_digits()
    return float("inf") if limit and len(text.lstrip("-")) > limit else int(text)


def _loads(text: bytes) -> Any:
    """orjson, or the standard library for the JSON orjson refuses past its number range
    (``1E999990``, integers past 64 bits): such an item is then refused naming its field."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        try:
            return json.loads(text, parse_int=_int_or_inf, parse_constant=_not_json)
        except ValueError:
            raise exc from None


def decode_body(body: bytes, content_type: str) -> tuple[list[Any], list[ItemProblem]]:
    """The items of a request body and its syntax problems: a JSON array, or JSON Lines when
    ``content_type`` says ``application/x-ndjson`` (or one of the other JSON Lines names;
    blank lines skipped; an item's index is its position among the items). Index -1 is a
    problem of the body as a whole."""
    if content_type.split(";")[0].strip().lower() in JSON_LINES_TYPES:
        items: list[Any] = []
        problems: list[ItemProblem] = []
        for line in body.splitlines():
            if not line.strip():
                continue
            try:
                items.append(_loads(line))
            except orjson.JSONDecodeError as exc:
                problems.append(
                    ItemProblem(len(items), "", f"malformed JSON: {exc}", "malformed_json")
                )
                items.append(None)
        return items, problems
    try:
        decoded = _loads(body)
    except orjson.JSONDecodeError as exc:
        return [], [ItemProblem(-1, "", f"malformed JSON: {exc}", "malformed_json")]
    if not isinstance(decoded, list):
        return [], [ItemProblem(-1, "", "expected a JSON array of events", "type_error")]
    return decoded, []


def api_field_path(problem: ItemProblem) -> str:
    """``[3].occurred_at``, ``[3]`` for the item itself, ``body`` for the whole body."""
    if problem.index < 0:
        return "body"
    return f"[{problem.index}]" + (f".{problem.field}" if problem.field else "")
