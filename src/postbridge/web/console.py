"""The web console: server-rendered pages for signed-in merchant users and operators, calling
the services directly (never the API over HTTP, never an API key). This router serves the home
page (the recent shipments) and includes sign-in (console_auth) and the Developers page
(console_developers); page plumbing is in console_pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from postbridge.errors import PostbridgeError
from postbridge.shipments.lifecycle import ShipmentStatus
from postbridge.shipments.reading import list_shipments
from postbridge.shipments.repository import ShipmentFilter
from postbridge.web import (
    console_assets,
    console_auth,
    console_booking,
    console_bulk,
    console_dashboard,
    console_developers,
    console_network,
    console_operations,
    console_shipments,
)
from postbridge.web.console_pages import (
    current_identity,
    message_page,
    platform_of,
    render,
    to_sign_in,
)

router = APIRouter(include_in_schema=False)
router.include_router(console_auth.router)
router.include_router(console_developers.router)
router.include_router(console_network.router)
router.include_router(console_operations.router)
router.include_router(console_assets.router)
router.include_router(console_dashboard.router)
router.include_router(console_shipments.router)
router.include_router(console_booking.router)
router.include_router(console_bulk.router)
PAGE_SIZE = 25
STATUSES = [status.value for status in ShipmentStatus]


@router.get("/")
def console_home(
    request: Request,
    status: Annotated[str | None, Query(max_length=40)] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    identity = current_identity(request)
    if identity is None:
        return to_sign_in(request)
    chosen = status if status in STATUSES else None
    try:
        listing = list_shipments(
            database=platform_of(request).database,
            spec=ShipmentFilter(merchant_id=identity.scope, status=chosen),
            cursor=cursor or None,
            limit=PAGE_SIZE,
        )
    except PostbridgeError as exc:
        return message_page(
            request, identity=identity, status_code=exc.http_status,
            title="Shipments could not be listed", message=exc.detail,
        )  # fmt: skip
    return render(
        request, "console/home.html",
        {"active": "shipments", "shipments": listing.items, "next_cursor": listing.next_cursor,
         "statuses": STATUSES, "status": chosen},
        identity=identity,
    )  # fmt: skip
