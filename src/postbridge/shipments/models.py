"""Shipment tables. Addresses and customs are JSON documents on the shipment: they are read and
written as a whole and never queried by their inner fields. The route and the duty estimate are
shared by many shipments (one route per lane, region and booking minute; one estimate per basket
and price), so they are stored once in ``shipment_documents``, named by the digest of their
text, and the shipment points to them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from postbridge.kit.clock import utc_now
from postbridge.storage.base import Base, UTCDateTime


class ShipmentDocument(Base):
    """A route or duty estimate document, stored once and named by the BLAKE2b-128 digest of its
    JSON text (see repository.document_digest). Immutable: a changed document is a new row."""

    __tablename__ = "shipment_documents"

    digest: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)


class Shipment(Base):
    __tablename__ = "shipments"
    __table_args__ = (
        UniqueConstraint("batch_id", "batch_row"),
        Index("ix_shipments_merchant_created", "merchant_id", "created_at", "id"),
        Index("ix_shipments_merchant_reference", "merchant_id", "reference"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    merchant_id: Mapped[str] = mapped_column(ForeignKey("merchants.id"))
    reference: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20))
    service: Mapped[str] = mapped_column(String(40))
    incoterm: Mapped[str] = mapped_column(String(3))
    tracking_number: Mapped[str] = mapped_column(String(13), unique=True)
    partner_tracking_number: Mapped[str | None] = mapped_column(String(34), unique=True)
    origin_country: Mapped[str] = mapped_column(String(2))
    destination_country: Mapped[str] = mapped_column(String(2), index=True)
    destination_postal_code: Mapped[str] = mapped_column(String(20))
    sender: Mapped[dict[str, Any]] = mapped_column(JSON)
    recipient: Mapped[dict[str, Any]] = mapped_column(JSON)
    weight_g: Mapped[int] = mapped_column(Integer)
    length_mm: Mapped[int] = mapped_column(Integer)
    width_mm: Mapped[int] = mapped_column(Integer)
    height_mm: Mapped[int] = mapped_column(Integer)
    customs: Mapped[dict[str, Any]] = mapped_column(JSON)
    customs_form: Mapped[str] = mapped_column(String(4))
    duties_digest: Mapped[str] = mapped_column(ForeignKey("shipment_documents.digest"))
    product: Mapped[str | None] = mapped_column(String(40))
    partner: Mapped[str | None] = mapped_column(String(40))
    route_digest: Mapped[str | None] = mapped_column(ForeignKey("shipment_documents.digest"))
    price_minor: Mapped[int | None] = mapped_column(BigInteger)
    price_currency: Mapped[str | None] = mapped_column(String(3))
    promised_p50: Mapped[date | None] = mapped_column(Date)
    promised_p90: Mapped[date | None] = mapped_column(Date)
    batch_id: Mapped[str | None] = mapped_column(String(40))
    batch_row: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)

    # Loaded with the shipment (one join each): every reader of a shipment shows or uses them.
    duties_document: Mapped[ShipmentDocument] = relationship(
        foreign_keys=[duties_digest], lazy="joined", innerjoin=True
    )
    route_document: Mapped[ShipmentDocument | None] = relationship(
        foreign_keys=[route_digest], lazy="joined"
    )

    @property
    def duties(self) -> dict[str, Any]:
        return self.duties_document.body

    @property
    def route(self) -> dict[str, Any] | None:
        return self.route_document.body if self.route_document is not None else None


class IdempotencyKey(Base):
    """Remembers the first answer to an ``Idempotency-Key`` so a retry gets the same answer."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("merchant_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    merchant_id: Mapped[str] = mapped_column(ForeignKey("merchants.id"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    shipment_id: Mapped[str] = mapped_column(ForeignKey("shipments.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)


class NumberRange(Base):
    """A block of S10 serials for one partner and service indicator.

    ``next_serial`` only ever grows, so a number is never issued twice; a range is retired when
    exhausted and may only be reopened by an operator once ``last_issued_at`` is 12 months old.
    """

    __tablename__ = "number_ranges"
    __table_args__ = (UniqueConstraint("partner", "service_indicator", "issuer", "first_serial"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partner: Mapped[str] = mapped_column(String(40))
    service_indicator: Mapped[str] = mapped_column(String(2))
    issuer: Mapped[str] = mapped_column(String(2))
    first_serial: Mapped[int] = mapped_column(Integer)
    last_serial: Mapped[int] = mapped_column(Integer)
    next_serial: Mapped[int] = mapped_column(Integer)
    last_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SerialCounter(Base):
    """A named, ever-increasing counter (IMpb serials per mailer id and service type code)."""

    __tablename__ = "serial_counters"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    next_value: Mapped[int] = mapped_column(BigInteger)


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
