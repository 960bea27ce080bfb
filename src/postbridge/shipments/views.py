"""Translate between the API shapes and the shipment context's own values."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Row

from postbridge.addresses import AddressInput
from postbridge.customs import CustomsItemInput, DeclarationInput, DutyEstimate
from postbridge.errors import InvalidInput
from postbridge.kit.memo import MISSING, Memo
from postbridge.kit.money import Money, MoneyError
from postbridge.quotes.route_document import RouteDocument
from postbridge.shipments.capture import ShipmentInput
from postbridge.shipments.models import Shipment
from postbridge.shipments.schemas import AddressIn, ShipmentCreate

PUBLIC_ADDRESS_FIELDS = (
    "name", "company", "street_lines", "city", "region", "postal_code", "country", "phone",
    "phone_extension", "email", "tax_id_kind", "formatted_lines", "warnings",
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
    try:  # two per item of a list page: the common case without a default per field
        return {field: document[field] for field in PUBLIC_ADDRESS_FIELDS}
    except KeyError:
        # Addresses stored before phone_extension and warnings existed have neither.
        defaults: dict[str, Any] = {"phone_extension": "", "warnings": []}
        return {field: document.get(field, defaults.get(field)) for field in PUBLIC_ADDRESS_FIELDS}


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


# --- The read model straight from rows (issue 16) --------------------------------------------
# GET /v1/shipments and GET /v1/shipments/{id} are the API's hottest reads. They loaded ORM
# objects with both shared documents joined, rebuilt each as a dict, and FastAPI validated that
# dict against ShipmentRead and serialised it again (profiled: ORM loading ~30 %, pydantic
# validation and serialisation ~22 % of a 20-item page's CPU). Nothing here is re-validated:
# every value was validated when the shipment was written. A Core row becomes ShipmentRead's
# JSON directly, in its field order and with pydantic's formats (UTC datetimes with "Z"),
# by orjson; tests/integration/test_shipment_views.py checks the bytes equal the pydantic
# path's on real shipments. The route and duty documents are immutable and named by their
# digest, so their rendered JSON is kept per digest as an orjson.Fragment (embedded as is):
# a page renders each distinct document once per process, not once per row, and rows carry
# the digests only, not the documents' text.

DOCUMENT_VIEWS_LIMIT = 4096  # distinct routes and estimates kept rendered (a few kB each)
_rendered: Memo[str, orjson.Fragment] = Memo(DOCUMENT_VIEWS_LIMIT)
JSON_OPTIONS = orjson.OPT_UTC_Z  # pydantic writes UTC as "Z"; orjson's default is "+00:00"


def document_views(
    rows: Iterable[Row[Any]], load: Callable[[set[str]], Mapping[str, tuple[str, Any]]]
) -> dict[str, orjson.Fragment]:
    """The rendered route and duty documents of ``rows`` by digest: from the memo, the others
    through ``load`` (digests -> (kind, body); one query) and remembered."""
    views: dict[str, orjson.Fragment] = {}
    missing: set[str] = set()
    for row in rows:
        for digest in (row.duties_digest, row.route_digest):
            if digest is not None and digest not in views:
                found = _rendered.get(digest)
                if found is MISSING:
                    missing.add(digest)
                else:
                    views[digest] = found
    if missing:
        for digest, (kind, body) in load(missing).items():
            views[digest] = _rendered.put(digest, _render_document(kind, body))
    return views


def _render_document(kind: str, body: Any) -> orjson.Fragment:
    if kind == "route":
        view = RouteDocument.from_json(body).to_json()
    else:
        view = duties_view(DutyEstimate.from_json(body))
    return orjson.Fragment(orjson.dumps(view))


def advance_data_json(block: dict[str, Any] | None) -> dict[str, Any] | None:
    """The advance-data block in AdvanceDataOut's field order (reasons as AdvanceDataReason)."""
    if block is None:
        return None
    return {
        "status": block["status"],
        "partner": block["partner"],
        "checked_by": block["checked_by"],
        "reasons": [
            {"code": r["code"], "field": r["field"], "message": r["message"]}
            for r in block["reasons"]
        ],
        "sent_at": block["sent_at"],
        "answered_at": block["answered_at"],
    }


def shipment_json(
    row: Row[Any],
    documents: Mapping[str, orjson.Fragment],
    *,
    advance_data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """``shipment_read`` of a READ_COLUMNS row, ready for ``dumps`` (ShipmentRead's order);
    ``documents``: ``document_views`` of its rows."""
    price = None
    if row.price_minor is not None and row.price_currency:
        price = Money(row.price_currency, row.price_minor).to_json()
    promise = None
    if row.promised_p50 and row.promised_p90:
        promise = {"p50": row.promised_p50, "p90": row.promised_p90}
    return {
        "id": row.id,
        "reference": row.reference,
        "status": row.status,
        "service": row.service,
        "incoterm": row.incoterm,
        "tracking_number": row.tracking_number,
        "partner_tracking_number": row.partner_tracking_number,
        "sender": public_address(row.sender),
        "recipient": public_address(row.recipient),
        "parcel": {
            "weight_g": row.weight_g,
            "length_mm": row.length_mm,
            "width_mm": row.width_mm,
            "height_mm": row.height_mm,
        },
        "customs": row.customs,
        "customs_form": row.customs_form,
        "duties": documents[row.duties_digest],
        "product": row.product,
        "partner": row.partner,
        "price": price,
        "promise": promise,
        "route": None if row.route_digest is None else documents[row.route_digest],
        "advance_data": advance_data_json(advance_data),
        "created_at": row.created_at,
    }


def dumps(document: Any) -> bytes:
    """JSON as FastAPI's pydantic serialisation writes the same values."""
    return orjson.dumps(document, option=JSON_OPTIONS)
