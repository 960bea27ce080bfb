"""Hand-over tables: each shipment's advance-data answer (what the destination post said, with
its reasons) and hand-over steps, and the cursor of each partner's event feed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from postbridge.kit.clock import utc_now
from postbridge.storage.base import Base, UTCDateTime


class AdvanceDataStatus:
    PENDING = "pending"  # queued or being sent (the partner may be down: the job retries)
    ACCEPTED = "accepted"
    HELD = "held"  # refused by the post, or by our own check of its rules: not flown

    ALL = (PENDING, ACCEPTED, HELD)


class ShipmentHandover(Base):
    __tablename__ = "shipment_handover"
    __table_args__ = (
        Index("ix_shipment_handover_partner_status", "partner", "advance_status"),
        # Partner health's answers of the last 30 days, read from the index alone (0013).
        Index("ix_shipment_handover_created", "created_at", "partner", "advance_status"),
    )

    shipment_id: Mapped[str] = mapped_column(ForeignKey("shipments.id"), primary_key=True)
    partner: Mapped[str] = mapped_column(String(40))
    advance_status: Mapped[str] = mapped_column(String(10))
    # [{"code", "field", "message"}] as the post (or our check) gave them; [] when accepted.
    advance_reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    advance_checked_by: Mapped[str | None] = mapped_column(String(10))  # "partner" / "platform"
    advance_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    advance_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The shipment's status before it was held, given back when the post accepts it later.
    held_from_status: Mapped[str | None] = mapped_column(String(20))
    registered_tracking_number: Mapped[str | None] = mapped_column(String(34))
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    prealerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)


class PartnerFeedCursor(Base):
    """Where the last pull of a partner's event feed stopped (the feed's own cursor)."""

    __tablename__ = "partner_feed_cursors"

    partner: Mapped[str] = mapped_column(String(40), primary_key=True)
    cursor: Mapped[str | None] = mapped_column(String(200))
    pulled_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
