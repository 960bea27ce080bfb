"""Every query on batches and their row errors."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from postbridge.bulk.models import BatchRowError, ShipmentBatch
from postbridge.kit.text import storable
from postbridge.shipments.models import Shipment
from postbridge.shipments.repository import STREAM_ROWS


class BatchRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, batch: ShipmentBatch) -> None:
        self.session.add(batch)

    def get(self, batch_id: str, *, merchant_id: str | None) -> ShipmentBatch | None:
        if not storable(batch_id):  # no such id can exist; PostgreSQL would refuse the query
            return None
        query = select(ShipmentBatch).where(ShipmentBatch.id == batch_id)
        if merchant_id is not None:
            query = query.where(ShipmentBatch.merchant_id == merchant_id)
        return self.session.scalars(query).first()

    def by_key(self, merchant_id: str, batch_key: str) -> ShipmentBatch | None:
        return self.session.scalars(
            select(ShipmentBatch).where(
                ShipmentBatch.merchant_id == merchant_id, ShipmentBatch.batch_key == batch_key
            )
        ).first()

    def recent(self, *, merchant_id: str | None, limit: int) -> list[ShipmentBatch]:
        """The newest batches first, of one merchant (None: of every merchant)."""
        query = select(ShipmentBatch).order_by(
            ShipmentBatch.created_at.desc(), ShipmentBatch.id.desc()
        )
        if merchant_id is not None:
            query = query.where(ShipmentBatch.merchant_id == merchant_id)
        return list(self.session.scalars(query.limit(limit)))

    def add_errors(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            self.session.execute(insert(BatchRowError), list(rows))

    def booked_summary(self, batch_id: str) -> Iterator[tuple[int, str, str, str]]:
        """(row, reference, shipment id, tracking number) of every booked row, by row; streamed."""
        query = (
            select(Shipment.batch_row, Shipment.reference, Shipment.id, Shipment.tracking_number)
            .where(Shipment.batch_id == batch_id)
            .order_by(Shipment.batch_row)
            .execution_options(yield_per=STREAM_ROWS)
        )
        for row in self.session.execute(query):
            yield int(row[0] or 0), row[1], row[2], row[3]

    def errors(self, batch_id: str) -> Iterator[tuple[int, str, str, str]]:
        """(row, reference, field, message) of every problem of a rejected row; streamed."""
        query = (
            select(
                BatchRowError.row_number,
                BatchRowError.reference,
                BatchRowError.field,
                BatchRowError.message,
            )
            .where(BatchRowError.batch_id == batch_id)
            .order_by(BatchRowError.row_number, BatchRowError.id)
            .execution_options(yield_per=STREAM_ROWS)
        )
        for row in self.session.execute(query):
            yield int(row[0]), row[1], row[2], row[3]

    def first_booked(self, batch_id: str, limit: int) -> list[tuple[int, str, str, str]]:
        """The first ``limit`` rows of ``booked_summary``, read at once (for a page)."""
        query = (
            select(Shipment.batch_row, Shipment.reference, Shipment.id, Shipment.tracking_number)
            .where(Shipment.batch_id == batch_id)
            .order_by(Shipment.batch_row)
            .limit(limit)
        )
        return [(int(r[0] or 0), r[1], r[2], r[3]) for r in self.session.execute(query)]

    def first_errors(self, batch_id: str, limit: int) -> list[tuple[int, str, str, str]]:
        """The first ``limit`` rows of ``errors``, read at once (for a page)."""
        query = (
            select(
                BatchRowError.row_number,
                BatchRowError.reference,
                BatchRowError.field,
                BatchRowError.message,
            )
            .where(BatchRowError.batch_id == batch_id)
            .order_by(BatchRowError.row_number, BatchRowError.id)
            .limit(limit)
        )
        return [(int(r[0]), r[1], r[2], r[3]) for r in self.session.execute(query)]
