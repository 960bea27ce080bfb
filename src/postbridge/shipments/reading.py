"""Read shipments, always scoped to the caller's merchant unless the caller is an operator."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Row

from postbridge.errors import NotFound
from postbridge.shipments.models import Shipment
from postbridge.shipments.repository import ShipmentFilter, ShipmentReader, ShipmentRepository
from postbridge.shipments.views import decode_cursor, document_views, encode_cursor
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


# --- The API's read path (issue 16): rows and rendered documents, no ORM objects ------------


@dataclass(frozen=True, slots=True)
class ShipmentRows:
    """READ_COLUMNS rows (``views.shipment_json`` renders each) and their rendered documents."""

    rows: list[Row[Any]]
    documents: dict[str, orjson.Fragment]
    next_cursor: str | None = None


def shipment_rows(*, database: Database, shipment_id: str, merchant_id: str | None) -> ShipmentRows:
    """``get_shipment`` for the API: one query (two the first time its documents are seen)."""
    with database.reading() as connection:
        reader = ShipmentReader(connection)
        row = reader.read_row(shipment_id, merchant_id=merchant_id)
        if row is None:  # the same answer whether it does not exist or is someone else's
            raise NotFound(f"shipment {shipment_id} does not exist")
        return ShipmentRows([row], document_views([row], reader.documents))


def page_rows(
    *, database: Database, spec: ShipmentFilter, cursor: str | None, limit: int
) -> ShipmentRows:
    """``list_shipments`` for the API: one query per page once its documents are rendered."""
    after = decode_cursor(cursor) if cursor else None
    with database.reading() as connection:
        reader = ShipmentReader(connection)
        rows = reader.page_rows(spec, after=after, limit=limit + 1)
        items = rows[:limit]
        documents = document_views(items, reader.documents)
    more = len(rows) > limit
    last = items[-1] if more and items else None
    return ShipmentRows(
        items, documents, encode_cursor(last.created_at, last.id) if last is not None else None
    )
