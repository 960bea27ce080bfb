"""Webhook tables: endpoints, the events merchants are told about, deliveries, attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from postbridge.storage.base import Base, UTCDateTime

_OPEN = text("status IN ('pending', 'sending')")


class DeliveryStatus:
    PENDING = "pending"  # waiting for its next attempt (or for an earlier one of its key)
    SENDING = "sending"  # claimed by a worker until next_attempt_at (its lease)
    DELIVERED = "delivered"
    FAILED = "failed"  # given up (three days of failures, or its endpoint was disabled)

    OPEN = (PENDING, SENDING)


class WebhookEndpoint(Base):
    __tablename__ = "webhook_endpoints"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    merchant_id: Mapped[str] = mapped_column(String(40), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str | None] = mapped_column(String(200))
    event_types: Mapped[list[str]] = mapped_column(JSON)
    # Sealed (webhooks.sealing), never in clear; the previous one signs too until it expires.
    secret_sealed: Mapped[str] = mapped_column(Text)
    previous_secret_sealed: Mapped[str | None] = mapped_column(Text)
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    # First failure since the last success; disabled when it is three days old.
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WebhookEvent(Base):
    """An event as merchants see it (webhook body and events API), kept 30 days."""

    __tablename__ = "webhook_events"
    __table_args__ = (
        Index("ix_webhook_events_merchant_position", "merchant_id", "position"),
        Index("ix_webhook_events_occurred_at", "occurred_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # the domain event's id
    merchant_id: Mapped[str] = mapped_column(String(40))
    type: Mapped[str] = mapped_column(String(60))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    position: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))
    ordering_key: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text)  # the exact JSON text sent and signed


class WebhookDelivery(Base):
    """One event to one endpoint; sent until a 2xx, in order per (endpoint, ordering key)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        # The claim: open deliveries that are due.
        Index(
            "ix_webhook_deliveries_due",
            "next_attempt_at",
            sqlite_where=_OPEN,
            postgresql_where=_OPEN,
        ),
        # The ordering probe: is an earlier delivery of the same key still open?
        Index(
            "ix_webhook_deliveries_open_key",
            "endpoint_id",
            "ordering_key",
            "sequence",
            sqlite_where=_OPEN,
            postgresql_where=_OPEN,
        ),
        Index("ix_webhook_deliveries_event_id", "event_id"),
        Index("ix_webhook_deliveries_endpoint_id", "endpoint_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    endpoint_id: Mapped[str] = mapped_column(String(40))
    event_id: Mapped[str] = mapped_column(String(40))
    ordering_key: Mapped[str] = mapped_column(String(80))
    sequence: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))
    cause: Mapped[str] = mapped_column(String(60))  # "event", "redeliver", "replay:job_..."
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    first_attempted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lease_owner: Mapped[str | None] = mapped_column(String(80))
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WebhookAttempt(Base):
    """One HTTP attempt of a delivery, as the merchant sees it in the attempts log."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (
        Index("ix_webhook_attempts_endpoint_attempted", "endpoint_id", "attempted_at", "id"),
        Index("ix_webhook_attempts_delivery_id", "delivery_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    delivery_id: Mapped[str] = mapped_column(String(40))
    endpoint_id: Mapped[str] = mapped_column(String(40))
    event_id: Mapped[str] = mapped_column(String(40))
    attempt: Mapped[int] = mapped_column(Integer)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    succeeded: Mapped[bool] = mapped_column(Boolean)
    status_code: Mapped[int | None] = mapped_column(Integer)
    latency_ms: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    response_excerpt: Mapped[str | None] = mapped_column(Text)  # at most 1 KiB of the body
