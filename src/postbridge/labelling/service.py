"""Labels for booked shipments: build LabelData from the stored shipment, render, and record
that the label exists (booked -> label_created, with a ``shipment.label_created`` event)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from postbridge.addresses import requirement_for
from postbridge.carriers import PartnerRegistry
from postbridge.errors import InvalidInput, NotFound
from postbridge.kit.clock import utc_now
from postbridge.kit.money import Money
from postbridge.kit.terms import Incoterm
from postbridge.labels import (
    CustomsCategory,
    CustomsDeclaration,
    CustomsFormType,
    CustomsItem,
    LabelData,
    Party,
    render_pdf,
    render_png,
    render_zpl,
)
from postbridge.labels.addressing import AddressLine, label_address, printed_phone, printed_tax_id
from postbridge.shipments.events import LabelCreated
from postbridge.shipments.lifecycle import ShipmentStatus
from postbridge.shipments.models import Shipment
from postbridge.shipments.repository import ShipmentRepository
from postbridge.storage.unit_of_work import Database

MAX_LABELS_PER_REQUEST = 1000


class LabelFormat(StrEnum):
    PDF = "pdf"
    ZPL = "zpl"
    PNG = "png"


MEDIA_TYPES = {
    LabelFormat.PDF: "application/pdf",
    LabelFormat.ZPL: "application/x-zpl",  # Zebra print stream, sent raw to port 9100
    LabelFormat.PNG: "image/png",
}


@dataclass(frozen=True, slots=True)
class RenderedLabels:
    content: bytes
    media_type: str
    file_name: str
    shipment_ids: tuple[str, ...]


def label_data(shipment: Shipment, partners: PartnerRegistry) -> LabelData:
    sender = shipment.sender
    recipient = shipment.recipient
    route = shipment.route
    partner_barcode = None
    if shipment.partner_tracking_number and shipment.partner:
        partner_barcode = partners.label_barcode(
            shipment.partner, shipment.partner_tracking_number, postal_code=recipient["postal_code"]
        )
    return LabelData(
        tracking_number=shipment.tracking_number,
        sender=Party(
            name=sender["name"] or sender["company"],
            company=(sender["company"] or None) if sender["name"] else None,
            # The label prints name and company itself; these are the lines below them.
            lines=tuple(line.text for line in _address_lines(sender)[len(_head(sender)) :]),
            phone=_phone(sender),
        ),
        recipient_lines=tuple(line.text for line in _address_lines(recipient)),
        recipient_phone=_phone(recipient),
        recipient_tax_id=_tax_id(recipient),
        destination_country=shipment.destination_country,
        # Without a planned route (no planner configured), what the shipment itself knows.
        product_name=(route.product_name if route else None) or shipment.service.title(),
        partner=(route.partner_name if route else None) or shipment.partner or "Destination post",
        office_of_exchange=(route.office_of_exchange if route else None) or "-",
        sort_code=(route.sort_code if route else None) or _fallback_sort_code(shipment),
        weight_g=shipment.weight_g,
        created_on=shipment.created_at.date(),
        customs=_declaration(shipment),
        partner_barcode=partner_barcode,
        incoterm=Incoterm(shipment.incoterm),
    )


def _address_lines(address: dict[str, Any]) -> tuple[AddressLine, ...]:
    """The stored address in the label format of its country (``labels.label_address``)."""
    return label_address(
        country=address["country"],
        name=address["name"],
        company=address["company"],
        street_lines=tuple(address["street_lines"]),
        city=address["city"],
        region=address["region"],
        postal_code=address["postal_code"],
    )


def _phone(address: dict[str, Any]) -> str | None:
    # phone_extension is absent from addresses stored before it
    return printed_phone(address["phone"], address.get("phone_extension") or "")


def _head(address: dict[str, Any]) -> list[str]:
    return [text for text in (address["name"], address["company"]) if text]


def _tax_id(recipient: dict[str, Any]) -> str | None:
    """Printed where the destination's customs ask for it (addresses/data/tax_ids.yaml)."""
    if not recipient.get("tax_id") or requirement_for(recipient["country"]) is None:
        return None
    return printed_tax_id(recipient.get("tax_id_kind"), recipient["tax_id"])


