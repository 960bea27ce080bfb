"""The shared fixtures as the platform holds them: the peer's unified shipment (kg, cm) becomes
platform fields (grams, millimetres, a NormalizedAddress) before any USPS builder sees it.

Also used by ``bench/partners.py``, so the benchmark and the contract tests build from the same
inputs."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from postbridge.addresses.model import NormalizedAddress
from postbridge.carriers.usps.wire import DomesticLabelShipment, MailClass

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "usps"

# The unified options of the fixture, as USPS extra service codes (labels.yaml ExtraService).
_EXTRA_SERVICES = {"signature_confirmation": 921}
_MAIL_CLASSES = {"usps_ground_advantage": MailClass.USPS_GROUND_ADVANTAGE}


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def fixture_json(name: str) -> Any:
    return json.loads(fixture_bytes(name))


def platform_address(unified: dict[str, Any]) -> NormalizedAddress:
    lines = tuple(unified[key] for key in ("address_line1", "address_line2") if unified.get(key))
    return NormalizedAddress(
        name=unified.get("person_name", ""),
        company=unified.get("company_name", ""),
        street_lines=lines,
        city=unified["city"],
        region=unified["state_code"],
        postal_code=unified["postal_code"],
        country=unified["country_code"],
        phone=unified.get("phone_number", ""),
        email=unified.get("email", ""),
        tax_id="",
        tax_id_kind=None,
        formatted_lines=(),
    )


def _grams(value: float, unit: str) -> int:
    assert unit == "KG"
    return int(Decimal(str(value)) * 1000)


def _millimetres(value: float, unit: str) -> int:
    assert unit == "CM"
    return int(Decimal(str(value)) * 10)


def domestic_label_shipment(unified: dict[str, Any]) -> DomesticLabelShipment:
    (parcel,) = unified["parcels"]
    options = unified.get("options", {})
    return DomesticLabelShipment(
        recipient=platform_address(unified["recipient"]),
        mailed_from=platform_address(unified["shipper"]),
        weight_g=_grams(parcel["weight"], parcel["weight_unit"]),
        length_mm=_millimetres(parcel["length"], parcel["dimension_unit"]),
        width_mm=_millimetres(parcel["width"], parcel["dimension_unit"]),
        height_mm=_millimetres(parcel["height"], parcel["dimension_unit"]),
        mail_class=_MAIL_CLASSES[unified["service"]],
        mailing_date=date.fromisoformat(options["shipment_date"]),
        reference=unified["reference"],
        extra_services=tuple(code for name, code in _EXTRA_SERVICES.items() if options.get(name)),
        image_type=unified.get("label_type", "PDF"),
    )


def fixture_label_shipment() -> DomesticLabelShipment:
    return domestic_label_shipment(fixture_json("shipment_request_domestic.json"))
