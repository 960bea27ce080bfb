"""The public tracking page ``/t/{tracking_number}``: server-rendered, no JavaScript, in four
languages, and nothing personal on it.

It reads the tracking view only (status, milestones, the partner's event texts and places,
the promise), never the shipment's addresses, so no name, street, phone or email can reach
it. Jinja2 autoescapes every value (event texts come from partners and are untrusted). The
headers forbid scripts, framing and sniffing: the page needs none of them.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Annotated, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from postbridge.bootstrap import Platform
from postbridge.tracking.model import Milestone, TrackingStatus
from postbridge.tracking.progress import progress_stages
from postbridge.tracking.reading import TrackerView, public_view
from postbridge.web.tracking_i18n import (
    LANGUAGE_NAMES,
    STAGES,
    STATUSES,
    UI,
    choose_language,
)

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
router = APIRouter(include_in_schema=False)


def security_headers(nonce: str) -> dict[str, str]:
    return {
        # Only our inline stylesheet (by nonce); no script, frame, form or plugin at all.
        "Content-Security-Policy": (
            f"default-src 'none'; style-src 'nonce-{nonce}'; img-src 'self'; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        ),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",
    }


@router.get("/t/{tracking_number}", response_class=HTMLResponse)
def tracking_page(
    tracking_number: str,
    request: Request,
    lang: Annotated[str | None, Query(max_length=10)] = None,
    accept_language: Annotated[str | None, Header(max_length=500)] = None,
) -> HTMLResponse:
    platform = cast(Platform, request.app.state.platform)
    language = choose_language(lang, accept_language)
    view = public_view(database=platform.database, tracking_number=tracking_number)
    nonce = secrets.token_urlsafe(16)
    context: dict[str, object] = {
        "lang": language, "ui": UI[language], "languages": LANGUAGE_NAMES, "nonce": nonce,
        "number": tracking_number, "found": view is not None,
    }  # fmt: skip
    if view is not None:
        tracker = view.tracker
        status = TrackingStatus(tracker.status)
        milestone = Milestone(tracker.milestone) if tracker.milestone else None
        context.update(
            number=tracker.tracking_number,
            status=STATUSES[language][status.value],
            stages=[(STAGES[language][s.value], done) for s, done in progress_stages(milestone, status)],
            estimate=_current_estimate(view),
            delivered_at=_local(tracker.delivered_at, "UTC") if tracker.delivered_at else None,
            events=[
                {
                    "when": _local(e.occurred_at, e.occurred_zone),
                    "text": e.raw_text or e.raw_code,
                    "place": ", ".join(p for p in (e.location.facility, e.location.city, e.location.country) if p),
                }
                for e in view.events
            ],
        )  # fmt: skip
    return templates.TemplateResponse(
        request,
        "tracking.html",
        context,
        status_code=200 if view is not None else 404,
        headers=security_headers(nonce),
    )


def _current_estimate(view: TrackerView) -> tuple[date | None, date | None]:
    """The latest estimate of the history (the remaining route), else the booking promise."""
    if view.estimates:
        return view.estimates[-1].p50, view.estimates[-1].p90
    return view.promised_p50, view.promised_p90


def _local(moment: datetime, zone: str) -> str:
    """The time as the partner meant it: in the zone or offset it was given in."""
    return moment.astimezone(_zone(zone)).strftime("%Y-%m-%d %H:%M")


def _zone(zone: str) -> tzinfo:
    if zone[:1] in "+-" and len(zone) == 6:
        sign = -1 if zone[0] == "-" else 1
        return timezone(sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])))
    try:
        return ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC
