"""Shipments API: book (with Idempotency-Key), read, list with filters, cancel."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response

from postbridge.api.deps import PlatformDep, PrincipalDep
from postbridge.api.offload import run_blocking
from postbridge.bootstrap import Platform
from postbridge.errors import InvalidInput
from postbridge.handover.advance_data import advance_data_views
from postbridge.kit.schemas import Line
from postbridge.shipments import booking, reading
from postbridge.shipments.lifecycle import ShipmentStatus
from postbridge.shipments.repository import ShipmentFilter
from postbridge.shipments.schemas import ShipmentCreate, ShipmentPage, ShipmentRead
from postbridge.shipments.views import dumps, shipment_input, shipment_json, shipment_read

router = APIRouter(prefix="/shipments", tags=["shipments"])

PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing or invalid API key (problem+json)."},
    404: {"description": "No such shipment for this merchant (problem+json)."},
    409: {"description": "Conflict, e.g. an Idempotency-Key reused with another body."},
    422: {"description": "Invalid fields; `errors` lists each field path and what was expected."},
}


@router.post(
    "",
    status_code=201,
    response_model=ShipmentRead,
    summary="Book a shipment",
    responses=PROBLEM_RESPONSES,
)
async def create_shipment(
    body: ShipmentCreate,
    request: Request,
    platform: PlatformDep,
    principal: PrincipalDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            max_length=255,
            description="Same key + same body returns the first result; a different body is 409.",
        ),
    ] = None,
) -> Response:
    booked, content = await run_blocking(
        _book, body, platform, principal.merchant_id, idempotency_key
    )
    headers = {"Location": str(request.url_for("read_shipment", shipment_id=booked.shipment_id))}
    if booked.replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(content, status_code=201, headers=headers, media_type="application/json")


def _book(
    body: ShipmentCreate, platform: Platform, merchant_id: str, idempotency_key: str | None
) -> tuple[booking.Booked, bytes]:
    booked = booking.book(
        deps=platform.booking,
        merchant_id=merchant_id,
        shipment=shipment_input(body),
        idempotency_key=idempotency_key,
        request_hash=booking.request_fingerprint(body.model_dump(mode="json")),
    )
    found = reading.shipment_rows(
        database=platform.database, shipment_id=booked.shipment_id, merchant_id=None
    )
    return booked, dumps(shipment_json(found.rows[0], found.documents))


# The read model is rendered straight to JSON bytes (shipments.views, "read model straight from
# rows"): a returned Response skips FastAPI's validation of the body against response_model,
# which stays declared for the OpenAPI schema.
def _json(document: Any) -> Response:
    return Response(dumps(document), media_type="application/json")


@router.get(
    "/{shipment_id}",
    response_model=ShipmentRead,
    summary="Read a shipment",
    responses=PROBLEM_RESPONSES,
)
async def read_shipment(
    shipment_id: str, platform: PlatformDep, principal: PrincipalDep
) -> Response:
    return await run_blocking(_read, shipment_id, platform, principal.scope)


def _read(shipment_id: str, platform: Platform, scope: str | None) -> Response:
    found = reading.shipment_rows(
        database=platform.database, shipment_id=shipment_id, merchant_id=scope
    )
    row = found.rows[0]
    blocks = advance_data_views(database=platform.database, shipment_ids=[row.id])
    return _json(shipment_json(row, found.documents, advance_data=blocks[row.id]))


@router.post(
    "/{shipment_id}/cancel",
    response_model=ShipmentRead,
    summary="Cancel a shipment before hand-over",
    responses=PROBLEM_RESPONSES,
)
def cancel_shipment(
    shipment_id: str, platform: PlatformDep, principal: PrincipalDep
) -> dict[str, Any]:
    shipment = booking.cancel_shipment(
        database=platform.database, shipment_id=shipment_id, merchant_id=principal.scope
    )
    return shipment_read(shipment)


@router.get(
    "",
    response_model=ShipmentPage,
    summary="List shipments, newest first",
    responses=PROBLEM_RESPONSES,
)
async def list_shipments(
    platform: PlatformDep,
    principal: PrincipalDep,
    status: ShipmentStatus | None = None,
    destination: Annotated[
        Line | None, Query(min_length=2, max_length=2, description="ISO alpha-2")
    ] = None,
    reference: Annotated[Line | None, Query(max_length=100)] = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    cursor: Annotated[Line | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Response:
    for name, moment in (("created_from", created_from), ("created_to", created_to)):
        if moment is not None and moment.tzinfo is None:
            raise InvalidInput.for_field(
                name, "expected a time with a UTC offset, e.g. 2026-11-25T00:00:00Z"
            )
    spec = ShipmentFilter(
        merchant_id=principal.scope,
        status=status.value if status else None,
        destination=destination.upper() if destination else None,
        reference=reference,
        created_from=created_from,
        created_to=created_to,
    )
    return await run_blocking(_list, platform, spec, cursor, limit)


def _list(platform: Platform, spec: ShipmentFilter, cursor: str | None, limit: int) -> Response:
    page = reading.page_rows(database=platform.database, spec=spec, cursor=cursor, limit=limit)
    blocks = advance_data_views(
        database=platform.database, shipment_ids=[row.id for row in page.rows]
    )
    items = [shipment_json(row, page.documents, advance_data=blocks[row.id]) for row in page.rows]
    return _json({"items": items, "next_cursor": page.next_cursor})
