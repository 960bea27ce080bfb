"""Events API: the objects the webhooks carry, merchant-scoped, kept 30 days; redelivery."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from postbridge.api.deps import PlatformDep, PrincipalDep
from postbridge.errors import InvalidInput
from postbridge.kit.schemas import Line
from postbridge.webhooks import reading, replay
from postbridge.webhooks.schemas import EventObject, EventPage, RedeliverRequest, RedeliveryRead

router = APIRouter(prefix="/events", tags=["webhooks"])

RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing or invalid API key (problem+json)."},
    404: {"description": "No such event (or endpoint) for this merchant (problem+json)."},
    409: {"description": "The endpoint is disabled: enable it first (problem+json)."},
    422: {"description": "Invalid query or body; `errors` names each field (problem+json)."},
}


@router.get("", response_model=EventPage, summary="Your events, newest first", responses=RESPONSES)
def list_events(
    platform: PlatformDep,
    principal: PrincipalDep,
    type: Annotated[list[Line] | None, Query(description="Repeat to match several.")] = None,
    created_from: datetime | None = None,
    created_to: Annotated[datetime | None, Query(description="Exclusive.")] = None,
    cursor: Annotated[Line | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    for name, moment in (("created_from", created_from), ("created_to", created_to)):
        if moment is not None and moment.tzinfo is None:
            raise InvalidInput.for_field(name, "expected a time with a UTC offset")
    page = reading.list_events(
        database=platform.database, merchant_id=principal.merchant_id, types=type,
        created_from=created_from, created_to=created_to, cursor=cursor, limit=limit,
    )  # fmt: skip
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/{event_id}", response_model=EventObject, summary="Read an event", responses=RESPONSES)
def read_event(event_id: str, platform: PlatformDep, principal: PrincipalDep) -> dict[str, Any]:
    return reading.get_event(
        database=platform.database, merchant_id=principal.merchant_id, event_id=event_id
    )


@router.post(
    "/{event_id}/redeliver",
    status_code=202,
    response_model=RedeliveryRead,
    summary="Send an event again (to one endpoint, or to every subscribed one)",
    responses=RESPONSES,
)
def redeliver(
    event_id: str,
    platform: PlatformDep,
    principal: PrincipalDep,
    body: Annotated[RedeliverRequest | None, Body()] = None,
) -> dict[str, Any]:
    queued = replay.redeliver_event(
        database=platform.database, merchant_id=principal.merchant_id, event_id=event_id,
        endpoint_id=(body or RedeliverRequest()).endpoint_id,
    )  # fmt: skip
    return {
        "event_id": event_id,
        "deliveries": [
            {"delivery_id": q.delivery_id, "endpoint_id": q.endpoint_id} for q in queued
        ],
    }
