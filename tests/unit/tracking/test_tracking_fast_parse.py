"""``fast_parse.clean_item_row`` gives exactly the row of ``canonical.parse_item`` plus
``normalize.fingerprint`` for every item it reads, and leaves every other item to them."""

from __future__ import annotations

from typing import Any

import pytest

from postbridge.bootstrap import partner_registry
from postbridge.tracking.canonical import parse_item
from postbridge.tracking.fast_parse import clean_item_row
from postbridge.tracking.normalize import fingerprint

SCHEMES = partner_registry().code_scheme
BASE: dict[str, Any] = {
    "tracking_number": "LX123456785CN",
    "partner": "chinapost",
    "code": "EMA",
    "description": "Posting",
    "occurred_at": "2026-05-01T08:00:00+08:00",
    "location": {"city": "Shenzhen", "country": "CN"},
}


def slow_row(item: dict[str, Any]) -> tuple[Any, ...]:
    event = parse_item(item, 1, SCHEMES)
    assert not isinstance(event, list), event
    place = event.location
    return (
        fingerprint(event), event.tracking_number, event.partner, event.code_scheme,
        event.raw_code, event.raw_text, event.occurred_at, event.occurred_zone, place.facility,
        place.city, place.region, place.postal_code, place.country,
    )  # fmt: skip


VARIANTS: list[dict[str, Any]] = [
    {},
    {"tracking_number": " lx 123 456 785 cn "},
    {"partner": "  ChinaPost ", "code": " ema "},
    {"partner": "USPS", "code": "01", "tracking_number": "9400111899223033005289"},
    {"occurred_at": "2026-05-01T08:00:59Z"},
    {"occurred_at": "2026-05-01T08:00:59.123456-05:30"},
    {"occurred_at": "2026-05-01T08:00-00:00"},
    {"occurred_at": " 2026-03-08T02:30:00+00:00 "},
    {"description": None},
    {"description": "tab\tand\nline\r\\back"},
    {"description": "Zustellung erfolgt — 已签收"},
    {"location": None},
    {"location": {}},
    {
        "location": {
            "facility": "  Hub   7 ",
            "city": "  los  angeles",
            "region": "ca",
            "postal_code": " 90001 - 12 ",
            "country": "us",
        }
    },  # fmt: skip
    {"location": {"city": "São Paulo", "country": "BR"}},
    {"location": {"city": "STRASSE ß", "facility": ""}},
    {"location": {"city": None, "country": None}},
]


@pytest.mark.parametrize("change", VARIANTS)
def test_a_clean_item_gives_the_row_of_the_full_parse(change: dict[str, Any]) -> None:
    item = {**BASE, **change}
    assert clean_item_row(item, SCHEMES) == slow_row(item)


REFUSED: list[Any] = [
    [],
    "text",
    {**BASE, "extra": 1},
    {**BASE, "tracking_number": 12},
    {**BASE, "tracking_number": "LX-1"},
    {**BASE, "partner": "   "},
    {**BASE, "code": "E\x01A"},
    {**BASE, "description": "bell\x07"},
    {**BASE, "occurred_at": "2026-05-01 10:00"},
    {**BASE, "occurred_at": "2026-02-30T10:00:00+00:00"},
    {**BASE, "occurred_at": "2026-05-01T08:00:00z"},
    {**BASE, "location": {"country": "USA"}},
    {**BASE, "location": {"planet": "Mars"}},
    {**BASE, "location": {"city": 5}},
    {**BASE, "location": "Shenzhen"},
]


@pytest.mark.parametrize("item", REFUSED)
def test_any_other_item_is_left_to_the_full_parse(item: Any) -> None:
    assert clean_item_row(item, SCHEMES) is None
