"""Operators' operations pages: parcels needing someone (with who must act, filtered by kind),
the worker's jobs with a retry for dead ones, and partner health (events heard, advance-data
answers, unmapped codes, and the queue depth per job kind)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import RedirectResponse

from postbridge.errors import PostbridgeError
from postbridge.jobs.models import JobStatus
from postbridge.jobs.operations import list_jobs, retry_job
from postbridge.kit.clock import utc_now
from postbridge.reporting.service import partner_health
from postbridge.tracking import reading
from postbridge.tracking.alerts import AlertKind
from postbridge.tracking.settings import silence_limits
from postbridge.web.console_operator import operator_form, operator_page
from postbridge.web.console_pages import message_page, platform_of, render
from postbridge.web.durations import ago

router = APIRouter(include_in_schema=False)
KINDS = [kind.value for kind in AlertKind]
PAGE = 100
JOB_PAGE = 200


@router.get("/operations/exceptions")
def exceptions(
    request: Request,
    kind: Annotated[str | None, Query(max_length=40)] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    identity = operator_page(request)
    if isinstance(identity, Response):
        return identity
    chosen = kind if kind in KINDS else None
    try:
        items, next_cursor = reading.list_exceptions(
            database=platform_of(request).database, now=utc_now(), limits=silence_limits(),
            kinds=[chosen] if chosen else [], cursor=cursor or None, limit=PAGE,
        )  # fmt: skip
    except PostbridgeError as exc:
        return message_page(
            request, identity=identity, status_code=exc.http_status,
            title="Exceptions could not be listed", message=exc.detail,
        )  # fmt: skip
    return render(
        request, "console/exceptions.html",
        {"active": "exceptions", "items": items, "kinds": KINDS, "kind": chosen,
         "next_cursor": next_cursor},
        identity=identity,
    )  # fmt: skip


@router.get("/operations/jobs")
def jobs(
    request: Request,
    status: Annotated[str | None, Query(max_length=20)] = None,
    retried: Annotated[str | None, Query(max_length=60)] = None,
) -> Response:
    identity = operator_page(request)
    if isinstance(identity, Response):
        return identity
    chosen = status if status in JobStatus.ALL else None
    listing = list_jobs(database=platform_of(request).database, status=chosen, limit=JOB_PAGE)
    return render(
        request, "console/jobs.html",
        {"active": "jobs", "jobs": listing, "statuses": list(JobStatus.ALL), "status": chosen,
         "retried": retried},
        identity=identity,
    )  # fmt: skip


@router.post("/operations/jobs/retry")
def retry(
    request: Request,
    csrf_token: Annotated[str | None, Form()] = None,
    job_id: Annotated[str, Form(max_length=60)] = "",
) -> Response:
    identity = operator_form(request, csrf_token)
    if isinstance(identity, Response):
        return identity
    try:
        retry_job(database=platform_of(request).database, job_id=job_id)
    except PostbridgeError as exc:
        return message_page(
            request, identity=identity, status_code=exc.http_status,
            title="The job was not retried", message=exc.detail,
        )  # fmt: skip
    return RedirectResponse(f"/operations/jobs?retried={job_id}", status_code=303)


@router.get("/operations/partners")
def partners(request: Request) -> Response:
    identity = operator_page(request)
    if isinstance(identity, Response):
        return identity
    now = utc_now()
    try:
        health, queues = partner_health(database=platform_of(request).database, now=now)
    except PostbridgeError as exc:
        return message_page(
            request, identity=identity, status_code=exc.http_status,
            title="Partner health could not be read", message=exc.detail,
        )  # fmt: skip
    heard = {p.partner: ago(p.last_event_received_at, now=now) for p in health}
    return render(
        request, "console/partners.html",
        {"active": "partners", "health": health, "heard": heard, "queues": queues},
        identity=identity,
    )  # fmt: skip
