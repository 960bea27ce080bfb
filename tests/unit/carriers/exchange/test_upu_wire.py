"""The UPU-style wire: the advance-data message field by field, the post's rules from its
profile, the results and the event feed (local time plus offset to UTC)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from postbridge.carriers.upu.profiles import load_profiles, parse_profile
from postbridge.carriers.upu.wire import (
    AdvanceDataSource,
    ItemResult,
    Reason,
    UpuPayloadInvalid,
    build_advance_data,
    parse_event_page,
    parse_item_results,
    parse_utc_offset,
)

PROFILES = load_profiles()
SENDER = {
    "name": "Li Wei", "company": "Shenzhen Gadgets Co", "street_lines": ["No. 8 Keji Road"],
    "city": "Shenzhen", "region": "Guangdong", "postal_code": "518057", "country": "CN",
    "phone": "+86 755 8888 8888", "email": "ops@example.cn", "tax_id": None,
    "tax_id_kind": None, "formatted_lines": ["ignored"],
}  # fmt: skip
ADDRESSEE = {
    "name": "Lucía Pérez", "company": "", "street_lines": ["Calle Mayor 1", "2º B"],
    "city": "Madrid", "region": "M", "postal_code": "28013", "country": "ES",
    "phone": "+34 600 000 000", "email": "lucia@example.es", "tax_id": None,
    "tax_id_kind": None, "formatted_lines": ["ignored"],
}  # fmt: skip
CUSTOMS = {
    "category": "sale_of_goods", "explanation": "", "declared_value": {"amount": "29.80",
    "currency": "USD"}, "net_weight_g": 400,
    "items": [
        {"description": "Cotton T-shirt", "quantity": 2, "unit_value": {"amount": "9.90",
         "currency": "USD"}, "hs_code": "610910", "origin_country": "CN", "unit_weight_g": 180},
        {"description": "Phone case", "quantity": 1, "unit_value": {"amount": "10.00",
         "currency": "USD"}, "hs_code": "392690", "origin_country": "CN", "unit_weight_g": 40},
    ],
}  # fmt: skip


def source(**changes: Any) -> AdvanceDataSource:
    values: dict[str, Any] = {
        "item_id": "LX123456785CN",
        "posting_date": datetime(2026, 12, 2, 8, 0, tzinfo=UTC),
        "origin_country": "CN", "destination_country": "ES", "mail_category": "A",
        "incoterm": "DDU", "gross_weight_g": 500, "sender": SENDER, "addressee": ADDRESSEE,
        "customs": CUSTOMS,
    }  # fmt: skip
    values.update(changes)
    return AdvanceDataSource(**values)


def test_message_is_built_field_by_field_from_the_stored_shipment() -> None:
    built = build_advance_data(source(), PROFILES["CORREOS"])

    assert built.problems == ()
    assert built.message == {
        "item_id": "LX123456785CN",
        "posting_date": "2026-12-02T08:00:00Z",
        "origin_country": "CN",
        "destination_country": "ES",
        "mail_category": "A",
        "category": "sale_of_goods",
        "incoterm": "DDU",
        "gross_weight_g": 500,
        "declared_value": {"amount": "29.80", "currency": "USD"},
        "sender": {
            "name": "Li Wei", "company": "Shenzhen Gadgets Co",
            "street_lines": ["No. 8 Keji Road"], "city": "Shenzhen", "region": "Guangdong",
            "postal_code": "518057", "country": "CN", "phone": "+86 755 8888 8888",
            "email": "ops@example.cn",
        },
        "addressee": {
            "name": "Lucía Pérez", "company": "", "street_lines": ["Calle Mayor 1", "2º B"],
            "city": "Madrid", "region": "M", "postal_code": "28013", "country": "ES",
            "phone": "+34 600 000 000", "email": "lucia@example.es",
        },
        "items": [
            {"description": "Cotton T-shirt", "hs_code": "610910", "quantity": 2,
             "value": {"amount": "19.80", "currency": "USD"}, "net_weight_g": 360,
             "origin_country": "CN"},
            {"description": "Phone case", "hs_code": "392690", "quantity": 1,
             "value": {"amount": "10.00", "currency": "USD"}, "net_weight_g": 40,
             "origin_country": "CN"},
        ],
    }  # fmt: skip
    assert orjson.loads(orjson.dumps(built.message)) == built.message  # plain JSON


def test_every_post_needs_hs_codes_and_values_above_zero() -> None:
    items = [
        {**CUSTOMS["items"][0], "hs_code": None},
        {**CUSTOMS["items"][1], "unit_value": {"amount": "0.00", "currency": "USD"}},
    ]

    built = build_advance_data(source(customs={**CUSTOMS, "items": items}), PROFILES["*"])

    assert built.problems == (
        Reason("hs_code_missing", "items[0].hs_code", "every item needs an HS code"),
        Reason("value_zero", "items[1].value", "a declared value must be above zero"),
    )


def test_the_profile_decides_required_fields_and_latin_script() -> None:
    addressee = {**ADDRESSEE, "name": "李伟", "postal_code": "", "country": "BR"}

    built = build_advance_data(source(addressee=addressee), PROFILES["CORREIOS"])

    assert built.problems == (
        Reason("postal_code_missing", "addressee.postal_code", "Correios (Brazil) requires addressee.postal_code"),
        Reason("tax_id_missing", "addressee.tax_id", "Correios (Brazil) requires addressee.tax_id"),
        Reason("addressee_name_not_latin", "addressee.name", "Correios (Brazil) requires addressee.name in Latin script"),
    )  # fmt: skip
    # The default profile asks for none of it.
    assert build_advance_data(source(addressee=addressee), PROFILES["*"]).problems == ()


def test_the_addressee_tax_id_goes_only_when_the_shipment_has_one() -> None:
    with_tax_id = {**ADDRESSEE, "tax_id": "529.982.247-25"}

    built = build_advance_data(source(addressee=with_tax_id), PROFILES["CORREIOS"])

    assert built.message["addressee"]["tax_id"] == "529.982.247-25"
    assert "tax_id" not in built.message["sender"]


def test_results_come_one_per_message_in_order() -> None:
    body = orjson.dumps(
        {"results": [
            {"item_id": "LX123456785CN", "status": "accepted"},
            {"item_id": "LX123456799CN", "status": "rejected", "reasons": [
                {"code": "hs_code_missing", "field": "items[0].hs_code",
                 "message": "every item needs an HS code"}]},
        ]}
    )  # fmt: skip

    results = parse_item_results(body, sent=["LX123456785CN", "LX123456799CN"])

    assert results == [
        ItemResult("LX123456785CN", True, ()),
        ItemResult(
            "LX123456799CN",
            False,
            (Reason("hs_code_missing", "items[0].hs_code", "every item needs an HS code"),),
        ),
    ]
    with pytest.raises(UpuPayloadInvalid, match="do not answer the items sent"):
        parse_item_results(body, sent=["LX123456799CN", "LX123456785CN"])
    with pytest.raises(UpuPayloadInvalid, match="status 'maybe'"):
        parse_item_results(b'{"results": [{"item_id": "X", "status": "maybe"}]}', sent=["X"])


def test_events_local_time_and_offset_become_utc_and_own_codes_become_upu_codes() -> None:
    profile = parse_profile(
        {"partner": "CORREOS", "name": "Correos", "event_codes": {"ES-ADM": "EMD"}}, source="t"
    )
    body = orjson.dumps(
        {"events": [
            {"event_id": "evt-1", "item_id": "LX123456785CN", "event_code": "EMC",
             "description": "Item left", "local_time": "2026-12-02T22:15:00",
             "utc_offset": "+08:00", "office": {"code": "CNSZXA", "name": "Shenzhen",
             "country": "CN", "postal_code": "518000"}, "reason_code": None},
            {"event_id": "evt-2", "item_id": "LX123456785CN", "event_code": "ES-ADM",
             "local_time": "2026-12-03T01:30:00", "utc_offset": "-03:30"},
        ], "next_cursor": "evt-2"}
    )  # fmt: skip

    page = parse_event_page(body, profile)

    assert page.next_cursor == "evt-2"
    first, second = page.events
    assert (first.occurred_at, first.utc_offset_minutes) == (
        datetime(2026, 12, 2, 14, 15, tzinfo=UTC),
        480,
    )
    assert (first.event_code, first.office_code, first.postal_code) == ("EMC", "CNSZXA", "518000")
    assert (second.event_code, second.partner_code) == ("EMD", "ES-ADM")
    assert (second.occurred_at, second.utc_offset_minutes) == (
        datetime(2026, 12, 3, 5, 0, tzinfo=UTC),
        -210,
    )


@pytest.mark.parametrize("bad", ["08:00", "+8", "+15:00", "+08:0"])
def test_offsets_that_are_not_hh_mm_are_refused(bad: str) -> None:
    with pytest.raises(UpuPayloadInvalid):
        parse_utc_offset(bad)


def test_a_local_time_that_carries_its_own_offset_is_refused() -> None:
    body = orjson.dumps(
        {"events": [{"event_id": "e", "item_id": "X", "event_code": "EMA",
                     "local_time": "2026-12-02T22:15:00+08:00", "utc_offset": "+08:00"}]}
    )  # fmt: skip
    with pytest.raises(UpuPayloadInvalid, match="carries an offset"):
        parse_event_page(body, PROFILES["*"])
