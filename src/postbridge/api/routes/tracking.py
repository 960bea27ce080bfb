"""Tracking API: the canonical event feed (operators), trackers (merchant-scoped), unmapped
codes and exceptions (operators)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from postbridge.api.deps import OperatorDep, PlatformDep, PrincipalDep
from postbridge.api.offload import run_blocking
from postbridge.bootstrap import Platform
from postbridge.errors import InvalidInput
from postbridge.kit.clock import utc_now
from postbridge.kit.schemas import Line
from postbridge.tracking import reading
from postbridge.tracking.alerts import AlertKind
from postbridge.tracking.canonical import NDJSON
from postbridge.tracking.imports import ingest_request
from postbridge.tracking.model import TrackingStatus
from postbridge.tracking.schemas import (
    CanonicalEventIn,
    ExceptionPage,
    IngestResult,
    TrackerCreate,
    TrackerCreated,
    TrackerPage,
    TrackerRead,
    UnmappedCodeList,
    exception_read,
    ingest_result,
    tracker_created,
    tracker_summary,
    unmapped_read,
)
from postbridge.tracking.settings import silence_limits
from postbridge.tracking.trackers import track_number
from postbridge.tracking.views import dumps, tracker_json

router = APIRouter(tags=["tracking"])

RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing or invalid API key (problem+json)."},
    403: {"description": "This route needs an operator key (problem+json)."},
    404: {"description": "No such tracker for this merchant (problem+json)."},
    422: {"description": "Invalid input; `errors` names each field, e.g. `[3].occurred_at`."},
}
_EVENTS_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"type": "array", "items": CanonicalEventIn.model_json_schema()}
            },
            NDJSON: {"schema": CanonicalEventIn.model_json_schema()},
        },
    }
}


@router.post(
    "/tracking-events",
    status_code=202,
    response_model=IngestResult,
    summary="Ingest tracking events (operators): a JSON array or JSON Lines",
    responses=RESPONSES,
    openapi_extra=_EVENTS_BODY,
)
async def post_tracking_events(
    request: Request, platform: PlatformDep, _: OperatorDep
) -> IngestResult:
    body = await request.body()
    counts = await run_in_threadpool(
        ingest_request,
        database=platform.database,
        body=body,
        content_type=request.headers.get("content-type", "application/json"),
        code_schemes=platform.partners.code_scheme,
    )
    return ingest_result(counts)


@router.post(
    "/trackers",
    status_code=201,
    response_model=TrackerCreated,
    summary="Track a number postbridge did not book (carrier detected from the number)",
    responses=RESPONSES,
)
def post_tracker(
    body: TrackerCreate, response: Response, platform: PlatformDep, principal: PrincipalDep
) -> TrackerCreated:
    tracked = track_number(
        database=platform.database,
        merchant_id=principal.merchant_id,
        tracking_number=body.tracking_number,
    )
    if not tracked.created:
        response.status_code = 200
    return tracker_created(tracked.view, tracked.candidates)


@router.get(
    "/trackers/{tracking_number}",
    response_model=TrackerRead,
    summary="A tracker: status, reason, action, milestone, promise and events newest first",
    responses=RESPONSES,
)
async def read_tracker(
    tracking_number: str, platform: PlatformDep, principal: PrincipalDep
) -> Response:
    return await run_blocking(_read_tracker, tracking_number, platform, principal.scope)


def _read_tracker(tracking_number: str, platform: Platform, scope: str | None) -> Response:
    # Rendered straight to JSON bytes (tracking.views): a returned Response skips FastAPI's
    # validation against the response model, which stays declared for the OpenAPI schema.
    view = reading.get_tracker(
        database=platform.database, tracking_number=tracking_number, merchant_id=scope
    )
    return Response(dumps(tracker_json(view)), media_type="application/json")


@router.get(
    "/trackers",
    response_model=TrackerPage,
    summary="Trackers, oldest change first (poll with updated_since)",
    responses=RESPONSES,
)
def list_trackers(
    platform: PlatformDep,
    principal: PrincipalDep,
    status: TrackingStatus | None = None,
    partner: Annotated[Line | None, Query(max_length=40)] = None,
    updated_since: datetime | None = None,
    cursor: Annotated[Line | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> TrackerPage:
    if updated_since is not None and updated_since.tzinfo is None:
        raise InvalidInput.for_field(
            "updated_since", "expected a time with a UTC offset, e.g. 2026-11-25T00:00:00Z"
        )
    listing = reading.list_trackers(
        database=platform.database, merchant_id=principal.scope,
        status=status.value if status else None, partner=partner, updated_since=updated_since,
        cursor=cursor, limit=limit,
    )  # fmt: skip
    return TrackerPage(
        items=[tracker_summary(t) for t in listing.items], next_cursor=listing.next_cursor
    )


@router.get(
    "/tracking/unmapped-codes",
    response_model=UnmappedCodeList,
    summary="Partner codes no table maps, most frequent first (operators)",
    responses=RESPONSES,
)
def list_unmapped_codes(
    platform: PlatformDep, _: OperatorDep, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> UnmappedCodeList:
    rows = reading.list_unmapped_codes(database=platform.database, limit=limit)
    return UnmappedCodeList(items=[unmapped_read(row) for row in rows])


@router.get(
    "/exceptions",
    response_model=ExceptionPage,
    summary="Parcels that need someone: exceptions, customs holds, no scan for too long",
    responses=RESPONSES,
)
def list_exceptions(
    platform: PlatformDep,
    _: OperatorDep,
    kind: Annotated[list[AlertKind] | None, Query()] = None,
    cursor: Annotated[Line | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ExceptionPage:
    items, next_cursor = reading.list_exceptions(
        database=platform.database, now=utc_now(), limits=silence_limits(),
        kinds=[k.value for k in kind or []], cursor=cursor, limit=limit,
    )  # fmt: skip
    return ExceptionPage(items=[exception_read(i) for i in items], next_cursor=next_cursor)
