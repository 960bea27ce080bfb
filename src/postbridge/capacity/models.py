"""Capacity tables: dated departures of capacity-limited legs, plan runs, and each shipment's
planned departure. The shipments table itself belongs to the booking context and is unchanged;
a moved shipment points to its new route document (shipments.repository.set_routes)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from postbridge.kit.clock import utc_now
from postbridge.storage.base import Base, UTCDateTime


class DepartureStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    DELAYED = "delayed"


class ScheduledDeparture(Base):
    """One dated trip of a leg, e.g. ``HKG-HUB>LAX-ISC@2026-11-26T15:00Z`` (scheduled UTC).

    Capacity starts as the leg's per-departure capacity and may be changed by an operator;
    re-materialising a day never overwrites capacity, status or delay.
    """

    __tablename__ = "departures"
    __table_args__ = (Index("ix_departures_departs_leg", "departs_at", "leg_id"),)

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    leg_id: Mapped[str] = mapped_column(String(60))
    origin: Mapped[str] = mapped_column(String(40))
    destination: Mapped[str] = mapped_column(String(40))
    mode: Mapped[str] = mapped_column(String(10))
    departs_at: Mapped[datetime] = mapped_column(UTCDateTime())
    arrives_at: Mapped[datetime] = mapped_column(UTCDateTime())
    capacity_grams: Mapped[int | None] = mapped_column(Integer)  # None: no limit
    capacity_items: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default=DepartureStatus.SCHEDULED.value)
    delay_minutes: Mapped[int] = mapped_column(Integer, default=0)
    planned_parcels: Mapped[int] = mapped_column(Integer, default=0)
    planned_grams: Mapped[int] = mapped_column(Integer, default=0)
    last_plan_id: Mapped[str | None] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)


class CapacityPlanRun(Base):
    """One run of the planner: a daily plan or the re-plan after a disruption."""

    __tablename__ = "capacity_plans"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    plan_date: Mapped[date] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)


class ShipmentPlan(Base):
    """The departure the latest plan put a shipment on (None: no room in the window).

    ``deadline`` is fixed the first time the shipment is planned, so moving it (which rewrites
    its route times) never loosens its promise on the next run.
    """

    __tablename__ = "shipment_plans"

    shipment_id: Mapped[str] = mapped_column(ForeignKey("shipments.id"), primary_key=True)
    departure_id: Mapped[str | None] = mapped_column(ForeignKey("departures.id"), index=True)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    at_risk: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
