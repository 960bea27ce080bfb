"""Plain builder functions with keyword-only overrides (Polar's random_objects style)."""

from __future__ import annotations

import copy
import uuid
from typing import Any

from postbridge.addresses import AddressInput
from postbridge.customs import CustomsItemInput, DeclarationInput
from postbridge.kit.money import Money
from postbridge.shipments.capture import ShipmentInput

SENDER_CN: dict[str, Any] = {
    "name": "Li Wei",
    "company": "Shenzhen Gadgets Co",
    "street_lines": ["No. 8 Keji Road, Nanshan"],
    "city": "Shenzhen",
    "region": "Guangdong",
    "postal_code": "518057",
    "country": "CN",
    "phone": "+86 755 8888 8888",
    "email": "ops@example.cn",
}

RECIPIENT_US: dict[str, Any] = {
    "name": "Jane Doe",
    "street_lines": ["100 Congress Ave"],
    "city": "Austin",
    "region": "Texas",
    "postal_code": "78701",
    "country": "US",
    "phone": "512-555-0100",
    "email": "jane@example.com",
}

RECIPIENT_BR: dict[str, Any] = {
    "name": "Ana Souza",
    "street_lines": ["Avenida Paulista, 1578"],
    "city": "Sao Paulo",
    "region": "SP",
    "postal_code": "01310-200",
    "country": "BR",
    "phone": "+55 11 91234-5678",
    "email": "ana@example.com.br",
    "tax_id": "529.982.247-25",
}

TSHIRT: dict[str, Any] = {
    "description": "Cotton T-shirt",
    "quantity": 2,
    "unit_value": {"amount": "9.90", "currency": "USD"},
    "hs_code": "610910",
    "origin_country": "CN",
    "unit_weight_g": 180,
}


def shipment_body(
    *,
    recipient: dict[str, Any] | None = None,
    items: list[dict[str, Any]] | None = None,
    reference: str | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "reference": reference or f"ORDER-{uuid.uuid4().hex[:8]}",
        "service": "standard",
        "incoterm": "DDU",
        "sender": copy.deepcopy(SENDER_CN),
        "recipient": copy.deepcopy(recipient if recipient is not None else RECIPIENT_US),
        "parcel": {"weight_g": 450, "length_mm": 200, "width_mm": 150, "height_mm": 50},
        "customs": {
            "category": "sale_of_goods",
            "items": copy.deepcopy(items if items is not None else [TSHIRT]),
        },
    }
    body.update(overrides)
    return body


def _address(data: dict[str, Any]) -> AddressInput:
    fields = dict(data)
    fields["street_lines"] = tuple(fields.get("street_lines", ()))
    return AddressInput(**fields)


def shipment_input(
    *, reference: str | None = None, recipient: dict[str, Any] | None = None
) -> ShipmentInput:
    body = shipment_body(reference=reference, recipient=recipient)
    items = tuple(
        CustomsItemInput(
            description=i["description"],
            quantity=i["quantity"],
            unit_value=Money.parse(i["unit_value"]["amount"], i["unit_value"]["currency"]),
            hs_code=i["hs_code"],
            origin_country=i["origin_country"],
            unit_weight_g=i["unit_weight_g"],
        )
        for i in body["customs"]["items"]
    )
    return ShipmentInput(
        reference=body["reference"],
        service=body["service"],
        incoterm=body["incoterm"],
        sender=_address(body["sender"]),
        recipient=_address(body["recipient"]),
        weight_g=body["parcel"]["weight_g"],
        length_mm=body["parcel"]["length_mm"],
        width_mm=body["parcel"]["width_mm"],
        height_mm=body["parcel"]["height_mm"],
        customs=DeclarationInput(category=body["customs"]["category"], items=items),
    )


# DDP destinations whose import charges the rules in force can estimate (rates, labels).
RECIPIENT_ES_MADRID: dict[str, Any] = {
    "name": "Lucia Fernandez",
    "street_lines": ["Calle de Alcala, 50"],
    "city": "Madrid",
    "region": "Madrid",
    "postal_code": "28014",
    "country": "ES",
    "phone": "+34 612 345 678",
    "email": "lucia@example.es",
}
RECIPIENT_MX_CDMX: dict[str, Any] = {
    "name": "Carlos Ruiz",
    "street_lines": ["Av. Paseo de la Reforma 222"],
    "city": "Ciudad de Mexico",
    "region": "CDMX",
    "postal_code": "06600",
    "country": "MX",
    "phone": "+52 55 1234 5678",
    "email": "carlos@example.mx",
}
