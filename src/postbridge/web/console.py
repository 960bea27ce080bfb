"""The operator and merchant web console: server-rendered pages that call the /v1 API."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from postbridge import __version__
from postbridge.shipments.lifecycle import ShipmentStatus
from postbridge.web.security_headers import new_nonce, page_policy

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def console_home(request: Request) -> HTMLResponse:
    statuses = [status.value for status in ShipmentStatus]
    nonce = new_nonce()  # the page's inline script and style run by this nonce only
    return templates.TemplateResponse(
        request,
        "console.html",
        {"version": __version__, "statuses": statuses, "nonce": nonce},
        headers=page_policy(nonce),
    )
