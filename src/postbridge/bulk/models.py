"""Bulk capture tables: a batch (one uploaded file) and the problems of its rejected rows.
Booked rows are the shipments that carry the batch id and row number."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from postbridge.kit.clock import utc_now
from postbridge.storage.base import Base, UTCDateTime


class ShipmentBatch(Base):
    __tablename__ = "shipment_batches"
    __table_args__ = (UniqueConstraint("merchant_id", "batch_key"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    merchant_id: Mapped[str] = mapped_column(ForeignKey("merchants.id"))
    batch_key: Mapped[str] = mapped_column(String(255))
    file_name: Mapped[str] = mapped_column(String(255))
    file_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_booked: Mapped[int] = mapped_column(Integer, default=0)
    rows_failed: Mapped[int] = mapped_column(Integer, default=0)
    # Line number of the last row whose chunk committed: a restarted run resumes after it.
    last_line: Mapped[int] = mapped_column(Integer, default=1)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class BatchRowError(Base):
    """One problem of one rejected CSV row; booked rows are the shipments with this batch_id."""

    __tablename__ = "batch_row_errors"
    __table_args__ = (Index("ix_batch_row_errors_batch_row", "batch_id", "row_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("shipment_batches.id"))
    row_number: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str] = mapped_column(String(100))
    field: Mapped[str] = mapped_column(String(100))
    message: Mapped[str] = mapped_column(Text)
