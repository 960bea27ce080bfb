"""Tell the origin sorting centre which booked parcels to expect (its pre-alert), so its
scanners know them when they arrive; one call per page of booked parcels (parcel by parcel when
the origin refuses the page, so one bad parcel does not hold the others back)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from postbridge.carriers.clients import PartnerClients
from postbridge.errors import PartnerRejected
from postbridge.handover.repository import HandoverRepository
from postbridge.kit.clock import utc_now
from postbridge.quotes.route_document import utc_text
from postbridge.shipments.lifecycle import ShipmentStatus
from postbridge.shipments.models import Shipment
from postbridge.shipments.repository import ShipmentRepository
from postbridge.storage.unit_of_work import Database


def prealert_parcel(shipment: Shipment) -> dict[str, Any]:
    route = shipment.route
    legs = [] if route is None else [
        {"leg": leg.leg, "from": leg.origin, "to": leg.destination, "mode": leg.mode,
         "departs": utc_text(leg.departs), "arrives": utc_text(leg.arrives)}
        for leg in route.legs
    ]  # fmt: skip
    return {
        "tracking_number": shipment.tracking_number,
        "partner": shipment.partner,
        "partner_tracking_number": shipment.partner_tracking_number,
        "destination_country": shipment.destination_country,
        "destination_postal_code": shipment.destination_postal_code,
        "weight_g": shipment.weight_g,
        "booked_at": utc_text(shipment.created_at),
        "route": {"legs": legs},
    }


def send_prealerts(
    *,
    database: Database,
    clients: PartnerClients,
    shipment_ids: Sequence[str],
    clock: Callable[[], datetime] = utc_now,
) -> int:
    """Pre-alert the parcels not pre-alerted yet (a re-run sends only what is left); returns
    how many were sent."""
    with database.unit_of_work() as uow:
        shipments = ShipmentRepository(uow.session).get_many(shipment_ids, merchant_id=None)
        done = HandoverRepository(uow.session).for_shipments(shipment_ids)
        due = [
            s for s in shipments
            if s.partner is not None and s.status != ShipmentStatus.CANCELLED
            and (s.id not in done or done[s.id].prealerted_at is None)
        ]  # fmt: skip
        parcels = [prealert_parcel(s) for s in due]
        partners = {s.id: s.partner for s in due if s.partner is not None}
    if not parcels:
        return 0
    refused: list[str] = []
    try:
        clients.origin().prealert(parcels)
        sent = list(partners)
    except PartnerRejected:
        # One parcel the origin refuses must not keep the page's others from being expected:
        # send them one by one, mark those that went, and report the refused ones.
        sent = []
        for shipment, parcel in zip(due, parcels, strict=True):
            try:
                clients.origin().prealert([parcel])
                sent.append(shipment.id)
            except PartnerRejected as exc:
                refused.append(f"{shipment.id}: {exc.detail}")
    now = clock()
    with database.unit_of_work() as uow:
        repo = HandoverRepository(uow.session)
        for shipment_id in sent:
            record = repo.get_or_add(shipment_id, partner=partners[shipment_id], now=now)
            record.prealerted_at = now
            record.updated_at = now
        uow.commit()
    if refused:
        raise PartnerRejected(f"the origin refused {len(refused)} pre-alerts: {'; '.join(refused)}")
    return len(sent)
