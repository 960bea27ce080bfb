"""Send a parcel's advance data to its destination post and store the answer with it.

Three steps, so that nothing is lost whatever fails: (1) in one unit of work, read the shipment
and mark its advance data ``pending`` (shown by the API while a post is down); (2) outside any
transaction, build the ITMATT-like message from the stored addresses and customs declaration,
check it against the post's rules, and send it (a ``PartnerUnavailable`` leaves it pending and
the worker retries the job with backoff); (3) in another unit of work, store the answer and
record ``shipment.advance_data_accepted`` (queueing the label registration for partners that
want one, ``handover.registration``) or ``shipment.held``. A held parcel's shipment moves
to ``held`` (capacity planning skips it: it is not flown). Re-running the job after an answer
was stored does nothing; sending again is harmless too (the post replaces data by item id).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row

from postbridge.carriers.clients import PartnerClients
from postbridge.carriers.upu.wire import AdvanceDataSource, Reason, build_advance_data
from postbridge.handover.events import AdvanceDataAccepted, ShipmentHeld
from postbridge.handover.job_kinds import PARTNER_JOB_ATTEMPTS, REGISTER_LABEL_JOB
from postbridge.handover.models import AdvanceDataStatus, ShipmentHandover
from postbridge.handover.repository import HandoverReader, HandoverRepository
from postbridge.jobs.repository import JobRepository
from postbridge.kit.clock import utc_now
from postbridge.shipments.lifecycle import ShipmentStatus
from postbridge.shipments.models import Shipment
from postbridge.storage.unit_of_work import Database

log = logging.getLogger(__name__)

PLATFORM, PARTNER = "platform", "partner"  # who found the reasons of a hold
# Non-priority mail (UPU category B) for the economy service, priority (A) for the others.
NON_PRIORITY_SERVICES = frozenset({"economy"})
NOT_SENT = frozenset({ShipmentStatus.CANCELLED, ShipmentStatus.RETURNED})


@dataclass(frozen=True, slots=True)
class AdvanceDataOutcome:
    shipment_id: str
    status: str  # AdvanceDataStatus, or "skipped" (cancelled, unrouted, unknown shipment)
    reasons: tuple[Reason, ...] = ()


def advance_data_source(shipment: Shipment) -> AdvanceDataSource:
    """The message's inputs, field by field from the stored shipment."""
    return AdvanceDataSource(
        item_id=shipment.tracking_number,
        posting_date=shipment.created_at,
        origin_country=shipment.origin_country,
        destination_country=shipment.destination_country,
        mail_category="B" if shipment.service in NON_PRIORITY_SERVICES else "A",
        incoterm=shipment.incoterm,
        gross_weight_g=shipment.weight_g,
        sender=shipment.sender,
        addressee=shipment.recipient,
        customs=shipment.customs,
    )


def send_advance_data(
    *,
    database: Database,
    clients: PartnerClients,
    shipment_id: str,
    clock: Callable[[], datetime] = utc_now,
) -> AdvanceDataOutcome:
    with database.unit_of_work() as uow:
        repo = HandoverRepository(uow.session)
        shipment = repo.shipment(shipment_id)
        if shipment is None or shipment.partner is None:
            return AdvanceDataOutcome(shipment_id, "skipped")
        if ShipmentStatus(shipment.status) in NOT_SENT:
            return AdvanceDataOutcome(shipment_id, "skipped")
        record = repo.get_or_add(shipment_id, partner=shipment.partner, now=clock())
        if record.advance_status != AdvanceDataStatus.PENDING:
            return AdvanceDataOutcome(shipment_id, record.advance_status)  # answered already
        partner = shipment.partner
        source = advance_data_source(shipment)
        uow.commit()

    built = build_advance_data(source, clients.profile(partner))
    sent_at: datetime | None = None
    if built.problems:
        checked_by, reasons = PLATFORM, built.problems
    else:
        sent_at = clock()
        [result] = clients.exchange(partner).send_advance_data([built.message])
        checked_by, reasons = PARTNER, () if result.accepted else result.reasons
        if not result.accepted and not reasons:
            reasons = (Reason("rejected", "", f"{partner} gave no reason"),)
    return _store_answer(
        database, shipment_id, checked_by=checked_by, reasons=reasons, sent_at=sent_at,
        register=clients.label_registration(partner) is not None, now=clock(),
    )  # fmt: skip


