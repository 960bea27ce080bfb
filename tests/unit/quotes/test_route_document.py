"""Stored route and duty documents: typed, versioned, and written back exactly as stored."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from postbridge.customs import CustomsItem, DutyEstimate, Incoterm, estimate_duties_and_taxes
from postbridge.kit.documents import DocumentError, DocumentVersionError
from postbridge.kit.money import Money
from postbridge.quotes.route_document import CapacityNote, RouteDocument
from postbridge.shipments.models import ShipmentDocument
from postbridge.shipments.repository import encode_document

# A version 1 route as databases hold it: no version field (two of its legs kept).
STORED_ROUTE: dict[str, Any] = {
    "product": "CN-US-STANDARD",
    "product_name": "China to US standard tracked (USPS delivery)",
    "service": "standard", "partner": "USPS", "partner_name": "United States Postal Service",
    "injection_point": "ORD-ISC", "office_of_exchange": "USORDA", "sort_code": "ORD-787",
    "usps_last_mile": True,
    "legs": [
        {"leg": "SZX-SC>HKG-HUB", "from": "SZX-SC", "to": "HKG-HUB", "mode": "truck",
         "operator": "cross-boundary trucking", "latest_dropoff": "2026-11-25T12:00:00Z",
         "departs": "2026-11-25T13:00:00Z", "departs_local": "2026-11-25T21:00:00+08:00",
         "departs_time_zone": "Asia/Shanghai", "arrives": "2026-11-25T16:00:00Z",
         "arrives_local": "2026-11-26T00:00:00+08:00", "arrives_time_zone": "Asia/Hong_Kong",
         "ready": "2026-11-25T21:00:00Z"},
        {"leg": "HKG-HUB>ORD-ISC", "from": "HKG-HUB", "to": "ORD-ISC", "mode": "air",
         "operator": "Cathay Cargo freighter", "latest_dropoff": "2026-11-26T15:00:00Z",
         "departs": "2026-11-26T19:00:00Z", "departs_local": "2026-11-27T03:00:00+08:00",
         "departs_time_zone": "Asia/Hong_Kong", "arrives": "2026-11-27T10:00:00Z",
         "arrives_local": "2026-11-27T04:00:00-06:00", "arrives_time_zone": "America/Chicago",
         "ready": "2026-11-28T00:37:00Z"},
    ],
    "promise": {
        "p50": "2026-12-02", "p90": "2026-12-03", "time_zone": "America/Chicago",
        "handover_p50": "2026-11-28T00:37:00Z", "handover_p90": "2026-11-29T18:15:00Z",
        "transit_days_p50": 3, "transit_days_p90": 4, "promised_by": "2026-12-06",
        "within_promise": True,
    },
    "linehaul_cost": {"amount": "1.79", "currency": "USD"},
    "network_version": "2026.11.1",
}  # fmt: skip


def test_a_stored_version_1_route_parses_and_writes_back_byte_for_byte() -> None:
    route = RouteDocument.from_json(STORED_ROUTE)

    assert encode_document(route.to_json()) == encode_document(STORED_ROUTE)
    assert "version" not in route.to_json()  # the digest of a stored route stays its name
    assert route.VERSION == 1
    assert (route.partner, route.partner_numbered, route.sort_code) == ("USPS", True, "ORD-787")
    flight = route.legs[route.first_air_leg() or 0]
    assert flight.leg == "HKG-HUB>ORD-ISC"
    assert flight.departs == datetime(2026, 11, 26, 19, 0, tzinfo=UTC)
    assert flight.arrives_local.utcoffset() == timedelta(hours=-6)
    assert route.promise.promised_by == date(2026, 12, 6)
    assert route.linehaul_cost == Money.parse("1.79", "USD")


def test_an_explicit_version_1_parses_like_none() -> None:
    assert RouteDocument.from_json({"version": 1, **STORED_ROUTE}) == RouteDocument.from_json(
        STORED_ROUTE
    )


def test_a_capacity_note_is_kept_last_and_round_trips() -> None:
    noted = RouteDocument.from_json(STORED_ROUTE).with_capacity(
        CapacityNote(departure="HKG-HUB>ORD-ISC@2026-11-27T19:00Z", at_risk=True)
    )

    stored = noted.to_json()

    assert list(stored)[-1] == "capacity"
    assert stored["capacity"] == {"departure": "HKG-HUB>ORD-ISC@2026-11-27T19:00Z", "at_risk": True}
    assert RouteDocument.from_json(stored) == noted


@pytest.mark.parametrize("version", [2, 0, "1"])
def test_an_unknown_route_version_is_refused_with_its_number(version: object) -> None:
    with pytest.raises(DocumentVersionError, match=f"route document version {version!r} is not"):
        RouteDocument.from_json({**STORED_ROUTE, "version": version})


def test_a_route_missing_a_field_is_a_document_error() -> None:
    broken = copy.deepcopy(STORED_ROUTE)
    del broken["legs"][1]["departs"]
    with pytest.raises(DocumentError, match="route leg 'HKG-HUB>ORD-ISC'"):
        RouteDocument.from_json(broken)
    with pytest.raises(DocumentError, match="sort_code"):
        RouteDocument.from_json({k: v for k, v in STORED_ROUTE.items() if k != "sort_code"})


def duty_estimate() -> DutyEstimate:
    return estimate_duties_and_taxes(
        destination_country="US",
        items=(CustomsItem("Cotton T-shirt", 2, Money("USD", 990), "610910", "CN", 180),),
        shipping_cost=Money("USD", 725),
        incoterm=Incoterm.DDU,
        on_date=date(2026, 11, 25),
        origin_country="CN",
    )


def test_a_stored_duty_estimate_round_trips_exactly() -> None:
    estimate = duty_estimate()
    stored = estimate.to_json()

    parsed = DutyEstimate.from_json(stored)

    assert parsed == estimate
    assert encode_document(parsed.to_json()) == encode_document(stored)
    assert "version" not in stored


def test_an_unknown_duties_version_is_refused() -> None:
    with pytest.raises(DocumentVersionError, match="duties document version 3 is not one"):
        DutyEstimate.from_json({**duty_estimate().to_json(), "version": 3})


def test_a_loaded_document_is_parsed_once() -> None:
    document = ShipmentDocument(digest="d" * 32, kind="route", body=STORED_ROUTE)

    first = document.parsed(RouteDocument.from_json)

    assert document.parsed(RouteDocument.from_json) is first
