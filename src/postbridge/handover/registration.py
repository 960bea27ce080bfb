"""Register a last-mile parcel's label with its partner once its advance data is accepted:
the partner allocates its number, which is stored with the hand-over (the partner's adapter
speaks the partner's API, ``PartnerAdapter.register_label``). Only partners whose
partners-file entry has ``label_registration`` are registered; the job is queued with the
acceptance and is safe to run again (a stored number is never asked for twice)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from postbridge.carriers.adapter import LabelParcel, Party
from postbridge.carriers.clients import PartnerClients
from postbridge.errors import PartnerRejected
from postbridge.handover.models import AdvanceDataStatus
from postbridge.handover.repository import HandoverRepository
from postbridge.kit.clock import utc_now
from postbridge.shipments.models import Shipment
from postbridge.storage.unit_of_work import Database


def party(document: Mapping[str, Any]) -> Party:
    def text(key: str) -> str:
        return str(document.get(key) or "")

    return Party(
        name=text("name"),
        company=text("company"),
        street_lines=tuple(str(line) for line in document.get("street_lines") or ()),
        city=text("city"),
        region=text("region"),
        postal_code=text("postal_code"),
        phone=text("phone"),
        email=text("email"),
    )


def label_parcel(shipment: Shipment) -> LabelParcel:
    """The stored shipment as its partner registers it."""
    return LabelParcel(
        reference=shipment.reference,
        tracking_number=shipment.tracking_number,
        partner_tracking_number=shipment.partner_tracking_number,
        recipient=party(shipment.recipient),
        weight_g=shipment.weight_g,
        length_mm=shipment.length_mm,
        width_mm=shipment.width_mm,
        height_mm=shipment.height_mm,
    )


def register_label(
    *,
    database: Database,
    clients: PartnerClients,
    shipment_id: str,
    clock: Callable[[], datetime] = utc_now,
) -> str | None:
    """The partner's tracking number for the parcel (registered now or before); None when the
    parcel needs no registration."""
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
        parcel, partner = label_parcel(shipment), shipment.partner
    adapter = clients.adapter(partner)
    if adapter is None:
        raise PartnerRejected(f"{partner} has label_registration but no adapter to register it")
    number = adapter.register_label(clients, parcel, registration, mailing_date=clock().date())
    with database.unit_of_work() as uow:
        found = HandoverRepository(uow.session).get(shipment_id)
        assert found is not None
        if not found.registered_tracking_number:
            now = clock()
            found.registered_tracking_number = number
            found.registered_at = now
            found.updated_at = now
            uow.commit()
        return found.registered_tracking_number