def _store_answer(
    database: Database,
    shipment_id: str,
    *,
    checked_by: str,
    reasons: Sequence[Reason],
    sent_at: datetime | None,
    register: bool,
    now: datetime,
) -> AdvanceDataOutcome:
    with database.unit_of_work() as uow:
        repo = HandoverRepository(uow.session)
        shipment = repo.shipment(shipment_id)
        record = repo.get(shipment_id)
        if shipment is None or record is None or shipment.partner is None:
            return AdvanceDataOutcome(shipment_id, "skipped")
        if record.advance_status != AdvanceDataStatus.PENDING:
            # Another worker (a lease that expired mid-call) stored an answer first.
            return AdvanceDataOutcome(shipment_id, record.advance_status)
        reason_json = [reason.to_json() for reason in reasons]
        record.advance_reasons = reason_json
        record.advance_checked_by = checked_by
        record.advance_sent_at = sent_at
        record.advance_answered_at = now
        record.updated_at = now
        common: dict[str, Any] = {
            "merchant_id": shipment.merchant_id,
            "shipment_id": shipment.id,
            "tracking_number": shipment.tracking_number,
            "destination_country": shipment.destination_country,
            "partner": shipment.partner,
            "occurred_at": now,
        }
        if reasons:
            record.advance_status = AdvanceDataStatus.HELD
            _hold(shipment, record, now)
            uow.record(ShipmentHeld(checked_by=checked_by, reasons=reason_json, **common))
        else:
            record.advance_status = AdvanceDataStatus.ACCEPTED
            _release(shipment, record, now)
            uow.record(AdvanceDataAccepted(**common))
            if register:
                JobRepository(uow.session).enqueue(
                    kind=REGISTER_LABEL_JOB, payload={"shipment_id": shipment.id}, now=now,
                    dedupe_key=f"register-label:{shipment.id}", max_attempts=PARTNER_JOB_ATTEMPTS,
                )  # fmt: skip
        status = record.advance_status
        uow.commit()
    log.info("advance data of %s: %s (%d reasons)", shipment_id, status, len(reasons))
    return AdvanceDataOutcome(shipment_id, status, tuple(reasons))


def _hold(shipment: Shipment, record: ShipmentHandover, now: datetime) -> None:
    """Keep the parcel at origin; a cancelled or already moving parcel keeps its status."""
    if ShipmentStatus(shipment.status) in (ShipmentStatus.BOOKED, ShipmentStatus.LABEL_CREATED):
        record.held_from_status = shipment.status
        shipment.status = ShipmentStatus.HELD.value
        shipment.updated_at = now


def _release(shipment: Shipment, record: ShipmentHandover, now: datetime) -> None:
    """Corrected data accepted after a hold: the parcel goes back to where it was."""
    if shipment.status == ShipmentStatus.HELD and record.held_from_status:
        shipment.status = record.held_from_status
        shipment.updated_at = now
    record.held_from_status = None


def advance_data_view(record: ShipmentHandover | Row[Any] | None) -> dict[str, Any] | None:
    """The ``advance_data`` block of a shipment in the API; None before the job first ran."""
    if record is None:
        return None
    return {
        "status": record.advance_status,
        "partner": record.partner,
        "checked_by": record.advance_checked_by,
        "reasons": list(record.advance_reasons or []),
        "sent_at": record.advance_sent_at,
        "answered_at": record.advance_answered_at,
    }


def advance_data_views(
    *, database: Database, shipment_ids: Sequence[str]
) -> dict[str, dict[str, Any] | None]:
    """The ``advance_data`` blocks of many shipments in one query (list pages)."""
    with database.reading() as connection:
        found = HandoverReader(connection).advance_rows(shipment_ids)
    return {shipment_id: advance_data_view(found.get(shipment_id)) for shipment_id in shipment_ids}
