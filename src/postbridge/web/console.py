"""The web console: server-rendered pages for signed-in merchant users and operators, calling
the services directly (never the API over HTTP, never an API key). This router serves the home
page (the shipment list, built by console_shipments) and includes sign-in (console_auth) and
the Developers page (console_developers); page plumbing is in console_pages."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

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
from postbridge.web.console_pages import current_identity, to_sign_in

router = APIRouter(include_in_schema=False)
router.include_router(console_auth.router)
router.include_router(console_developers.router)
router.include_router(console_network.router)
router.include_router(console_operations.router)
router.include_router(console_assets.router)
router.include_router(console_dashboard.router)
# Before console_shipments: its /shipments/{shipment_id} would take /shipments/new.
router.include_router(console_booking.router)
router.include_router(console_shipments.router)
router.include_router(console_bulk.router)


@router.get("/")
def console_home(request: Request) -> Response:
    """The shipment list with its filters (console_shipments reads and checks them)."""
    identity = current_identity(request)
    if identity is None:
        return to_sign_in(request)
    return console_shipments.shipment_list(request, identity)
