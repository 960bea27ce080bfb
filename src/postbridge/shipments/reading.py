"""Read shipments, always scoped to the caller's merchant unless the caller is an operator."""

from __future__ import annotations

from dataclasses import dataclass

from postbridge.errors import NotFound
from postbridge.shipments.models import Shipment
from postbridge.shipments.repository import ShipmentFilter, ShipmentRepository
from postbridge.shipments.views import decode_cursor, encode_cursor
from postbridge.storage.unit_of_work import Database


@dataclass(frozen=True, slots=True)
class ShipmentListing:
    items: list[Shipment]
    next_cursor: str | None


def get_shipment(*, database: Database, shipment_id: str, merchant_id: str | None) -> Shipment:
    with database.unit_of_work() as uow:
        shipment = ShipmentRepository(uow.session).get(shipment_id, merchant_id=merchant_id)
    if shipment is None:
        # The same answer whether it does not exist or belongs to someone else.
        raise NotFound(f"shipment {shipment_id} does not exist")
    return shipment


def list_shipments(
    *, database: Database, spec: ShipmentFilter, cursor: str | None, limit: int
) -> ShipmentListing:
    after = decode_cursor(cursor) if cursor else None
    with database.unit_of_work() as uow:
        rows = ShipmentRepository(uow.session).page(spec, after=after, limit=limit + 1)
    items = rows[:limit]
    more = len(rows) > limit
    return ShipmentListing(
        items=items,
        next_cursor=encode_cursor(items[-1].created_at, items[-1].id) if more and items else None,
    )
