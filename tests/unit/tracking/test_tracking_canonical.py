"""The canonical event format: the fast path and the field-by-field check agree, and every
problem names its item and field."""

from __future__ import annotations

from typing import Any

import pytest

from postbridge.bootstrap import partner_registry
from postbridge.tracking.canonical import (
    ItemProblem,
    _parse_checking_each_field,
    api_field_path,
    decode_body,
    parse_item,
    parse_items,
)
from postbridge.tracking.model import Location, TrackingStatus

CODE_SCHEMES = partner_registry().code_scheme


def good(**overrides: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "tracking_number": "lx 1234 5678 5cn", "partner": "USPS", "code": " 01 ",
        "description": "Delivered, In/At Mailbox\n", "occurred_at": "2026-05-01T14:05:09-05:00",
        "location": {"facility": " AUSTIN  TX ", "city": "Austin", "region": "TX",
                     "postal_code": "78701", "country": "us"},
    }  # fmt: skip
    item.update(overrides)
    return item


def test_a_clean_item_reads_the_same_on_both_paths() -> None:
    fast = parse_item(good(), 0, CODE_SCHEMES)
    checked = _parse_checking_each_field(good(), 0, CODE_SCHEMES)
    assert fast == checked
    assert not isinstance(fast, list)
    assert (fast.tracking_number, fast.partner, fast.code_scheme, fast.raw_code) == (
        "LX123456785CN", "usps", "usps", "01",
    )  # fmt: skip
    assert (fast.status, fast.occurred_at.isoformat(), fast.occurred_zone) == (
        TrackingStatus.DELIVERED, "2026-05-01T19:05:09+00:00", "-05:00",
    )  # fmt: skip
    assert fast.location == Location("AUSTIN TX", "Austin", "TX", "78701", "US")


def test_description_and_location_are_optional() -> None:
    item = {k: v for k, v in good().items() if k not in ("description", "location")}
    event = parse_item(item, 0, CODE_SCHEMES)
    assert not isinstance(event, list)
    assert (event.raw_text, event.location) == ("", Location())


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"occurred_at": "2026-05-01T08:00:00"}, [("occurred_at", "invalid_time")]),
        ({"occurred_at": 17}, [("occurred_at", "string_type")]),
        ({"tracking_number": "LX-1"}, [("tracking_number", "invalid_tracking_number")]),
        ({"partner": " "}, [("partner", "blank")]),
        ({"code": None}, [("code", "missing")]),
        ({"description": 0}, [("description", "string_type")]),
        ({"description": "a\x00b"}, [("description", "control_character")]),
        ({"colour": "red"}, [("colour", "extra_forbidden")]),
        ({"location": {"country": "U1"}}, [("location.country", "invalid_country")]),
        ({"location": {"country": "USA"}}, [("location.country", "string_too_long")]),
        ({"location": {"town": "Austin"}}, [("location.town", "extra_forbidden")]),
        ({"location": "Austin"}, [("location", "type_error")]),
    ],
)
def test_each_problem_names_its_field(
    overrides: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    problems = parse_item(good(**overrides), 3, CODE_SCHEMES)
    assert isinstance(problems, list)
    assert [(p.index, p.field, p.code) for p in problems] == [(3, f, c) for f, c in expected]


def test_parse_items_reports_problems_with_their_paths() -> None:
    events, problems = parse_items([good(), good(occurred_at="yesterday"), "x"], CODE_SCHEMES)
    assert len(events) == 1
    assert [api_field_path(p) for p in problems] == ["[1].occurred_at", "[2]"]


def test_bodies_decode_as_an_array_or_json_lines() -> None:
    assert decode_body(b'[{"a": 1}]', "application/json") == ([{"a": 1}], [])
    assert decode_body(b'{"a": 1}\n\n{"b": 2}\n', "application/x-ndjson; charset=utf-8") == (
        [{"a": 1}, {"b": 2}], [],
    )  # fmt: skip
    items, problems = decode_body(b'{"a": 1}\n{"b": \n', "application/x-ndjson")
    assert (len(items), [(p.index, p.code) for p in problems]) == (2, [(1, "malformed_json")])
    assert decode_body(b'{"a": 1}', "application/json")[1] == [
        ItemProblem(-1, "", "expected a JSON array of events", "type_error")
    ]


def test_partners_pick_their_code_scheme_from_the_partner_seam() -> None:
    assert [CODE_SCHEMES(p) for p in ("USPS", " usps ", "CORREOS", "chinapost")] == [
        "usps", "usps", "upu", "upu",
    ]  # fmt: skip