def _fallback_sort_code(shipment: Shipment) -> str:
    # Without a planned route, sort by destination country and postal prefix.
    return f"{shipment.destination_country}-{shipment.destination_postal_code[:3]}"


def _money(document: dict[str, str]) -> Money:
    return Money.parse(document["amount"], document["currency"])


def _declaration(shipment: Shipment) -> CustomsDeclaration:
    customs = shipment.customs
    declared = customs.get("declared_value")
    items = tuple(
        CustomsItem(
            description=item["description"],
            quantity=item["quantity"],
            net_weight_g=item["unit_weight_g"] * item["quantity"],
            value=_money(item["unit_value"]).times(item["quantity"]),
            origin_country=item["origin_country"],
            hs_code=item["hs_code"],
        )
        for item in customs["items"]
    )
    sender = shipment.sender
    return CustomsDeclaration(
        form_type=CustomsFormType(shipment.customs_form),
        category=CustomsCategory(customs["category"]),
        total_value=_money(declared) if declared else Money.zero("USD"),
        declared_on=shipment.created_at.date(),
        signatory=sender["company"] or sender["name"],
        items=items,
        explanation=customs.get("explanation") or None,
        invoice_number=shipment.reference,
    )


def render_labels(
    *,
    database: Database,
    shipment_ids: Sequence[str],
    merchant_id: str | None,
    label_format: LabelFormat,
    partners: PartnerRegistry,
    page_size: str = "4x6",
) -> RenderedLabels:
    """Render one label (PNG) or a merged document (PDF, ZPL) for the given shipments."""
    ids = list(dict.fromkeys(shipment_ids))
    if not ids:
        raise InvalidInput.for_field("shipment_ids", "expected at least one shipment id")
    if len(ids) > MAX_LABELS_PER_REQUEST:
        raise InvalidInput.for_field(
            "shipment_ids", f"at most {MAX_LABELS_PER_REQUEST} labels per request"
        )
    if label_format is LabelFormat.PNG and len(ids) > 1:
        raise InvalidInput.for_field("format", "PNG holds one label; use pdf or zpl for several")
    with database.unit_of_work() as uow:
        repo = ShipmentRepository(uow.session)
        shipments = repo.get_many(ids, merchant_id=merchant_id)
        missing = [i for i in ids if i not in {s.id for s in shipments}]
        if missing:
            raise NotFound(f"shipment {missing[0]} does not exist")
        cancelled = [s.id for s in shipments if s.status == ShipmentStatus.CANCELLED]
        if cancelled:
            raise InvalidInput.for_field(
                "shipment_ids", f"shipment {cancelled[0]} is cancelled: no label can be printed"
            )
        data = [label_data(s, partners) for s in shipments]
        content = _render(data, label_format, page_size)
        now = utc_now()
        for shipment in shipments:
            if shipment.status == ShipmentStatus.BOOKED:
                shipment.status = ShipmentStatus.LABEL_CREATED.value
                shipment.updated_at = now
                uow.record(
                    LabelCreated(
                        merchant_id=shipment.merchant_id,
                        shipment_id=shipment.id,
                        tracking_number=shipment.tracking_number,
                        destination_country=shipment.destination_country,
                        occurred_at=now,
                    )
                )
        uow.commit()
    stem = shipments[0].tracking_number if len(shipments) == 1 else f"labels-{len(shipments)}"
    return RenderedLabels(
        content=content,
        media_type=MEDIA_TYPES[label_format],
        file_name=f"{stem}.{label_format.value}",
        shipment_ids=tuple(s.id for s in shipments),
    )


def _render(data: list[LabelData], label_format: LabelFormat, page_size: str) -> bytes:
    if label_format is LabelFormat.PDF:
        if page_size not in ("4x6", "A6"):
            raise InvalidInput.for_field("size", "expected 4x6 or A6")
        return render_pdf(data, page_size="A6" if page_size == "A6" else "4x6")
    if label_format is LabelFormat.ZPL:
        return render_zpl(data).encode("utf-8")
    return render_png(data[0])
