"""Use cases on a merchant's webhook endpoints: create (the secret shown once), read, list,
change, delete, rotate the secret with an overlap in which both secrets sign."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from postbridge.config import Settings
from postbridge.errors import InvalidInput
from postbridge.kit.clock import utc_now
from postbridge.kit.ids import new_id
from postbridge.storage.unit_of_work import Database
from postbridge.webhooks.catalog import checked_event_types
from postbridge.webhooks.destinations import Resolver, checked_url, resolve_addresses
from postbridge.webhooks.errors import EndpointNotFound
from postbridge.webhooks.models import WebhookEndpoint
from postbridge.webhooks.repository import WebhookRepository
from postbridge.webhooks.sealing import SecretSealer
from postbridge.webhooks.signing import generate_secret

MAX_OVERLAP = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class WebhookDeps:
    database: Database
    sealer: SecretSealer
    production: bool
    resolve: Resolver = resolve_addresses

    @classmethod
    def of(cls, database: Database, settings: Settings) -> WebhookDeps:
        return cls(
            database=database,
            sealer=SecretSealer.from_server_secret(settings.secret_key, settings.previous_peppers),
            production=settings.env == "production",
        )


@dataclass(frozen=True, slots=True)
class EndpointView:
    id: str
    url: str
    description: str | None
    event_types: tuple[str, ...]
    enabled: bool
    disabled_at: datetime | None
    disabled_reason: str | None
    failing_since: datetime | None
    previous_secret_expires_at: datetime | None
    created_at: datetime
    updated_at: datetime
    secret: str | None = None  # only when it was just created or rotated

    @classmethod
    def of(cls, endpoint: WebhookEndpoint, *, secret: str | None = None) -> EndpointView:
        expires = endpoint.previous_secret_expires_at
        return cls(
            endpoint.id, endpoint.url, endpoint.description, tuple(endpoint.event_types),
            endpoint.enabled, endpoint.disabled_at, endpoint.disabled_reason,
            endpoint.failing_since, expires if endpoint.previous_secret_sealed else None,
            endpoint.created_at, endpoint.updated_at, secret,
        )  # fmt: skip


def create_endpoint(
    *,
    deps: WebhookDeps,
    merchant_id: str,
    url: str,
    event_types: Sequence[str],
    description: str | None = None,
) -> EndpointView:
    url = checked_url(url, production=deps.production, resolve=deps.resolve)
    types = checked_event_types(event_types)
    secret = generate_secret()
    now = utc_now()
    endpoint = WebhookEndpoint(
        id=new_id("whe"), merchant_id=merchant_id, url=url, description=description,
        event_types=types, secret_sealed=deps.sealer.seal(secret), enabled=True,
        created_at=now, updated_at=now,
    )  # fmt: skip
    with deps.database.unit_of_work() as uow:
        WebhookRepository(uow.session).add_endpoint(endpoint)
        view = EndpointView.of(endpoint, secret=secret)
        uow.commit()
    return view


def get_endpoint(*, database: Database, merchant_id: str, endpoint_id: str) -> EndpointView:
    with database.unit_of_work() as uow:
        return EndpointView.of(_owned(WebhookRepository(uow.session), endpoint_id, merchant_id))


def list_endpoints(*, database: Database, merchant_id: str) -> list[EndpointView]:
    with database.unit_of_work() as uow:
        return [
            EndpointView.of(e) for e in WebhookRepository(uow.session).endpoints_of(merchant_id)
        ]


def update_endpoint(
    *,
    deps: WebhookDeps,
    merchant_id: str,
    endpoint_id: str,
    url: str | None = None,
    event_types: Sequence[str] | None = None,
    description: str | None = None,
    enabled: bool | None = None,
) -> EndpointView:
    """Change what is given. ``enabled=True`` on a disabled endpoint clears its reason; what it
    missed meanwhile is replayed with ``replay_window``."""
    checked = (
        None if url is None else checked_url(url, production=deps.production, resolve=deps.resolve)
    )
    types = None if event_types is None else checked_event_types(event_types)
    now = utc_now()
    with deps.database.unit_of_work() as uow:
        endpoint = _owned(WebhookRepository(uow.session), endpoint_id, merchant_id)
        if checked is not None:
            endpoint.url = checked
        if types is not None:
            endpoint.event_types = types
        if description is not None:
            endpoint.description = description or None
        if enabled is not None and enabled != endpoint.enabled:
            endpoint.enabled = enabled
            endpoint.disabled_at = None if enabled else now
            endpoint.disabled_reason = None if enabled else "disabled by the merchant"
            endpoint.failing_since = None
        endpoint.updated_at = now
        view = EndpointView.of(endpoint)
        uow.commit()
    return view


def delete_endpoint(*, database: Database, merchant_id: str, endpoint_id: str) -> None:
    """The endpoint, its deliveries and its attempts log go; the events stay (events API)."""
    with database.unit_of_work() as uow:
        repository = WebhookRepository(uow.session)
        repository.delete_endpoint(_owned(repository, endpoint_id, merchant_id))
        uow.commit()


def rotate_secret(
    *, deps: WebhookDeps, merchant_id: str, endpoint_id: str, overlap: timedelta
) -> EndpointView:
    """A new secret (returned once); the current one keeps signing beside it for ``overlap``,
    so receivers can switch without missing a message. A previous secret still in its overlap
    is dropped: two secrets at most."""
    if overlap < timedelta(0) or overlap > MAX_OVERLAP:
        raise InvalidInput.for_field(
            "overlap_seconds", f"from 0 to {int(MAX_OVERLAP.total_seconds())}"
        )
    secret = generate_secret()
    now = utc_now()
    with deps.database.unit_of_work() as uow:
        endpoint = _owned(WebhookRepository(uow.session), endpoint_id, merchant_id)
        endpoint.previous_secret_sealed = endpoint.secret_sealed if overlap else None
        endpoint.previous_secret_expires_at = now + overlap if overlap else None
        endpoint.secret_sealed = deps.sealer.seal(secret)
        endpoint.updated_at = now
        view = EndpointView.of(endpoint, secret=secret)
        uow.commit()
    return view


def _owned(repository: WebhookRepository, endpoint_id: str, merchant_id: str) -> WebhookEndpoint:
    endpoint = repository.endpoint(endpoint_id, merchant_id=merchant_id)
    if endpoint is None:
        raise EndpointNotFound(f"webhook endpoint {endpoint_id} does not exist")
    return endpoint
