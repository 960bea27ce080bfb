"""Shipment tables. Addresses and customs are JSON documents on the shipment: they are read and
written as a whole and never queried by their inner fields. The route and the duty estimate are
shared by many shipments (one route per lane, region and booking minute; one estimate per basket
and price), so they are stored once in ``shipment_documents``, named by the digest of their
text, and the shipment points to them. ``Shipment.route`` and ``Shipment.duties`` read them
through as typed documents, parsed once per loaded document (shipments sharing a route share
its parse)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from postbridge.customs import DutyEstimate
from postbridge.kit.clock import utc_now
from postbridge.quotes.route_document import RouteDocument
from postbridge.storage.base import Base, UTCDateTime

T = TypeVar("T")


class ShipmentDocument(Base):
    """A route or duty estimate document, stored once and named by the BLAKE2b-128 digest of its
    JSON text (see repository.document_digest). Immutable: a changed document is a new row."""

    __tablename__ = "shipment_documents"

    digest: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)

    def parsed(self, parse: Callable[[dict[str, Any]], T]) -> T:
        """The body through ``parse``, once per loaded row: the body never changes."""
        cached = self.__dict__.get("_parsed")
        if cached is None:
            cached = self.__dict__["_parsed"] = parse(self.body)
        return cached


class Shipment(Base):
    __tablename__ = "shipments"
    __table_args__ = (
        UniqueConstraint("batch_id", "batch_row"),
        # One per lookup of GET /v1/shipments, each ending with the page order (created_at,
        # id): the filter and the order are one index range (migration 0009 says why).
        Index("ix_shipments_merchant_created", "merchant_id", "created_at", "id"),
        Index("ix_shipments_merchant_reference", "merchant_id", "reference", "created_at", "id"),
        Index("ix_shipments_merchant_status", "merchant_id", "status", "created_at", "id"),
        Index(
            "ix_shipments_merchant_destination",
            "merchant_id",
            "destination_country",
            "created_at",
            "id",
        ),
        # The dashboard's windows across merchants (migration 0013).
        Index(
            "ix_shipments_created_status_destination", "created_at", "status", "destination_country"
        ),
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
    destination_country: Mapped[str] = mapped_column(String(2))
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
    def duties(self) -> DutyEstimate:
        return self.duties_document.parsed(DutyEstimate.from_json)

    @property
    def route(self) -> RouteDocument | None:
        document = self.route_document
        return None if document is None else document.parsed(RouteDocument.from_json)


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
