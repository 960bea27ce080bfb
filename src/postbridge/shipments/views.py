"""Translate between the API shapes and the shipment context's own values."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from postbridge.addresses import AddressInput
from postbridge.customs import CustomsItemInput, DeclarationInput, DutyEstimate
from postbridge.errors import InvalidInput
from postbridge.kit.money import Money, MoneyError
from postbridge.shipments.capture import ShipmentInput
from postbridge.shipments.models import Shipment
from postbridge.shipments.schemas import AddressIn, ShipmentCreate

PUBLIC_ADDRESS_FIELDS = (
    "name", "company", "street_lines", "city", "region", "postal_code", "country", "phone",
    "email", "tax_id_kind", "formatted_lines",
)  # fmt: skip


def _address(address: AddressIn) -> AddressInput:
    return AddressInput(
        name=address.name,
        company=address.company,
        street_lines=tuple(address.street_lines),
        city=address.city,
        region=address.region,
        postal_code=address.postal_code,
        country=address.country,
        phone=address.phone,
        email=address.email,
        tax_id=address.tax_id,
    )


def shipment_input(body: ShipmentCreate) -> ShipmentInput:
    items = []
    for index, item in enumerate(body.customs.items):
        try:
            unit_value = item.unit_value.to_money()
        except MoneyError as exc:
            raise InvalidInput.for_field(
                f"customs.items[{index}].unit_value.amount", str(exc)
            ) from exc
        items.append(
            CustomsItemInput(
                description=item.description,
                quantity=item.quantity,
                unit_value=unit_value,
                hs_code=item.hs_code,
                origin_country=item.origin_country,
                unit_weight_g=item.unit_weight_g,
            )
        )
    return ShipmentInput(
        reference=body.reference,
        service=body.service,
        incoterm=body.incoterm,
        sender=_address(body.sender),
        recipient=_address(body.recipient),
        weight_g=body.parcel.weight_g,
        length_mm=body.parcel.length_mm,
        width_mm=body.parcel.width_mm,
        height_mm=body.parcel.height_mm,
        customs=DeclarationInput(
            category=body.customs.category,
            items=tuple(items),
            explanation=body.customs.explanation,
        ),
    )


def public_address(document: dict[str, Any]) -> dict[str, Any]:
    """The stored address minus the tax id itself (personal data the API never echoes)."""
    return {field: document.get(field) for field in PUBLIC_ADDRESS_FIELDS}


def duties_view(estimate: DutyEstimate) -> dict[str, Any]:
    """The part of the stored estimate the API shows."""
    return {
        "payer": estimate.payer.value,
        "status": estimate.status.value,
        "duties": estimate.duties.to_json(),
        "taxes": estimate.taxes.to_json(),
        "fees": estimate.fees.to_json(),
        "total": estimate.total.to_json(),
        "due_on_delivery": estimate.due_on_delivery.to_json(),
        "landed_cost": estimate.landed_cost.to_json(),
        "lines": [line.to_json() for line in estimate.lines],
        "rules": [rule.to_json() for rule in estimate.rules],
        "note": estimate.note,
    }


def shipment_read(
    shipment: Shipment, *, advance_data: dict[str, Any] | None = None
) -> dict[str, Any]:
    """``advance_data``: the hand-over's block (``handover.advance_data.advance_data_view``)."""
    price = None
    if shipment.price_minor is not None and shipment.price_currency:
        price = Money(shipment.price_currency, shipment.price_minor).to_json()
    promise = None
    if shipment.promised_p50 and shipment.promised_p90:
        promise = {"p50": shipment.promised_p50, "p90": shipment.promised_p90}
    route = shipment.route
    return {
        "id": shipment.id,
        "reference": shipment.reference,
        "status": shipment.status,
        "service": shipment.service,
        "incoterm": shipment.incoterm,
        "tracking_number": shipment.tracking_number,
        "partner_tracking_number": shipment.partner_tracking_number,
        "sender": public_address(shipment.sender),
        "recipient": public_address(shipment.recipient),
        "parcel": {
            "weight_g": shipment.weight_g,
            "length_mm": shipment.length_mm,
            "width_mm": shipment.width_mm,
            "height_mm": shipment.height_mm,
        },
        "customs": shipment.customs,
        "customs_form": shipment.customs_form,
        "duties": duties_view(shipment.duties),
        "product": shipment.product,
        "partner": shipment.partner,
        "price": price,
        "promise": promise,
        "route": None if route is None else route.to_json(),
        "advance_data": advance_data,
        "created_at": shipment.created_at,
    }


def encode_cursor(created_at: datetime, shipment_id: str) -> str:
    raw = f"{created_at.isoformat()}|{shipment_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created, shipment_id = base64.urlsafe_b64decode(padded).decode().split("|", 1)
        return datetime.fromisoformat(created), shipment_id
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput.for_field("cursor", "not a cursor this API returned") from exc
