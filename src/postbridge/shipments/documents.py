"""What a shipment row stores: its addresses and customs declaration as JSON documents, and the
column values of a new shipment (single and bulk booking build the same row), with its route
and duty estimate as the JSON of their typed documents."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from postbridge.addresses import NormalizedAddress
from postbridge.kit.ids import new_id
from postbridge.shipments.capture import ValidShipment
from postbridge.shipments.lifecycle import ShipmentStatus
from postbridge.shipments.pricing import Priced


def address_document(address: NormalizedAddress) -> dict[str, Any]:
    return {
        "name": address.name,
        "company": address.company,
        "street_lines": list(address.street_lines),
        "city": address.city,
        "region": address.region,
        "postal_code": address.postal_code,
        "country": address.country,
        "phone": address.phone,
        "email": address.email,
        "tax_id": address.tax_id,
        "tax_id_kind": address.tax_id_kind.value if address.tax_id_kind else None,
        "formatted_lines": list(address.formatted_lines),
        "phone_extension": address.phone_extension,
        "warnings": [warning.to_json() for warning in address.warnings],
    }


def customs_document(valid: ValidShipment) -> dict[str, Any]:
    declaration = valid.declaration
    declared = declaration.declared_value
    return {
        "category": declaration.category.value,
        "explanation": declaration.explanation,
        "declared_value": declared.to_json() if declared else None,
        "net_weight_g": declaration.net_weight_g,
        "items": [
            {
                "description": item.description,
                "quantity": item.quantity,
                "unit_value": item.unit_value.to_json(),
                "hs_code": item.hs_code,
                "origin_country": item.origin_country,
                "unit_weight_g": item.unit_weight_g,
            }
            for item in declaration.items
        ],
    }


def shipment_row(
    valid: ValidShipment,
    priced: Priced,
    *,
    merchant_id: str,
    tracking_number: str,
    booked_at: datetime,
    partner_tracking_number: str | None = None,
    batch_id: str | None = None,
    batch_row: int | None = None,
) -> dict[str, Any]:
    """The column values of one new shipment, ready for a bulk insert."""
    planned = priced.planned
    return {
        "id": new_id("shp"),
        "merchant_id": merchant_id,
        "reference": valid.reference,
        "status": ShipmentStatus.BOOKED.value,
        "service": valid.service,
        "incoterm": valid.incoterm,
        "tracking_number": tracking_number,
        "partner_tracking_number": partner_tracking_number,
        "origin_country": valid.sender.country,
        "destination_country": valid.recipient.country,
        "destination_postal_code": valid.recipient.postal_code,
        "sender": address_document(valid.sender),
        "recipient": address_document(valid.recipient),
        "weight_g": valid.weight_g,
        "length_mm": valid.length_mm,
        "width_mm": valid.width_mm,
        "height_mm": valid.height_mm,
        "customs": customs_document(valid),
        "customs_form": valid.form.value,
        "duties": priced.duties.to_json(),
        "product": planned.product if planned else None,
        "partner": planned.partner if planned else None,
        "route": planned.route.to_json() if planned else None,
        "price_minor": planned.price.minor if planned else None,
        "price_currency": planned.price.currency if planned else None,
        "promised_p50": planned.promise_p50 if planned else None,
        "promised_p90": planned.promise_p90 if planned else None,
        "batch_id": batch_id,
        "batch_row": batch_row,
        "created_at": booked_at,
        "updated_at": booked_at,
    }
