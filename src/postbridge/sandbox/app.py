"""The sandbox's HTTP server: USPS under ``/usps``, every other post under ``/upu/{post}``, the
origin sorting centre under ``/origin`` and the sandbox's own controls under ``/sandbox``
(docs/partner-exchange.md).

Faults (``POST /sandbox/v1/faults``) apply to the partner endpoints only: the origin and the
controls stay up, so a test can always move the clock past an outage.
"""

from __future__ import annotations

import json
import random
import secrets
import threading
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError

from postbridge.sandbox.http_errors import (
    PartnerAnswer,
    problem,
    render_partner_answer,
    render_query_problem,
    usps_error,
)
from postbridge.sandbox.parcels import ParcelPlan, PreAlertIn
from postbridge.sandbox.rendering import USPS_PARTNER, utc_text
from postbridge.sandbox.routes_usps import usps_router
from postbridge.sandbox.sandbox import Sandbox
from postbridge.sandbox.usps_checks import TRACKING_API_VERSION
from postbridge.sandbox.world import ALL_PARTNERS, MAX_FEED_PAGE

DEFAULT_RETRY_AFTER_S = 30
FAULT_STATUSES = frozenset({429, 500, 502, 503})


class AdvanceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hours: float = Field(default=0, ge=0, le=24 * 366)
    minutes: float = Field(default=0, ge=0, le=60 * 24 * 366)  # extension: finer steps


class FaultIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    partner: str = Field(default=ALL_PARTNERS, min_length=1, max_length=40)
    status: StrictInt
    minutes: float = Field(gt=0, le=60 * 24 * 30)
    retry_after_s: StrictInt | None = Field(default=None, ge=1, le=86_400)


def _bearer_is(request: Request, expected: str) -> bool:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and secrets.compare_digest(
        token.strip().encode(), expected.encode()
    )


async def _model(request: Request, model: type[BaseModel]) -> Any:
    try:
        return model.model_validate_json(await request.body())
    except ValidationError as error:
        if any(item["type"] == "json_invalid" for item in error.errors()):
            raise problem(400, "malformed_json", "the body is not JSON") from None
        errors = [
            {"field": ".".join(str(part) for part in item["loc"]), "message": item["msg"]}
            for item in error.errors(include_url=False)
        ]
        raise problem(
            422, "invalid_input", "the body does not match the contract", errors=errors
        ) from None


