"""Tracking tables: the event store, one tracker per tracked number, unmapped-code counts.

``tracking_events`` is append-only, one row per distinct event, keyed by the dedup fingerprint
(``normalize.fingerprint``), so a resent scan is refused by the key and replaying a file is a
no-op. It stores what the partner said (raw code and text, time, place) and not what we made
of it: the status, reason and milestone are mapped again whenever a state is recomputed, so a
code-table row added for an unmapped code corrects the history of every parcel on the next
event. Not partitioned (see migration 0006 for why and how it would be).

``trackers`` hold the current state as columns (what list, exception and page queries filter
on), recomputed from the store. ``owner_key`` says whose tracker it is: the shipment id when
postbridge booked the parcel, the merchant id when a merchant tracks a number it did not book
with us, ``-`` when nobody tracks the number yet (its events are stored and counted as
unmatched, and the tracker is handed to whoever tracks the number later).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from postbridge.kit.clock import utc_now
from postbridge.storage.base import Base, UTCDateTime

UNTRACKED_OWNER = "-"


class TrackingEventRow(Base):
    __tablename__ = "tracking_events"
    __table_args__ = (
        Index("ix_tracking_events_number_time", "tracking_number", "occurred_at"),
        # Partner health: each partner's last event and last 24 hours (migration 0013).
        Index("ix_tracking_events_partner_received", "partner", "received_at"),
    )

    fingerprint: Mapped[str] = mapped_column(String(32), primary_key=True)
    tracking_number: Mapped[str] = mapped_column(String(40))
    partner: Mapped[str] = mapped_column(String(40))
    code_scheme: Mapped[str] = mapped_column(String(20))
    raw_code: Mapped[str] = mapped_column(String(40))
    raw_text: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    occurred_zone: Mapped[str] = mapped_column(String(40))
    facility: Mapped[str | None] = mapped_column(String(100))
    city: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str | None] = mapped_column(String(2))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Tracker(Base):
    __tablename__ = "trackers"
    __table_args__ = (
        UniqueConstraint("tracking_number", "owner_key"),
        Index("ix_trackers_partner_tracking_number", "partner_tracking_number"),
        Index("ix_trackers_merchant_updated", "merchant_id", "updated_at", "id"),
        Index("ix_trackers_status_last_event", "status", "last_event_at"),
        # Punctuality: the window, the scope and the join key in one index (migration 0013).
        Index("ix_trackers_delivered", "delivered_at", "merchant_id", "shipment_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tracking_number: Mapped[str] = mapped_column(String(40))
    partner_tracking_number: Mapped[str | None] = mapped_column(String(40))
    owner_key: Mapped[str] = mapped_column(String(40))
    merchant_id: Mapped[str | None] = mapped_column(ForeignKey("merchants.id"))
    shipment_id: Mapped[str | None] = mapped_column(ForeignKey("shipments.id"))
    carrier: Mapped[str | None] = mapped_column(String(20))
    partner: Mapped[str | None] = mapped_column(String(40))
    # Events before this instant belong to an earlier parcel under a recycled number.
    window_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str | None] = mapped_column(String(30))
    action: Mapped[str] = mapped_column(String(10))
    milestone: Mapped[str | None] = mapped_column(String(30))
    last_event_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    event_count: Mapped[int] = mapped_column(Integer, default=0)
    unmapped_events: Mapped[int] = mapped_column(Integer, default=0)
    excluded_events: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)


class TrackerEstimate(Base):
    """One delivery estimate a tracker was given (migration 0011): appended, never updated."""

    __tablename__ = "tracking_estimates"
    __table_args__ = (Index("ix_tracking_estimates_tracker_computed", "tracker_id", "computed_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tracker_id: Mapped[str] = mapped_column(ForeignKey("trackers.id", ondelete="CASCADE"))
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    source: Mapped[str] = mapped_column(String(10))  # "booking" or "scan"
    basis_milestone: Mapped[str | None] = mapped_column(String(30))
    basis_event_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    p50: Mapped[date] = mapped_column(Date)
    p90: Mapped[date] = mapped_column(Date)


class UnmappedCode(Base):
    """How often a partner sent a code no table maps: the operators' to-do list."""

    __tablename__ = "tracking_unmapped_codes"

    partner: Mapped[str] = mapped_column(String(40), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    code_scheme: Mapped[str] = mapped_column(String(20))
    event_count: Mapped[int] = mapped_column(BigInteger)
    example_text: Mapped[str] = mapped_column(String(200))
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
