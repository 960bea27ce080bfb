"""Webhook endpoints API: create (secret shown once), list, read, change, delete, rotate the
secret, the attempts log, replay of a time window; and the notification bodies documented in
the OpenAPI ``webhooks`` section (``notifications``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response

from postbridge.api.deps import PlatformDep, PrincipalDep
from postbridge.bootstrap import Platform
from postbridge.errors import InvalidInput
from postbridge.kit.schemas import Line
from postbridge.webhooks import endpoints, reading, replay
from postbridge.webhooks.catalog import EVENT_TYPES
from postbridge.webhooks.endpoints import EndpointView, WebhookDeps
from postbridge.webhooks.schemas import (
    NOTIFICATIONS,
    AttemptPage,
    AttemptRead,
    EndpointCreate,
    EndpointList,
    EndpointRead,
    EndpointUpdate,
    EndpointWithSecret,
    ReplayRead,
    ReplayRequest,
    SecretRotation,
)

router = APIRouter(prefix="/webhook-endpoints", tags=["webhooks"])

RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing or invalid API key (problem+json)."},
    404: {"description": "No such endpoint for this merchant (problem+json)."},
    409: {"description": "The endpoint is disabled: enable it first (problem+json)."},
    422: {"description": "Invalid fields; `errors` names each field (problem+json)."},
}
EVENT_LIST = ", ".join(f"`{name}`" for name in EVENT_TYPES)


def _deps(platform: Platform) -> WebhookDeps:
    return WebhookDeps.of(platform.database, platform.settings)


def _read(view: EndpointView) -> dict[str, Any]:
    fields = {name: getattr(view, name) for name in EndpointRead.model_fields}
    fields["event_types"] = list(view.event_types)
    if view.secret is not None:
        fields["secret"] = view.secret
    return fields


@router.post(
    "",
    status_code=201,
    response_model=EndpointWithSecret,
    summary="Add an endpoint (its secret is shown once)",
    description=f"Event types: {EVENT_LIST}.",
    responses=RESPONSES,
)
def create_endpoint(
    body: EndpointCreate, platform: PlatformDep, principal: PrincipalDep
) -> dict[str, Any]:
    view = endpoints.create_endpoint(
        deps=_deps(platform), merchant_id=principal.merchant_id, url=body.url,
        event_types=body.event_types, description=body.description,
    )  # fmt: skip
    return _read(view)


@router.get("", response_model=EndpointList, summary="Your endpoints", responses=RESPONSES)
def list_endpoints(platform: PlatformDep, principal: PrincipalDep) -> dict[str, Any]:
    views = endpoints.list_endpoints(database=platform.database, merchant_id=principal.merchant_id)
    return {"items": [_read(view) for view in views]}


@router.get(
    "/{endpoint_id}", response_model=EndpointRead, summary="Read an endpoint", responses=RESPONSES
)
def read_endpoint(
    endpoint_id: str, platform: PlatformDep, principal: PrincipalDep
) -> dict[str, Any]:
    return _read(
        endpoints.get_endpoint(
            database=platform.database, merchant_id=principal.merchant_id, endpoint_id=endpoint_id
        )
    )


@router.patch(
    "/{endpoint_id}",
    response_model=EndpointRead,
    summary="Change an endpoint (URL, event types, description, enabled)",
    responses=RESPONSES,
)
def update_endpoint(
    endpoint_id: str, body: EndpointUpdate, platform: PlatformDep, principal: PrincipalDep
) -> dict[str, Any]:
    view = endpoints.update_endpoint(
        deps=_deps(platform), merchant_id=principal.merchant_id, endpoint_id=endpoint_id,
        url=body.url, event_types=body.event_types, description=body.description,
        enabled=body.enabled,
    )  # fmt: skip
    return _read(view)


@router.delete("/{endpoint_id}", status_code=204, summary="Delete an endpoint", responses=RESPONSES)
def delete_endpoint(endpoint_id: str, platform: PlatformDep, principal: PrincipalDep) -> Response:
    endpoints.delete_endpoint(
        database=platform.database, merchant_id=principal.merchant_id, endpoint_id=endpoint_id
    )
    return Response(status_code=204)


@router.post(
    "/{endpoint_id}/rotate-secret",
    response_model=EndpointWithSecret,
    summary="Rotate the secret; the old one keeps signing during the overlap",
    responses=RESPONSES,
)
def rotate_secret(
    endpoint_id: str,
    platform: PlatformDep,
    principal: PrincipalDep,
    body: Annotated[SecretRotation | None, Body()] = None,
) -> dict[str, Any]:
    overlap = timedelta(seconds=(body or SecretRotation()).overlap_seconds)
    view = endpoints.rotate_secret(
        deps=_deps(platform), merchant_id=principal.merchant_id, endpoint_id=endpoint_id,
        overlap=overlap,
    )  # fmt: skip
    return _read(view)


@router.get(
    "/{endpoint_id}/attempts",
    response_model=AttemptPage,
    summary="Delivery attempts to this endpoint, newest first",
    responses=RESPONSES,
)
def list_attempts(
    endpoint_id: str,
    platform: PlatformDep,
    principal: PrincipalDep,
    cursor: Annotated[Line | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    page = reading.list_attempts(
        database=platform.database, merchant_id=principal.merchant_id, endpoint_id=endpoint_id,
        cursor=cursor, limit=limit,
    )  # fmt: skip
    items = [
        AttemptRead(**{name: getattr(a, name) for name in AttemptRead.model_fields})
        for a in page.items
    ]
    return {"items": items, "next_cursor": page.next_cursor}


@router.post(
    "/{endpoint_id}/replay",
    status_code=202,
    response_model=ReplayRead,
    summary="Send every event of a time window again (a worker job)",
    responses=RESPONSES,
)
def replay_window(
    endpoint_id: str, body: ReplayRequest, platform: PlatformDep, principal: PrincipalDep
) -> dict[str, Any]:
    for name in ("since", "until"):
        if getattr(body, name).tzinfo is None:
            raise InvalidInput.for_field(name, "expected a time with a UTC offset")
    job_id = replay.queue_replay(
        database=platform.database, merchant_id=principal.merchant_id, endpoint_id=endpoint_id,
        since=body.since, until=body.until,
    )  # fmt: skip
    return {"job_id": job_id}


# --- the OpenAPI "webhooks" section: what postbridge POSTs to your endpoints -----------------

notifications = APIRouter()
SIGNING = (
    "Signed per Standard Webhooks: headers `webhook-id` (the event id: deduplicate on it), "
    "`webhook-timestamp` (Unix seconds) and `webhook-signature` (`v1,` + base64 HMAC-SHA256 "
    "of `{id}.{timestamp}.{body}` under your secret's bytes; several, space-separated, during "
    "a secret rotation). Answer 2xx within 10 s; anything else is retried with backoff for "
    "three days, in order per shipment."
)


def _document(event_type: str, model: type[Any]) -> None:
    def receive(body: Any) -> None:
        """Documentation only: never called."""

    receive.__annotations__["body"] = model  # the real model (annotations are strings here)
    notifications.post(
        event_type, summary=EVENT_TYPES[event_type], description=SIGNING, status_code=200,
        operation_id=f"webhook_{event_type.replace('.', '_')}",
    )(receive)  # fmt: skip


for _event_type, _model in NOTIFICATIONS.items():
    _document(_event_type, _model)