def create_sandbox_app(sandbox: Sandbox, *, flaky: bool = False) -> FastAPI:
    """The server; ``flaky`` adds the reality model's random 500s and 429s to partner calls."""
    # No /docs: its page would load scripts from a CDN, and the sandbox runs offline.
    app = FastAPI(
        title="postbridge partner sandbox",
        version="1",
        docs_url=None,
        redoc_url=None,
        openapi_url="/sandbox/openapi.json",
    )
    app.add_exception_handler(PartnerAnswer, render_partner_answer)
    app.add_exception_handler(RequestValidationError, render_query_problem)
    world = sandbox.world
    flaky_draws = random.Random(f"{world.seed}:flaky")
    flaky_lock = threading.Lock()

    def fault_answer(partner: str, usps_shape: bool) -> None:
        fault = world.active_fault(partner)
        if fault is None and flaky:
            with flaky_lock:  # one sequence of draws, whichever thread serves the call
                fault = world.flaky_fault(flaky_draws)
        if fault is None:
            return
        headers = {}
        if fault.status in (429, 503):
            headers["Retry-After"] = str(fault.retry_after_s or DEFAULT_RETRY_AFTER_S)
        if usps_shape:
            answer = usps_error(fault.status, "Simulated outage", version=TRACKING_API_VERSION)
        else:
            answer = problem(fault.status, "simulated_outage", f"{partner} is not answering")
        answer.headers.update(headers)
        raise answer

    def usps_fault() -> None:
        fault_answer(USPS_PARTNER, usps_shape=True)

    def upu_fault(post: str) -> None:
        fault_answer(post, usps_shape=False)

    app.include_router(usps_router(sandbox, usps_fault))

    upu = APIRouter(prefix="/upu/{post}/v1", dependencies=[Depends(upu_fault)])

    def upu_auth(request: Request) -> None:
        if not _bearer_is(request, sandbox.rules.upu_api_key):
            raise problem(401, "not_authenticated", "a valid bearer key is required")

    @upu.post("/items", dependencies=[Depends(upu_auth)])
    async def receive_items(post: str, request: Request) -> dict[str, Any]:
        try:
            body = json.loads(await request.body())
        except ValueError:
            raise problem(400, "malformed_json", "the body is not JSON") from None
        messages = body.get("messages") if isinstance(body, dict) else None
        if not isinstance(messages, list) or not 1 <= len(messages) <= MAX_FEED_PAGE:
            raise problem(400, "messages_missing", f"messages: a list of 1 to {MAX_FEED_PAGE}")
        return {"results": world.receive_items(post, messages)}

    @upu.get("/events", dependencies=[Depends(upu_auth)])
    def events(
        post: str,
        after: str | None = Query(default=None, max_length=20),
        limit: int = Query(default=100, ge=1, le=MAX_FEED_PAGE),
    ) -> dict[str, Any]:
        if after is not None and not (after.isascii() and after.isdigit()):
            raise problem(400, "cursor_invalid", "after: a cursor from next_cursor")
        position = int(after or 0)
        page, last = world.events_page(post, position, limit)
        # Never null: with nothing new the cursor stays where it was ("0" before any event).
        return {"events": page, "next_cursor": str(last) if last else (after or "0")}

    app.include_router(upu)

    @app.post("/origin/v1/prealerts", status_code=202)
    async def prealerts(request: Request) -> JSONResponse:
        if not _bearer_is(request, sandbox.rules.origin_api_key):
            raise problem(401, "not_authenticated", "a valid bearer key is required")
        alert: PreAlertIn = await _model(request, PreAlertIn)
        answers = world.prealert([ParcelPlan.of(parcel) for parcel in alert.parcels])
        sandbox.usps.push_notifications()
        return JSONResponse({"parcels": answers}, status_code=202)

    @app.get("/sandbox/v1/clock")
    def clock() -> dict[str, str]:
        return {"now": utc_text(world.now())}

    @app.post("/sandbox/v1/clock/advance")
    async def advance(request: Request) -> dict[str, Any]:
        step: AdvanceIn = await _model(request, AdvanceIn)
        moved = sandbox.advance(timedelta(hours=step.hours, minutes=step.minutes))
        return moved | {"now": utc_text(moved["now"])}

    # Inspection, for tests and operators judging promises: what a post received, and what
    # the reality model does with a parcel (including what has not happened yet).
    @app.get("/sandbox/v1/advance-data/{post}/{item_id}")
    def received_advance_data(post: str, item_id: str) -> dict[str, Any]:
        held = world.advance_data_of(post, item_id)
        if held is None:
            raise problem(404, "not_found", f"{post} holds no advance data for {item_id}")
        return held

    @app.get("/sandbox/v1/parcels/{tracking_number}")
    def parcel_story(tracking_number: str) -> dict[str, Any]:
        story = world.story_of(tracking_number)
        if story is None:
            raise problem(404, "not_found", f"no pre-alerted parcel {tracking_number}")
        scans = [scan | {"at": utc_text(scan["at"])} for scan in story["scans"]]
        return story | {"scans": scans}

    @app.post("/sandbox/v1/faults", status_code=201)
    async def faults(request: Request) -> dict[str, Any]:
        fault: FaultIn = await _model(request, FaultIn)
        if fault.status not in FAULT_STATUSES:
            raise problem(422, "invalid_input", f"status: one of {sorted(FAULT_STATUSES)}")
        window = world.add_fault(
            partner=fault.partner,
            status=fault.status,
            minutes=fault.minutes,
            retry_after_s=fault.retry_after_s,
        )
        return window | {"starts": utc_text(window["starts"]), "ends": utc_text(window["ends"])}

    return app
