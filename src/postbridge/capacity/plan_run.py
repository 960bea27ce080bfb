"""One plan run inside a unit of work: departures in the window, open shipments on them,
``planning.plan_parcels``, then loads, shipment plans and moved routes written back.

A daily plan runs every lane; a disruption re-runs only the lanes of the disrupted departure
(lanes share no capacity, so the others cannot change). Departures that have already left are
frozen: they take no parcels and their loads stay as they were.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

from postbridge.capacity.departures import departure_rows, plan_window
from postbridge.capacity.models import (
    CapacityPlanRun,
    DepartureStatus,
    ScheduledDeparture,
    ShipmentPlan,
)
from postbridge.capacity.repository import CapacityRepository, OpenShipment
from postbridge.capacity.routes import (
    PlannedFlight,
    departs_of,
    planned_flight,
    promise_slack,
    repromised,
    retimed_route,
)
from postbridge.capacity.summary import MAX_REPORTED_MOVES, DepartureLoad, PlanSummary, ShipmentMove
from postbridge.kit.ids import new_id
from postbridge.network.model import Network
from postbridge.planning import Departures, Parcels, plan_parcels
from postbridge.quotes.route_document import CapacityNote, RouteDocument
from postbridge.routing.timetable import to_minute
from postbridge.shipments.lifecycle import ShipmentStatus

# Handed-over parcels sit in our sorting centre until their flight: they are planned too.
OPEN_STATUSES = (ShipmentStatus.BOOKED, ShipmentStatus.LABEL_CREATED, ShipmentStatus.HANDED_OVER)
BUSIEST_SHOWN = 10
NO_LIMIT = -1
STAGES = ("departures", "shipments", "solve", "write")
StageCallback = Callable[[str], None]


def _quiet(_stage: str) -> None:
    return None


@dataclass(frozen=True, slots=True)
class Demand:
    shipment: OpenShipment
    flight: PlannedFlight
    current_departure: str  # the departure it is on now
    ready_for_departure: datetime  # earliest scheduled departure it can catch
    deadline: datetime


def run_plan(
    repo: CapacityRepository,
    network: Network,
    *,
    plan_date: date,
    trigger: str,
    now: datetime,
    leg_ids: Iterable[str] | None = None,
    on_stage: StageCallback | None = None,
) -> PlanSummary:
    """Plan the window of ``plan_date`` (only ``leg_ids`` when given); the caller commits.

    ``on_stage`` is told each stage as it starts (one of :data:`STAGES`), for progress bars.
    """
    stage = on_stage or _quiet
    started = time.perf_counter()
    stage("departures")
    lanes = None if leg_ids is None else frozenset(leg_ids)
    start, end = plan_window(plan_date)
    repo.insert_missing_departures(departure_rows(network, start, end, leg_ids=lanes, now=now))
    stored = repo.departures_between(start, end, leg_ids=lanes)
    # A cancelled departure never leaves, so the parcels still planned on it are re-planned
    # whenever their lane is, even after its scheduled time.
    departed = {
        d.id
        for d in stored
        if d.status != DepartureStatus.CANCELLED.value and _effective_departs(d) < now
    }
    usable = [d for d in stored if d.id not in departed]
    stage("shipments")
    demand = _collect_demand(repo, network, start, end, lanes, departed)
    loaded = time.perf_counter()

    stage("solve")
    departures, parcels = _planning_tables(network, usable, demand)
    result = plan_parcels(parcels, departures)
    solved = time.perf_counter()

    stage("write")
    plan_id = new_id("cpl")
    rows = result.assignment.departure_row
    parcels_on = np.bincount(rows[rows >= 0], minlength=len(usable))
    for row, departure in enumerate(usable):
        departure.planned_parcels = int(parcels_on[row])
        departure.planned_grams = int(result.departure_grams[row])
        departure.last_plan_id = plan_id
        departure.updated_at = now
    changes, at_risk = _write_shipment_plans(repo, network, usable, demand, result.assignment, now)
    written = time.perf_counter()

    moved = [c for c in changes if c.to_departure is not None]
    summary = PlanSummary(
        plan_id=plan_id,
        plan_date=plan_date,
        trigger=trigger,
        lanes=tuple(sorted(lanes or {d.leg_id for d in stored})),
        parcels=len(demand),
        departures=len(usable),
        departures_used=len(np.unique(rows[rows >= 0])),
        moved=len(moved),
        at_risk=at_risk,
        unplanned=int(np.count_nonzero(result.assignment.unplanned)),
        overweight_departures=len(result.overweight_departures),
        seconds=time.perf_counter() - started,
        busiest=_busiest(usable),
        moves=tuple(changes[:MAX_REPORTED_MOVES]),
        moves_truncated=len(changes) > MAX_REPORTED_MOVES,
        stage_seconds={
            "load": loaded - started,
            "solve": solved - loaded,
            "write": written - solved,
        },
    )
    repo.add(
        CapacityPlanRun(id=plan_id, plan_date=plan_date, created_at=now, figures=summary.figures())
    )
    return summary


def _effective_departs(departure: ScheduledDeparture) -> datetime:
    return departure.departs_at + timedelta(minutes=departure.delay_minutes)


def _collect_demand(
    repo: CapacityRepository,
    network: Network,
    start: datetime,
    end: datetime,
    lanes: frozenset[str] | None,
    departed: set[str],
) -> list[Demand]:
    """Open shipments whose flight is on a departure scheduled in the window, not yet flown."""
    demand = []
    for shipment in repo.open_shipments(status.value for status in OPEN_STATUSES):
        flight = planned_flight(shipment.route)
        if flight is None or (lanes is not None and flight.leg_id not in lanes):
            continue
        current = shipment.planned_departure_id or flight.departure_id
        if not start <= departs_of(current) < end or current in departed:
            continue
        ready = flight.ready_before
        if ready is None:
            origin = network.facilities.get(flight.origin)
            processing = origin.processing.median_min if origin else 0
            ready = shipment.created_at + timedelta(minutes=processing)
        assert shipment.route is not None
        deadline = shipment.deadline or flight.arrives + promise_slack(shipment.route)
        demand.append(Demand(shipment, flight, current, ready + flight.cutoff, deadline))
    return demand


def _planning_tables(
    network: Network, usable: list[ScheduledDeparture], demand: list[Demand]
) -> tuple[Departures, Parcels]:
    lane_names = sorted({d.leg_id for d in usable} | {d.flight.leg_id for d in demand})
    lane = {name: index for index, name in enumerate(lane_names)}
    legs = {leg.id: leg for leg in network.legs}
    products = sorted({d.shipment.product or "" for d in demand})
    product = {name: index for index, name in enumerate(products)}
    departures = Departures.from_columns(
        departure_id=np.arange(len(usable)),
        lane_id=[lane[d.leg_id] for d in usable],
        departs_at=[to_minute(d.departs_at) for d in usable],
        arrives_at=[to_minute(d.arrives_at) for d in usable],
        capacity_parcels=[_limit(d.capacity_items) for d in usable],
        capacity_grams=[_limit(d.capacity_grams) for d in usable],
        cost_per_parcel=[_leg_cost(legs, d.leg_id, per_kg=False) for d in usable],
        cost_per_kg=[_leg_cost(legs, d.leg_id, per_kg=True) for d in usable],
        cancelled=[d.status == DepartureStatus.CANCELLED.value for d in usable],
        delay_minutes=[d.delay_minutes for d in usable],
    )
    parcels = Parcels.from_columns(
        parcel_id=np.arange(len(demand)),
        lane_id=[lane[d.flight.leg_id] for d in demand],
        product=[product[d.shipment.product or ""] for d in demand],
        ready_at=[to_minute(d.ready_for_departure) for d in demand],
        deadline=[to_minute(d.deadline) for d in demand],
        grams=[d.shipment.weight_g for d in demand],
    )
    return departures, parcels


def _limit(value: int | None) -> int:
    return NO_LIMIT if value is None else value


def _leg_cost(legs: dict[str, Any], leg_id: str, *, per_kg: bool) -> int:
    leg = legs.get(leg_id)
    if leg is None:
        return 0
    return int(leg.cost_per_kg_minor if per_kg else leg.cost_per_item_minor)


def _write_shipment_plans(
    repo: CapacityRepository,
    network: Network,
    usable: list[ScheduledDeparture],
    demand: list[Demand],
    assignment: Any,
    now: datetime,
) -> tuple[list[ShipmentMove], int]:
    """Upsert every planned shipment's plan; re-time, re-promise and flag routes that changed.
    Returns the moves and how many shipments are at risk."""
    plans = repo.shipment_plans([d.shipment.id for d in demand])
    route_updates: dict[str, RouteDocument] = {}
    changes = []
    at_risk_count = 0
    for index, item in enumerate(demand):
        row = int(assignment.departure_row[index])
        target = usable[row] if row >= 0 else None
        late, unplanned = bool(assignment.late[index]), bool(assignment.unplanned[index])
        retimed = _retimed(network, item, target)
        # The recomputed promise decides too: a parcel moved (now or by an earlier plan) whose
        # p90 delivery passes the date promised at booking is at risk, whatever the planner's
        # deadline says.
        current = retimed or item.shipment.route
        moved = retimed is not None or (current is not None and current.capacity is not None)
        broken = moved and current is not None and not current.promise.within_promise
        at_risk = late or unplanned or broken
        at_risk_count += at_risk
        reason = None
        if unplanned:
            reason = f"no departure of {item.flight.leg_id} in the planning window has room"
        elif (late or broken) and target is not None:
            reason = f"{target.id} arrives after the promise deadline"
        plan = plans.get(item.shipment.id)
        if plan is None:
            plan = ShipmentPlan(shipment_id=item.shipment.id, deadline=item.deadline)
            repo.add(plan)
        plan.departure_id = target.id if target else None
        plan.at_risk, plan.reason, plan.updated_at = at_risk, reason, now
        to_id = target.id if target else None
        if to_id != item.current_departure:
            changes.append(ShipmentMove(item.shipment.id, item.current_departure, to_id, at_risk))
        route = _updated_route(item, target, retimed, at_risk)
        if route is not None:
            route_updates[item.shipment.id] = route
    repo.set_routes(route_updates, now=now)
    return changes, at_risk_count


def _retimed(
    network: Network, item: Demand, target: ScheduledDeparture | None
) -> RouteDocument | None:
    """The route on ``target``'s effective times with its promise recomputed, or None when
    the flight keeps its times (or has no departure)."""
    if target is None:
        return None
    route = item.shipment.route
    assert route is not None
    departs = _effective_departs(target)
    arrives = target.arrives_at + timedelta(minutes=target.delay_minutes)
    if departs == item.flight.departs and arrives == item.flight.arrives:
        return None
    retimed = retimed_route(route, item.flight, departs=departs, arrives=arrives)
    return repromised(retimed, network, shift=arrives - item.flight.arrives)


def _updated_route(
    item: Demand, target: ScheduledDeparture | None, retimed: RouteDocument | None, at_risk: bool
) -> RouteDocument | None:
    """The shipment's new route document, or None when it stays as stored."""
    route = item.shipment.route
    assert route is not None
    capacity = CapacityNote(departure=target.id if target else None, at_risk=at_risk)
    updated = retimed or route
    # A shipment that never left its booked departure on time carries no capacity note.
    if updated is route and route.capacity in (None, capacity) and not at_risk:
        return None
    if updated is route and route.capacity == capacity:
        return None
    return updated.with_capacity(capacity)


def _busiest(departures: list[ScheduledDeparture]) -> tuple[DepartureLoad, ...]:
    loads = [DepartureLoad.of(d) for d in departures if d.planned_parcels]
    loads.sort(key=lambda load: (-load.utilisation, -load.planned_parcels, load.id))
    return tuple(loads[:BUSIEST_SHOWN])
