"""USPS v3 endpoints under ``/usps``, with the paths, fields and error shapes of USPS's OpenAPI
files (oauth2 3.0, labels 3.9.4, tracking v3r2 3.2.2, subscriptions-tracking v3r2 3.2.2)."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlparse

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from postbridge.carriers.usps.wire.tracking_models import MAX_NUMBERS_PER_REQUEST
from postbridge.sandbox.http_errors import oauth_error, usps_error
from postbridge.sandbox.sandbox import Sandbox
from postbridge.sandbox.usps_checks import (
    LABELS_API_VERSION,
    TRACKING_API_VERSION,
    check_label_request,
)

_NUMBER = re.compile(r"^[A-Za-z0-9]{4,34}$")
_MID = re.compile(r"^(\d{6}|\d{9})$")
SUBSCRIPTIONS_API_VERSION = "3.2.2"


async def _json_body(request: Request, version: str) -> Any:
    try:
        return json.loads(await request.body())
    except ValueError:
        raise usps_error(400, "The request body is not valid JSON", version=version) from None


def usps_router(sandbox: Sandbox, fault_check: Any) -> APIRouter:
    router = APIRouter(prefix="/usps", dependencies=[Depends(fault_check)])

    def bearer(request: Request, scope: str, version: str) -> None:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not sandbox.usps.token_allows(token.strip(), scope):
            raise usps_error(401, "Invalid or expired access token", version=version)

    @router.post("/oauth2/v3/token")
    async def token(request: Request) -> JSONResponse:
        raw = await request.body()
        if request.headers.get("content-type", "").startswith("application/json"):
            try:
                form = json.loads(raw)
            except ValueError:
                raise oauth_error(400, "invalid_request", "body is not JSON") from None
            if not isinstance(form, dict):
                raise oauth_error(400, "invalid_request", "body is not an object")
        else:
            form = dict(parse_qsl(raw.decode("latin-1")))
        if form.get("grant_type") != "client_credentials":
            raise oauth_error(400, "unsupported_grant_type", "only client_credentials")
        client_id, secret = form.get("client_id"), form.get("client_secret")
        if not isinstance(client_id, str) or not isinstance(secret, str):
            raise oauth_error(400, "invalid_request", "client_id and client_secret are required")
        if not sandbox.usps.credentials_match(client_id, secret):
            raise oauth_error(401, "invalid_client", "Client authentication failed")
        scope = form.get("scope")
        issued = sandbox.usps.issue_token(client_id, scope if isinstance(scope, str) else None)
        if issued is None:
            raise oauth_error(400, "invalid_scope", "a requested scope is not granted to the app")
        return JSONResponse(issued)

    @router.post("/labels/v3/label")
    async def label(request: Request) -> JSONResponse:
        bearer(request, "labels", LABELS_API_VERSION)
        if sandbox.rules.usps.payment_token_required and not request.headers.get(
            "x-payment-authorization-token"
        ):
            raise usps_error(
                401, "X-Payment-Authorization-Token is required", version=LABELS_API_VERSION
            )
        body = await _json_body(request, LABELS_API_VERSION)
        problems = check_label_request(body, sandbox.usps.today())
        if problems:
            raise usps_error(400, "OASValidation failed", problems, version=LABELS_API_VERSION)
        return JSONResponse(sandbox.usps.create_label(body))

    @router.post("/tracking/v3r2/tracking")
    async def track_batch(request: Request) -> JSONResponse:
        bearer(request, "tracking", TRACKING_API_VERSION)
        body = await _json_body(request, TRACKING_API_VERSION)
        if not isinstance(body, list) or not body:
            raise usps_error(400, "TrackingRequest is an array", version=TRACKING_API_VERSION)
        if len(body) > MAX_NUMBERS_PER_REQUEST:
            raise usps_error(
                400,
                f"At most {MAX_NUMBERS_PER_REQUEST} tracking numbers per request",
                [("trackingNumber", f"maxItems {MAX_NUMBERS_PER_REQUEST}")],
                version=TRACKING_API_VERSION,
            )
        problems = [
            (f"[{index}].trackingNumber", "4 to 34 letters and digits")
            for index, entry in enumerate(body)
            if not isinstance(entry, dict)
            or not _NUMBER.match(str(entry.get("trackingNumber", "")))
        ]
        if problems:
            raise usps_error(400, "OASValidation failed", problems, version=TRACKING_API_VERSION)
        entries, all_found = [], True
        for entry in body:
            number = entry["trackingNumber"]
            detail = sandbox.usps.tracking_detail(number)
            if detail is None:
                all_found = False
                entries.append(
                    {
                        "statusCode": "404",
                        "trackingNumber": number,
                        "error": {"code": "404", "message": "Tracking number not found"},
                    }
                )
            else:
                entries.append({"statusCode": "200"} | detail)
        return JSONResponse(entries, status_code=200 if all_found else 207)

    async def track_one(request: Request, trackingNumber: str) -> JSONResponse:  # noqa: N803
        bearer(request, "tracking", TRACKING_API_VERSION)
        detail = (
            sandbox.usps.tracking_detail(trackingNumber) if _NUMBER.match(trackingNumber) else None
        )
        if detail is None:
            raise usps_error(404, "Tracking number not found", version=TRACKING_API_VERSION)
        return JSONResponse(detail)

    # v3r2 as the brief names it, and v3 as the recorded single-number responses were read.
    router.add_api_route("/tracking/v3r2/tracking/{trackingNumber}", track_one, methods=["GET"])
    router.add_api_route("/tracking/v3/tracking/{trackingNumber}", track_one, methods=["GET"])

    @router.post("/subscriptions-tracking/v3r2/subscriptions", status_code=201)
    async def subscribe(request: Request) -> JSONResponse:
        bearer(request, "subscriptions-tracking", SUBSCRIPTIONS_API_VERSION)
        body = await _json_body(request, SUBSCRIPTIONS_API_VERSION)
        problems = _subscription_problems(body, sandbox.rules.usps.subscription_secret_length)
        if problems:
            raise usps_error(400, "Invalid request", problems, version=SUBSCRIPTIONS_API_VERSION)
        created = sandbox.usps.subscribe(body)
        location = f"/usps/subscriptions-tracking/v3r2/subscriptions/{created['subscriptionId']}"
        return JSONResponse(created, status_code=201, headers={"Location": location})

    return router


def _subscription_problems(body: Any, secret_length: int) -> list[tuple[str, str]]:
    """TrackingSubscription: listenerURL (uri, <= 200), secret (exactly 32), adminNotification
    (1 to 3 e-mails) and filterProperties (a MID or a tracking number) are required."""
    if not isinstance(body, dict):
        return [("body", "must be a TrackingSubscription object")]
    problems = []
    url = body.get("listenerURL")
    url_text = url if isinstance(url, str) else ""
    parsed = urlparse(url_text)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or len(url_text) > 200:
        problems.append(("listenerURL", "must be an http(s) URI of at most 200 characters"))
    secret = body.get("secret")
    if not isinstance(secret, str) or len(secret) != secret_length:
        problems.append(("secret", f"must be exactly {secret_length} characters"))
    admins = body.get("adminNotification")
    if (
        not isinstance(admins, list)
        or not 1 <= len(admins) <= 3
        or not all(
            isinstance(admin, dict) and "@" in str(admin.get("email", "")) for admin in admins
        )
    ):
        problems.append(("adminNotification", "1 to 3 {email} entries"))
    filters = body.get("filterProperties")
    if not isinstance(filters, dict):
        problems.append(("filterProperties", "is required"))
    elif "MID" in filters:
        if not _MID.match(str(filters["MID"])):
            problems.append(("filterProperties.MID", "must match ^(\\d{6}|\\d{9})$"))
    elif not _NUMBER.match(str(filters.get("trackingNumber", ""))):
        problems.append(("filterProperties", "a MID or a trackingNumber"))
    return problems
