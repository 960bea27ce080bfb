"""The Developers page of a merchant user: API keys (create, shown once; revoke), webhook
endpoints with their state and recent delivery attempts, and a notice on each disabled endpoint
with its reason (issue 14's console notice). Operators belong to no merchant: they have none."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import RedirectResponse

from postbridge.console.service import ConsoleIdentity
from postbridge.errors import PostbridgeError
from postbridge.merchants.service import create_key, list_keys, revoke_key
from postbridge.web.console_pages import (
    current_identity,
    message_page,
    not_found,
    platform_of,
    render,
    signed_in_form,
    to_sign_in,
)
from postbridge.webhooks.endpoints import get_endpoint, list_endpoints
from postbridge.webhooks.errors import EndpointNotFound
from postbridge.webhooks.reading import list_attempts

router = APIRouter(include_in_schema=False)
RECENT_ATTEMPTS = 5
ATTEMPTS_PAGE = 50


def _developers_page(
    request: Request,
    identity: ConsoleIdentity,
    *,
    new_key: str | None = None,
    revoked: str | None = None,
    status_code: int = 200,
) -> Response:
    if identity.merchant_id is None:
        return render(
            request, "console/developers.html", {"active": "developers", "operator_only": True},
            identity=identity,
        )  # fmt: skip
    database = platform_of(request).database
    merchant_id = identity.merchant_id
    keys = list_keys(database=database, merchant_id=merchant_id)
    endpoints = list_endpoints(database=database, merchant_id=merchant_id)
    attempts = {
        endpoint.id: list_attempts(
            database=database, merchant_id=merchant_id, endpoint_id=endpoint.id, cursor=None,
            limit=RECENT_ATTEMPTS,
        ).items
        for endpoint in endpoints
    }  # fmt: skip
    revoked_prefix = revoked if any(k.prefix == revoked and k.revoked for k in keys) else None
    return render(
        request, "console/developers.html",
        {"active": "developers", "operator_only": False, "keys": keys, "endpoints": endpoints,
         "attempts": attempts, "new_key": new_key, "revoked": revoked_prefix},
        identity=identity, status_code=status_code,
    )  # fmt: skip


@router.get("/developers")
def developers(
    request: Request, revoked: Annotated[str | None, Query(max_length=40)] = None
) -> Response:
    identity = current_identity(request)
    if identity is None:
        return to_sign_in(request)
    return _developers_page(request, identity, revoked=revoked)


@router.post("/developers/keys")
def create_api_key(request: Request, csrf_token: Annotated[str | None, Form()] = None) -> Response:
    checked = signed_in_form(request, csrf_token)
    if isinstance(checked, Response):
        return checked
    if checked.merchant_id is None:
        return _operators_have_no_keys(request, checked)
    platform = platform_of(request)
    token = create_key(
        database=platform.database, merchant_id=checked.merchant_id,
        pepper=platform.settings.secret_key,
    )  # fmt: skip
    # Rendered here, not after a redirect: the key is never stored to be shown later.
    return _developers_page(request, checked, new_key=token, status_code=201)


@router.post("/developers/keys/revoke")
def revoke_api_key(
    request: Request,
    csrf_token: Annotated[str | None, Form()] = None,
    prefix: Annotated[str, Form()] = "",
) -> Response:
    checked = signed_in_form(request, csrf_token)
    if isinstance(checked, Response):
        return checked
    if checked.merchant_id is None:
        return _operators_have_no_keys(request, checked)
    database = platform_of(request).database
    owned = {key.prefix for key in list_keys(database=database, merchant_id=checked.merchant_id)}
    if prefix not in owned:  # another merchant's key is as absent as one that never was
        return not_found(request, checked, "API key with that prefix")
    revoke_key(database=database, prefix=prefix)
    return RedirectResponse(f"/developers?revoked={prefix}", status_code=303)


@router.get("/developers/webhooks/{endpoint_id}")
def webhook_endpoint(
    request: Request,
    endpoint_id: str,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    identity = current_identity(request)
    if identity is None:
        return to_sign_in(request)
    if identity.merchant_id is None:
        return not_found(request, identity, "webhook endpoint")
    database = platform_of(request).database
    try:
        endpoint = get_endpoint(
            database=database, merchant_id=identity.merchant_id, endpoint_id=endpoint_id
        )
        page = list_attempts(
            database=database, merchant_id=identity.merchant_id, endpoint_id=endpoint_id,
            cursor=cursor or None, limit=ATTEMPTS_PAGE,
        )  # fmt: skip
    except EndpointNotFound:
        return not_found(request, identity, "webhook endpoint")
    except PostbridgeError as exc:
        return message_page(
            request, identity=identity, status_code=exc.http_status,
            title="Attempts could not be listed", message=exc.detail,
        )  # fmt: skip
    return render(
        request, "console/endpoint.html",
        {"active": "developers", "endpoint": endpoint, "attempts": page.items,
         "next_cursor": page.next_cursor},
        identity=identity,
    )  # fmt: skip


def _operators_have_no_keys(request: Request, identity: ConsoleIdentity) -> Response:
    return message_page(
        request, identity=identity, status_code=403, title="No API keys for operators",
        message="API keys belong to a merchant; an operator signs in to the console instead.",
    )  # fmt: skip
