"""Console shipments: the filtered, keyset-paged list (served at ``/`` by console.py through
``shipment_list``), one shipment's page (parcel, route planned against actual, tracking events,
delivery estimate and its history, advance data), its label download and its cancellation.

Every read is scoped to the signed-in user's merchant (``identity.scope``); another merchant's
shipment is the same 404 page as one that does not exist."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request, Response

from postbridge.console.service import ConsoleIdentity
from postbridge.errors import InvalidInput, NotFound, PostbridgeError
from postbridge.handover.advance_data import advance_data_views
from postbridge.kit.money import Money
from postbridge.kit.text import storable
from postbridge.labelling.service import LabelFormat, render_labels
from postbridge.shipments.booking import cancel_shipment
from postbridge.shipments.lifecycle import CANCELLABLE, ShipmentStatus
from postbridge.shipments.models import Shipment
from postbridge.shipments.reading import get_shipment, list_shipments
from postbridge.shipments.views import decode_cursor, public_address
from postbridge.tracking.reading import TrackerView, get_tracker
from postbridge.web.console_pages import (
    current_identity,
    message_page,
    not_found,
    platform_of,
    render,
    signed_in_form,
    to_sign_in,
)
from postbridge.web.console_shipment_filters import STATUSES, read_filters
from postbridge.web.console_shipment_timeline import route_timeline

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 25
LABEL_FORMATS = [label_format.value for label_format in LabelFormat]
LABEL_PAGE_SIZE = "4x6"  # the thermal label printers merchants use


def shipment_list(request: Request, identity: ConsoleIdentity) -> Response:
    """The list page: the filter form (a refused field is named, with a 422 and no list) and
    a page of the matching shipments, newest first, with the filters carried by the next link."""
    filters = read_filters(request.query_params, merchant_id=identity.scope)
    context: dict[str, Any] = {
        "active": "shipments", "statuses": STATUSES, "filters": filters, "typed": filters.typed,
        "errors": filters.errors, "shipments": [], "next_link": None, "first_link": None,
    }  # fmt: skip
    if filters.errors:
        return render(request, "console/home.html", context, identity=identity, status_code=422)
    cursor = request.query_params.get("cursor") or None
    if cursor is not None and not _readable_cursor(cursor):
        return message_page(
            request, identity=identity, status_code=422, title="Shipments could not be listed",
            message="cursor: not a link this page gave; start again from the first page.",
        )  # fmt: skip
    try:
        listing = list_shipments(
            database=platform_of(request).database, spec=filters.spec,
            cursor=cursor, limit=PAGE_SIZE,
        )  # fmt: skip
    except PostbridgeError as exc:
        return message_page(
            request, identity=identity, status_code=exc.http_status,
            title="Shipments could not be listed", message=exc.detail,
        )  # fmt: skip
    context["shipments"] = listing.items
    if listing.next_cursor:
        context["next_link"] = "/?" + filters.query(cursor=listing.next_cursor)
    if cursor:
        context["first_link"] = "/?" + filters.query()
    return render(request, "console/home.html", context, identity=identity)


def _readable_cursor(cursor: str) -> bool:
    """A cursor this page could have written: an aware time and an id a database can store
    (PostgreSQL refuses NUL in a query; a naive time cannot be compared with a UTC one)."""
    if len(cursor) > 200:
        return False
    try:
        created_at, shipment_id = decode_cursor(cursor)
    except InvalidInput:
        return False
    return created_at.utcoffset() is not None and storable(shipment_id)


def _tracker(request: Request, shipment: Shipment, identity: ConsoleIdentity) -> TrackerView | None:
    try:
        return get_tracker(
            database=platform_of(request).database, tracking_number=shipment.tracking_number,
            merchant_id=identity.scope,
        )  # fmt: skip
    except NotFound:  # a parcel booked before trackers existed has no tracker yet
        return None


@router.get("/shipments/{shipment_id}")
def shipment_page(
    request: Request,
    shipment_id: str,
    cancelled: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    identity = current_identity(request)
    if identity is None:
        return to_sign_in(request)
    database = platform_of(request).database
    try:
        shipment = get_shipment(
            database=database, shipment_id=shipment_id, merchant_id=identity.scope
        )
    except NotFound:
        return not_found(request, identity, "shipment")
    tracker = _tracker(request, shipment, identity)
    events = tracker.events if tracker else ()
    advance = advance_data_views(database=database, shipment_ids=[shipment.id])[shipment.id]
    estimates = list(tracker.estimates) if tracker else []
    status = ShipmentStatus(shipment.status)
    price = None
    if shipment.price_minor is not None and shipment.price_currency:
        price = Money(shipment.price_currency, shipment.price_minor)
    return render(
        request, "console/shipment.html",
        {"active": "shipments", "shipment": shipment, "route": shipment.route,
         "sender": public_address(shipment.sender),
         "recipient": public_address(shipment.recipient), "tracker": tracker, "events": events,
         "legs": route_timeline(shipment.route, events), "estimates": estimates,
         "current_estimate": estimates[-1] if estimates else None, "advance": advance,
         "cancellable": status in CANCELLABLE, "label_formats": LABEL_FORMATS,
         "printable": status is not ShipmentStatus.CANCELLED,
         "price": price, "just_cancelled": cancelled == "1"},
        identity=identity,
    )  # fmt: skip


@router.get("/shipments/{shipment_id}/label")
def shipment_label(
    request: Request,
    shipment_id: str,
    format: Annotated[str, Query(max_length=10)] = "pdf",
) -> Response:
    identity = current_identity(request)
    if identity is None:
        return to_sign_in(request)
    if format not in LABEL_FORMATS:
        return message_page(
            request, identity=identity, status_code=422, title="Label refused",
            message=f"format: a label is one of {', '.join(LABEL_FORMATS)}.",
        )  # fmt: skip
    platform = platform_of(request)
    try:
        rendered = render_labels(
            database=platform.database, shipment_ids=[shipment_id], merchant_id=identity.scope,
            label_format=LabelFormat(format), partners=platform.partners,
            page_size=LABEL_PAGE_SIZE,
        )  # fmt: skip
    except NotFound:
        return not_found(request, identity, "shipment")
    except PostbridgeError as exc:
        return message_page(
            request, identity=identity, status_code=exc.http_status,
            title="The label could not be made", message=exc.detail,
        )  # fmt: skip
    # Named by the tracking number (LX123456785CN.pdf): what a warehouse searches its
    # downloads for; the name is letters, digits and a dot, so it needs no quoting rules.
    return Response(
        rendered.content, media_type=rendered.media_type,
        headers={"Content-Disposition": f'attachment; filename="{rendered.file_name}"',
                 "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
    )  # fmt: skip


@router.post("/shipments/{shipment_id}/cancel")
def shipment_cancel(
    request: Request,
    shipment_id: str,
    csrf_token: Annotated[str | None, Form()] = None,
) -> Response:
    identity = signed_in_form(request, csrf_token)
    if isinstance(identity, Response):
        return identity
    database = platform_of(request).database
    try:
        before = get_shipment(
            database=database, shipment_id=shipment_id, merchant_id=identity.scope
        )
        if before.status == ShipmentStatus.CANCELLED:
            return message_page(
                request, identity=identity, status_code=409, title="Already cancelled",
                message=f"Shipment {before.reference} ({before.tracking_number}) was already "
                "cancelled: there is nothing more to do.",
            )  # fmt: skip
        cancel_shipment(database=database, shipment_id=shipment_id, merchant_id=identity.scope)
    except NotFound:
        return not_found(request, identity, "shipment")
    except PostbridgeError as exc:
        return message_page(
            request, identity=identity, status_code=exc.http_status,
            title="The shipment could not be cancelled", message=exc.detail,
        )  # fmt: skip
    return Response(status_code=303, headers={"Location": f"/shipments/{before.id}?cancelled=1"})
