"""Book one shipment: idempotency, validation, route and price, numbers, one commit that also
writes its ``shipment.booked`` event; cancel one (``shipment.cancelled``)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError

from postbridge.errors import Conflict, NotFound, ProblemList
from postbridge.kit.clock import utc_now
from postbridge.numbering.allocator import NumberAllocator, numbering_config
from postbridge.shipments.capture import ShipmentInput, ValidShipment, validate_shipment
from postbridge.shipments.documents import shipment_row
from postbridge.shipments.events import ShipmentBooked, ShipmentCancelled
from postbridge.shipments.lifecycle import CANCELLABLE, ShipmentStatus
from postbridge.shipments.models import Shipment
from postbridge.shipments.ports import RoutePlanner
from postbridge.shipments.pricing import Priced, plan_and_price
from postbridge.shipments.repository import ShipmentReader, ShipmentRepository
from postbridge.storage.unit_of_work import Database


@dataclass
class BookingDeps:
    """Everything booking talks to; built once by the composition root."""

    database: Database
    allocator: NumberAllocator
    planner: RoutePlanner | None
    cn22_threshold_sdr: int | Decimal = 300


@dataclass(frozen=True, slots=True)
class BookingResult:
    shipment: Shipment
    replayed: bool


def request_fingerprint(body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def validate_or_raise(
    shipment: ShipmentInput, *, deps: BookingDeps, booked_at: datetime
) -> ValidShipment:
    problems = ProblemList()
    valid = validate_shipment(
        shipment,
        on_date=booked_at.date(),
        cn22_threshold_sdr=deps.cn22_threshold_sdr,
        problems=problems,
    )
    problems.raise_if_any("the shipment has invalid fields")
    assert valid is not None
    return valid


def allocate_tracking_numbers(
    deps: BookingDeps, priced: Priced, service: str
) -> tuple[str, str | None]:
    """The shipment's S10 and, when its last mile numbers parcels itself (``partner_scheme``),
    the partner's number: one short transaction."""
    planned = priced.planned
    indicator = (
        planned.service_indicator if planned else None
    ) or numbering_config().indicator_for(service)
    key = (planned.partner if planned else "*", indicator)
    scheme = planned.partner_scheme if planned else None
    issued, partner = deps.allocator.allocate_many(
        {key: 1}, partner={scheme: 1} if scheme else None
    )
    return issued[key][0], (partner[scheme][0] if scheme else None)


def book_shipment(
    *,
    deps: BookingDeps,
    merchant_id: str,
    shipment: ShipmentInput,
    idempotency_key: str | None = None,
    request_hash: str | None = None,
) -> BookingResult:
    booked = book(
        deps=deps,
        merchant_id=merchant_id,
        shipment=shipment,
        idempotency_key=idempotency_key,
        request_hash=request_hash,
    )
    with deps.database.unit_of_work() as uow:
        created = ShipmentRepository(uow.session).get(booked.shipment_id, merchant_id=merchant_id)
    assert created is not None
    return BookingResult(shipment=created, replayed=booked.replayed)


@dataclass(frozen=True, slots=True)
class Booked:
    shipment_id: str
    replayed: bool


def book(
    *,
    deps: BookingDeps,
    merchant_id: str,
    shipment: ShipmentInput,
    idempotency_key: str | None = None,
    request_hash: str | None = None,
) -> Booked:
    """``book_shipment`` without loading the booked shipment back: the API reads it through
    its read model (``reading.shipment_rows``), a Core row, not an ORM object (issue 16: the
    ORM re-read and the ORM idempotency record cost about a quarter of a booking's CPU)."""
    if idempotency_key:
        replay = _replay(deps, merchant_id, idempotency_key, request_hash)
        if replay is not None:
            return replay
    booked_at = utc_now()
    valid = validate_or_raise(shipment, deps=deps, booked_at=booked_at)
    priced = plan_and_price(valid, planner=deps.planner, booked_at=booked_at)
    tracking_number, partner_number = allocate_tracking_numbers(deps, priced, valid.service)
    row = shipment_row(
        valid,
        priced,
        merchant_id=merchant_id,
        tracking_number=tracking_number,
        partner_tracking_number=partner_number,
        booked_at=booked_at,
    )
    with deps.database.unit_of_work() as uow:
        repo = ShipmentRepository(uow.session)
        uow.record(
            ShipmentBooked(
                merchant_id=merchant_id,
                shipment_id=row["id"],
                tracking_number=tracking_number,
                destination_country=row["destination_country"],
                reference=row["reference"],
                service=row["service"],
                occurred_at=booked_at,
            )
        )
        try:
            repo.insert_many([row])
            if idempotency_key:
                repo.insert_idempotency_key(
                    merchant_id=merchant_id,
                    key=idempotency_key,
                    request_hash=request_hash or "",
                    shipment_id=row["id"],
                    now=utc_now(),
                )
            uow.commit()
        except IntegrityError:
            # A concurrent request with the same Idempotency-Key won the race: answer as it did.
            uow.rollback()
            if idempotency_key:
                replay = _replay(deps, merchant_id, idempotency_key, request_hash)
                if replay is not None:
                    return replay
            raise
    return Booked(shipment_id=row["id"], replayed=False)


def _replay(
    deps: BookingDeps, merchant_id: str, key: str, request_hash: str | None
) -> Booked | None:
    with deps.database.reading() as connection:
        answer = ShipmentReader(connection).idempotency_answer(merchant_id, key)
    if answer is None:
        return None
    stored_hash, shipment_id = answer
    if stored_hash != (request_hash or ""):
        raise Conflict(
            f"Idempotency-Key {key!r} was already used with a different request body; "
            "use a new key for a new shipment",
            code="idempotency_key_reused",
        )
    return Booked(shipment_id=shipment_id, replayed=True)


def cancel_shipment(*, database: Database, shipment_id: str, merchant_id: str | None) -> Shipment:
    with database.unit_of_work() as uow:
        repo = ShipmentRepository(uow.session)
        shipment = repo.get(shipment_id, merchant_id=merchant_id)
        if shipment is None:
            raise NotFound(f"shipment {shipment_id} does not exist")
        status = ShipmentStatus(shipment.status)
        if status is ShipmentStatus.CANCELLED:
            return shipment
        if status not in CANCELLABLE:
            raise Conflict(
                f"shipment {shipment_id} is {status.value}; only booked shipments whose label "
                "has not been handed over can be cancelled",
                code="not_cancellable",
            )
        shipment.status = ShipmentStatus.CANCELLED.value
        shipment.updated_at = utc_now()
        uow.record(
            ShipmentCancelled(
                merchant_id=shipment.merchant_id,
                shipment_id=shipment.id,
                tracking_number=shipment.tracking_number,
                destination_country=shipment.destination_country,
                occurred_at=shipment.updated_at,
            )
        )
        uow.commit()
    return shipment
