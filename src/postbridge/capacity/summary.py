"""What a plan run reports: per-departure loads, moved shipments and the headline figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from postbridge.capacity.models import DepartureStatus, ScheduledDeparture
from postbridge.capacity.routes import format_time

# A re-plan reports its moves one by one; a daily plan of a busy day moves thousands, and the
# counts say enough beyond this many.
MAX_REPORTED_MOVES = 500


@dataclass(frozen=True, slots=True)
class DepartureLoad:
    id: str
    leg_id: str
    origin: str
    destination: str
    departs_at: datetime  # effective: scheduled plus delay
    arrives_at: datetime
    status: DepartureStatus
    delay_minutes: int
    capacity_items: int | None
    capacity_grams: int | None
    planned_parcels: int
    planned_grams: int

    @classmethod
    def of(cls, departure: ScheduledDeparture) -> DepartureLoad:
        delay = timedelta(minutes=departure.delay_minutes)
        return cls(
            id=departure.id,
            leg_id=departure.leg_id,
            origin=departure.origin,
            destination=departure.destination,
            departs_at=departure.departs_at + delay,
            arrives_at=departure.arrives_at + delay,
            status=DepartureStatus(departure.status),
            delay_minutes=departure.delay_minutes,
            capacity_items=departure.capacity_items,
            capacity_grams=departure.capacity_grams,
            planned_parcels=departure.planned_parcels,
            planned_grams=departure.planned_grams,
        )

    @property
    def utilisation(self) -> float:
        """Share of the binding capacity used (0 when unlimited in both dimensions)."""
        shares = [
            used / limit
            for used, limit in (
                (self.planned_parcels, self.capacity_items),
                (self.planned_grams, self.capacity_grams),
            )
            if limit
        ]
        return max(shares, default=0.0)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "leg": self.leg_id,
            "from": self.origin,
            "to": self.destination,
            "departs": format_time(self.departs_at),
            "arrives": format_time(self.arrives_at),
            "status": self.status.value,
            "delay_minutes": self.delay_minutes,
            "capacity": {"items": self.capacity_items, "grams": self.capacity_grams},
            "planned": {"parcels": self.planned_parcels, "grams": self.planned_grams},
            "utilisation": round(self.utilisation, 4),
        }


@dataclass(frozen=True, slots=True)
class ShipmentMove:
    shipment_id: str
    from_departure: str | None
    to_departure: str | None  # None: no departure in the window has room
    at_risk: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "shipment_id": self.shipment_id,
            "from": self.from_departure,
            "to": self.to_departure,
            "at_risk": self.at_risk,
        }


@dataclass(frozen=True, slots=True)
class PlanSummary:
    plan_id: str
    plan_date: date
    trigger: str  # "daily", "cancel <id>", "delay <id> <minutes>m"
    lanes: tuple[str, ...]
    parcels: int
    departures: int
    departures_used: int
    moved: int
    at_risk: int
    unplanned: int
    overweight_departures: int
    seconds: float
    busiest: tuple[DepartureLoad, ...] = ()
    moves: tuple[ShipmentMove, ...] = ()
    moves_truncated: bool = False
    stage_seconds: dict[str, float] = field(default_factory=dict)

    def figures(self) -> dict[str, Any]:
        """Headline numbers, as stored with the plan run."""
        return {
            "trigger": self.trigger,
            "lanes": list(self.lanes),
            "parcels": self.parcels,
            "departures": self.departures,
            "departures_used": self.departures_used,
            "moved": self.moved,
            "at_risk": self.at_risk,
            "unplanned": self.unplanned,
            "overweight_departures": self.overweight_departures,
            "seconds": round(self.seconds, 4),
            "stage_seconds": {k: round(v, 4) for k, v in self.stage_seconds.items()},
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.plan_id,
            "date": self.plan_date.isoformat(),
            **self.figures(),
            "busiest_departures": [load.to_json() for load in self.busiest],
            "moves": [move.to_json() for move in self.moves],
            "moves_truncated": self.moves_truncated,
        }
