"""Operators' network page: facilities, lanes, and a day's departures with their planned loads;
a departure can be marked delayed or cancelled (the same services as the disruptions API), and
the result page lists the parcels the re-plan moved."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response

from postbridge import capacity
from postbridge.console.service import ConsoleIdentity
from postbridge.errors import PostbridgeError
from postbridge.kit.clock import utc_now
from postbridge.web.console_operator import operator_form, operator_page
from postbridge.web.console_pages import message_page, platform_of, render

router = APIRouter(include_in_schema=False)
MAX_DELAY_MINUTES = 7 * 24 * 60


@router.get("/network")
def network_page(
    request: Request, date: Annotated[str | None, Query(max_length=20)] = None
) -> Response:
    identity = operator_page(request)
    if isinstance(identity, Response):
        return identity
    platform = platform_of(request)
    day_text = date or utc_now().date().isoformat()
    try:
        day = capacity.parse_plan_date(day_text)
        loads = capacity.list_departures(database=platform.database, on_date=day)
    except PostbridgeError as exc:
        return message_page(
            request, identity=identity, status_code=exc.http_status,
            title="Departures could not be listed", message=exc.detail,
        )  # fmt: skip
    network = platform.quoter.network
    return render(
        request, "console/network.html",
        {"active": "network", "facilities": sorted(network.facilities.values(), key=lambda f: f.id),
         "legs": network.legs, "departures": loads, "day": day.isoformat()},
        identity=identity,
    )  # fmt: skip


def _result(
    request: Request, identity: ConsoleIdentity, summary: capacity.PlanSummary, what: str
) -> Response:
    return render(
        request, "console/disruption.html",
        {"active": "network", "summary": summary, "what": what}, identity=identity,
    )  # fmt: skip


@router.post("/network/departures/cancel")
def cancel(
    request: Request,
    csrf_token: Annotated[str | None, Form()] = None,
    departure_id: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    identity = operator_form(request, csrf_token)
    if isinstance(identity, Response):
        return identity
    platform = platform_of(request)
    try:
        summary = capacity.cancel_departure(
            database=platform.database, network=platform.quoter.network, departure_id=departure_id
        )
    except PostbridgeError as exc:
        return message_page(
            request, identity=identity, status_code=exc.http_status,
            title="The departure could not be cancelled", message=exc.detail,
        )  # fmt: skip
    return _result(request, identity, summary, f"Departure {departure_id} cancelled")


@router.post("/network/departures/delay")
def delay(
    request: Request,
    csrf_token: Annotated[str | None, Form()] = None,
    departure_id: Annotated[str, Form(max_length=200)] = "",
    minutes: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    identity = operator_form(request, csrf_token)
    if isinstance(identity, Response):
        return identity
    # ASCII digits only: str.isdigit() also takes superscripts (int() refuses them) and other
    # scripts' digits, which no form field should turn into a number.
    text = minutes.strip()
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_DELAY_MINUTES:
        return message_page(
            request, identity=identity, status_code=422, title="Delay refused",
            message=f"The delay is a whole number of minutes from 0 to {MAX_DELAY_MINUTES}.",
        )  # fmt: skip
    platform = platform_of(request)
    try:
        summary = capacity.delay_departure(
            database=platform.database, network=platform.quoter.network,
            departure_id=departure_id, minutes=int(text),
        )  # fmt: skip
    except PostbridgeError as exc:
        return message_page(
            request, identity=identity, status_code=exc.http_status,
            title="The departure could not be delayed", message=exc.detail,
        )  # fmt: skip
    return _result(
        request, identity, summary, f"Departure {departure_id} delayed by {minutes} minutes"
    )
