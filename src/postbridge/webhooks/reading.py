"""The events API and the attempts log: what merchants read (merchant-scoped, cursor pages)."""

from __future__ import annotations

import base64
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from postbridge.errors import InvalidInput
from postbridge.storage.unit_of_work import Database
from postbridge.webhooks.catalog import checked_event_types
from postbridge.webhooks.errors import EndpointNotFound, EventNotFound
from postbridge.webhooks.models import WebhookAttempt
from postbridge.webhooks.repository import WebhookRepository


@dataclass(frozen=True, slots=True)
class EventPage:
    items: list[dict[str, Any]]  # the objects the webhooks carry, parsed
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class AttemptView:
    id: str
    delivery_id: str
    event_id: str
    attempt: int
    attempted_at: datetime
    succeeded: bool
    status_code: int | None
    latency_ms: int
    error: str | None
    response_excerpt: str | None

    @classmethod
    def of(cls, row: WebhookAttempt) -> AttemptView:
        return cls(
            row.id, row.delivery_id, row.event_id, row.attempt, row.attempted_at, row.succeeded,
            row.status_code, row.latency_ms, row.error, row.response_excerpt,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class AttemptPage:
    items: list[AttemptView]
    next_cursor: str | None


def list_events(
    *,
    database: Database,
    merchant_id: str,
    types: Collection[str] | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> EventPage:
    """Newest first; ``created_to`` exclusive."""
    if types is not None:
        types = checked_event_types(list(types), field="type", required=False)
    before = _position(cursor) if cursor else None
    with database.unit_of_work() as uow:
        rows = WebhookRepository(uow.session).events(
            merchant_id=merchant_id, types=types, created_from=created_from,
            created_to=created_to, before_position=before, limit=limit + 1,
        )  # fmt: skip
    more, rows = len(rows) > limit, rows[:limit]
    return EventPage(
        items=[orjson.loads(row.body) for row in rows],
        next_cursor=_encode(str(rows[-1].position)) if more and rows else None,
    )


def get_event(*, database: Database, merchant_id: str, event_id: str) -> dict[str, Any]:
    with database.unit_of_work() as uow:
        row = WebhookRepository(uow.session).event(event_id, merchant_id=merchant_id)
        if row is None:
            raise EventNotFound(f"event {event_id} does not exist (or is older than 30 days)")
        return dict(orjson.loads(row.body))


def list_attempts(
    *, database: Database, merchant_id: str, endpoint_id: str, cursor: str | None, limit: int
) -> AttemptPage:
    """An endpoint's attempts, newest first."""
    before = None
    if cursor:
        moment, _, attempt_id = _decode(cursor).partition("|")
        try:
            before = (datetime.fromisoformat(moment), attempt_id)
        except ValueError as exc:
            raise InvalidInput.for_field("cursor", "not a cursor this API returned") from exc
    with database.unit_of_work() as uow:
        repository = WebhookRepository(uow.session)
        if repository.endpoint(endpoint_id, merchant_id=merchant_id) is None:
            raise EndpointNotFound(f"webhook endpoint {endpoint_id} does not exist")
        rows = repository.attempts_of(endpoint_id, before=before, limit=limit + 1)
        more, rows = len(rows) > limit, rows[:limit]
        items = [AttemptView.of(row) for row in rows]
    last = items[-1] if more and items else None
    return AttemptPage(
        items=items,
        next_cursor=_encode(f"{last.attempted_at.isoformat()}|{last.id}") if last else None,
    )


def _encode(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput.for_field("cursor", "not a cursor this API returned") from exc


def _position(cursor: str) -> int:
    text = _decode(cursor)
    if not text.isdigit():
        raise InvalidInput.for_field("cursor", "not a cursor this API returned")
    return int(text)
