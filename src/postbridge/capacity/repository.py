"""Every query of the capacity context."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from postbridge.capacity.models import (
    CapacityPlanRun,
    DepartureStatus,
    ScheduledDeparture,
    ShipmentPlan,
)
from postbridge.kit.text import storable
from postbridge.quotes.route_document import RouteDocument
from postbridge.shipments.models import Shipment, ShipmentDocument
from postbridge.shipments.repository import ShipmentRepository

CHUNK = 500  # ids per IN (...) list: far below SQLite's and PostgreSQL's parameter limits


@dataclass(frozen=True, slots=True)
class OpenShipment:
    """What planning reads of a shipment not yet flown, plus its current plan if any."""

    id: str
    created_at: datetime
    weight_g: int
    product: str | None
    route: RouteDocument | None
    planned_departure_id: str | None
    deadline: datetime | None
    at_risk: bool


class CapacityRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- departures -------------------------------------------------------------------------

    def insert_missing_departures(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert departures whose id is new; existing ones (and their edits) stay as they are."""
        if not rows:
            return
        dialect = self.session.get_bind().dialect.name
        module: Any = postgresql if dialect == "postgresql" else sqlite
        for start in range(0, len(rows), CHUNK):
            statement = module.insert(ScheduledDeparture).values(list(rows[start : start + CHUNK]))
            self.session.execute(statement.on_conflict_do_nothing(index_elements=["id"]))

    def departures_between(
        self, start: datetime, end: datetime, *, leg_ids: Iterable[str] | None = None
    ) -> list[ScheduledDeparture]:
        """Departures scheduled in [start, end), by leg then time."""
        query = select(ScheduledDeparture).where(
            ScheduledDeparture.departs_at >= start, ScheduledDeparture.departs_at < end
        )
        if leg_ids is not None:
            query = query.where(ScheduledDeparture.leg_id.in_(sorted(leg_ids)))
        query = query.order_by(ScheduledDeparture.leg_id, ScheduledDeparture.departs_at)
        return list(self.session.scalars(query).all())

    def disrupted_departures(self, since: datetime) -> list[tuple[str, datetime, str, int]]:
        """(leg, scheduled departure, status, delay minutes) of every departure scheduled from
        ``since`` that is cancelled or delayed."""
        query = select(
            ScheduledDeparture.leg_id,
            ScheduledDeparture.departs_at,
            ScheduledDeparture.status,
            ScheduledDeparture.delay_minutes,
        ).where(
            ScheduledDeparture.departs_at >= since,
            (ScheduledDeparture.status != DepartureStatus.SCHEDULED.value)
            | (ScheduledDeparture.delay_minutes != 0),
        )
        return [
            (leg, departs, status, delay)
            for leg, departs, status, delay in self.session.execute(query)
        ]

    def get_departure(
        self, departure_id: str, *, for_update: bool = False
    ) -> ScheduledDeparture | None:
        if not storable(departure_id):  # no such id can exist; PostgreSQL would refuse the query
            return None
        return self.session.get(ScheduledDeparture, departure_id, with_for_update=for_update)

    # -- shipments and their plans ----------------------------------------------------------

    def open_shipments(self, statuses: Iterable[str]) -> list[OpenShipment]:
        """Open shipments with their routes, each shared route parsed once."""
        query = (
            select(
                Shipment.id,
                Shipment.created_at,
                Shipment.weight_g,
                Shipment.product,
                Shipment.route_digest,
                ShipmentDocument.body,
                ShipmentPlan.departure_id,
                ShipmentPlan.deadline,
                ShipmentPlan.at_risk,
            )
            .outerjoin(ShipmentDocument, ShipmentDocument.digest == Shipment.route_digest)
            .outerjoin(ShipmentPlan, ShipmentPlan.shipment_id == Shipment.id)
            .where(Shipment.status.in_(sorted(statuses)))
            .order_by(Shipment.id)
        )
        routes: dict[str, RouteDocument] = {}
        found = []
        for row in self.session.execute(query):
            digest, body = row[4], row[5]
            route = None
            if digest is not None and body is not None:
                route = routes.get(digest)
                if route is None:
                    route = routes[digest] = RouteDocument.from_json(body)
            found.append(
                OpenShipment(
                    id=row[0],
                    created_at=row[1],
                    weight_g=row[2],
                    product=row[3],
                    route=route,
                    planned_departure_id=row[6],
                    deadline=row[7],
                    at_risk=bool(row[8]),
                )
            )
        return found

    def shipment_plans(self, shipment_ids: Sequence[str]) -> dict[str, ShipmentPlan]:
        found: dict[str, ShipmentPlan] = {}
        for start in range(0, len(shipment_ids), CHUNK):
            chunk = list(shipment_ids[start : start + CHUNK])
            query = select(ShipmentPlan).where(ShipmentPlan.shipment_id.in_(chunk))
            found.update((plan.shipment_id, plan) for plan in self.session.scalars(query))
        return found

    def set_routes(self, routes: Mapping[str, RouteDocument], *, now: datetime) -> None:
        documents = {shipment_id: route.to_json() for shipment_id, route in routes.items()}
        ShipmentRepository(self.session).set_routes(documents, now=now)

    def add(self, entity: ShipmentPlan | CapacityPlanRun) -> None:
        self.session.add(entity)

    def add_all(self, entities: Iterable[ShipmentPlan]) -> None:
        self.session.add_all(list(entities))
