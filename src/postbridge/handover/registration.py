"""Register a USPS last-mile parcel's label with USPS once its advance data is accepted
(``POST /labels/v3/label``; registration rather than manifesting, see ``usps.wire.labels``):
USPS allocates its number, which is stored with the hand-over, and links the IMpb the platform
printed at origin to it. Only partners whose partners-file entry has ``label_registration``
are registered; the job is queued with the acceptance and is safe to run again (a stored
number is never asked for twice)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from postbridge.carriers.clients import PartnerClients
from postbridge.carriers.partners_file import LabelRegistration
from postbridge.carriers.usps.wire import (
    DomesticLabelShipment,
    MailClass,
    PlatformImpb,
    build_label_request,
)
from postbridge.errors import PartnerRejected
from postbridge.handover.models import AdvanceDataStatus
from postbridge.handover.repository import HandoverRepository
from postbridge.kit.clock import utc_now
from postbridge.shipments.models import Shipment
from postbridge.storage.unit_of_work import Database

# Construct C03 is 420 + ZIP5 and a PIC of channel 92 (nine-digit mailer id), as
# postal-standards.md 4.1 reads it; other constructs are not verified, so a PIC of another
# channel is registered without naming the printed barcode.
VERIFIED_CONSTRUCTS = {"92": "C03"}


@dataclass(frozen=True, slots=True)
class _Party:
    name: str
    company: str
    street_lines: tuple[str, ...]
    city: str
    region: str
    postal_code: str
    phone: str
    email: str

    @classmethod
    def of(cls, document: Mapping[str, Any]) -> _Party:
        def text(key: str) -> str:
            return str(document.get(key) or "")

        return cls(
            name=text("name"),
            company=text("company"),
            street_lines=tuple(str(line) for line in document.get("street_lines") or ()),
            city=text("city"),
            region=text("region"),
            postal_code=text("postal_code"),
            phone=text("phone"),
            email=text("email"),
        )


def label_shipment(
    shipment: Shipment, registration: LabelRegistration, *, mailing_date: datetime
) -> DomesticLabelShipment:
    pic = shipment.partner_tracking_number
    construct = VERIFIED_CONSTRUCTS.get(pic[:2]) if pic else None
    return DomesticLabelShipment(
        recipient=_Party.of(shipment.recipient),
        mailed_from=registration.mailed_from,
        weight_g=shipment.weight_g,
        length_mm=shipment.length_mm,
        width_mm=shipment.width_mm,
        height_mm=shipment.height_mm,
        mail_class=MailClass(registration.mail_class),
        mailing_date=mailing_date.date(),
        reference=shipment.reference,
        platform_tracking_number=shipment.tracking_number,
        platform_impb=PlatformImpb(pic, construct) if pic and construct else None,
    )


def register_label(
    *,
    database: Database,
    clients: PartnerClients,
    shipment_id: str,
    clock: Callable[[], datetime] = utc_now,
) -> str | None:
    """USPS's tracking number for the parcel (registered now or before); None when the parcel
    needs no registration."""
    with database.unit_of_work() as uow:
        repo = HandoverRepository(uow.session)
        shipment, record = repo.shipment(shipment_id), repo.get(shipment_id)
        if shipment is None or record is None or shipment.partner is None:
            return None
        if record.registered_tracking_number:
            return record.registered_tracking_number
        registration = clients.label_registration(shipment.partner)
        if registration is None or record.advance_status != AdvanceDataStatus.ACCEPTED:
            return None
        request = build_label_request(label_shipment(shipment, registration, mailing_date=clock()))
        partner = shipment.partner
    usps = clients.usps(partner)
    if usps is None:
        raise PartnerRejected(f"{partner} has label_registration but no usps_api connection")
    receipt = usps.register_label(request)
    with database.unit_of_work() as uow:
        found = HandoverRepository(uow.session).get(shipment_id)
        assert found is not None
        if not found.registered_tracking_number:
            now = clock()
            found.registered_tracking_number = receipt.tracking_number
            found.registered_at = now
            found.updated_at = now
            uow.commit()
        return found.registered_tracking_number
