"""Daily capacity plan and disruptions, wired to storage.

``plan_day`` materialises the dated departures of every air leg for D and the roll-over days
after it, shares them out among the booked, not yet flown shipments with the pure planner
(:mod:`postbridge.planning`), writes per-departure loads and each shipment's planned departure,
re-times moved shipments' routes and flags promises at risk. ``cancel_departure`` and
``delay_departure`` mark a departure and re-plan its lane in the same transaction.
"""

from postbridge.capacity.models import DepartureStatus
from postbridge.capacity.service import (
    cancel_departure,
    delay_departure,
    list_departures,
    parse_plan_date,
    plan_day,
    set_departure_capacity,
)
from postbridge.capacity.summary import DepartureLoad, PlanSummary, ShipmentMove

__all__ = [
    "DepartureLoad",
    "DepartureStatus",
    "PlanSummary",
    "ShipmentMove",
    "cancel_departure",
    "delay_departure",
    "list_departures",
    "parse_plan_date",
    "plan_day",
    "set_departure_capacity",
]
