"""Operator API for the daily capacity plan, departures and disruptions (operator keys only)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import Field, StrictInt

from postbridge import capacity
from postbridge.api.deps import OperatorDep, PlatformDep
from postbridge.kit.schemas import Line, StrictModel

router = APIRouter(tags=["capacity"])

OPERATOR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing or invalid API key (problem+json)."},
    403: {"description": "The key is a merchant key; these routes need an operator key."},
    404: {"description": "No such departure (problem+json)."},
    409: {"description": "The departure is cancelled and cannot be delayed."},
    422: {"description": "Invalid fields; `errors` names each field."},
}


class PlanCreate(StrictModel):
    date: Line = Field(description="The day whose departures to plan, YYYY-MM-DD (UTC).")


class DelayCreate(StrictModel):
    minutes: StrictInt = Field(description="Delay from the scheduled time; 0 puts it back on time.")


class CapacityUpdate(StrictModel):
    """A merge patch: a field left out keeps its value, null lifts the limit, and a body that
    changes nothing is refused (a misspelt field is refused as unknown)."""

    capacity_items: StrictInt | None = Field(
        default=None, description="Parcels; null: no limit; omitted: unchanged."
    )
    capacity_grams: StrictInt | None = Field(
        default=None, description="Grams; null: no limit; omitted: unchanged."
    )


@router.post(
    "/capacity-plans",
    status_code=201,
    summary="Plan a day: share its departures out among booked parcels",
    description=(
        "Materialises the departures of every air leg for the date and the three days after "
        "it (roll-over), assigns booked, not yet flown parcels with a min-cost flow, writes "
        "per-departure loads, moves shipments to their new departures and flags promises at "
        "risk. Re-running a date is safe: departures are never duplicated."
    ),
    responses=OPERATOR_RESPONSES,
)
def create_plan(body: PlanCreate, platform: PlatformDep, _: OperatorDep) -> dict[str, Any]:
    plan_date = capacity.parse_plan_date(body.date)
    return capacity.plan_day(
        database=platform.database, network=platform.quoter.network, plan_date=plan_date
    ).to_json()


@router.get(
    "/departures",
    summary="Departures of a day with their capacity and planned load",
    responses=OPERATOR_RESPONSES,
)
def list_departures(
    platform: PlatformDep,
    _: OperatorDep,
    date: Annotated[str, Query(description="YYYY-MM-DD (UTC)")],
    lane: Annotated[
        Line | None, Query(max_length=100, description="A leg id, e.g. HKG-HUB>LAX-ISC")
    ] = None,
) -> dict[str, Any]:
    on_date = capacity.parse_plan_date(date)
    loads = capacity.list_departures(database=platform.database, on_date=on_date, leg_id=lane)
    return {"date": on_date.isoformat(), "items": [load.to_json() for load in loads]}


@router.patch(
    "/departures/{departure_id}",
    summary="Change a departure's capacity (used by the next plan)",
    responses=OPERATOR_RESPONSES,
)
def update_departure(
    departure_id: str, body: CapacityUpdate, platform: PlatformDep, _: OperatorDep
) -> dict[str, Any]:
    changes = body.model_dump(include=body.model_fields_set)
    return capacity.set_departure_capacity(
        database=platform.database, departure_id=departure_id, **changes
    ).to_json()


@router.post(
    "/departures/{departure_id}/cancel",
    summary="Cancel a departure and re-plan its lane",
    responses=OPERATOR_RESPONSES,
)
def cancel_departure(departure_id: str, platform: PlatformDep, _: OperatorDep) -> dict[str, Any]:
    return capacity.cancel_departure(
        database=platform.database,
        network=platform.quoter.network,
        departure_id=departure_id,
    ).to_json()


@router.post(
    "/departures/{departure_id}/delay",
    summary="Delay a departure and re-plan its lane",
    responses=OPERATOR_RESPONSES,
)
def delay_departure(
    departure_id: str, body: DelayCreate, platform: PlatformDep, _: OperatorDep
) -> dict[str, Any]:
    return capacity.delay_departure(
        database=platform.database,
        network=platform.quoter.network,
        departure_id=departure_id,
        minutes=body.minutes,
    ).to_json()
