"""The outbox consumer that turns events into what merchants see: one ``webhook_events`` row per
event (the events API and the webhook body) and one delivery row per matching endpoint.

It only writes rows, in the relay's unit of work with its inbox entry, so a booking's
transaction never waits on a receiver and a second relay of the same events adds nothing. The
delivery loop (webhooks.dispatcher) sends them later.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from postbridge.kit.clock import utc_now
from postbridge.kit.events import EventEnvelope
from postbridge.kit.ids import new_ids
from postbridge.storage.unit_of_work import UnitOfWork
from postbridge.webhooks.catalog import (
    EVENT_TYPES,
    encode_notification,
    notification,
    ordering_key,
)
from postbridge.webhooks.models import DeliveryStatus
from postbridge.webhooks.repository import WebhookRepository


class WebhookFanOut:
    name = "webhooks.fanout"
    event_types = frozenset(EVENT_TYPES)

    def apply(self, uow: UnitOfWork, events: Sequence[EventEnvelope]) -> None:
        repository = WebhookRepository(uow.session)
        now = utc_now()
        rows = [event_row(event) for event in events]
        repository.add_events(rows)
        endpoints = repository.enabled_endpoints_of({event.merchant_id for event in events})
        if not endpoints:
            return
        wanted: list[tuple[str, dict[str, Any]]] = []
        for event, row in zip(events, rows, strict=True):
            for endpoint in endpoints:
                if endpoint.merchant_id == event.merchant_id and event.type in endpoint.event_types:
                    wanted.append((endpoint.id, row))
        ids = new_ids("whd", len(wanted))
        repository.add_deliveries(
            [
                delivery_row(delivery_id, endpoint_id, row, cause="event", now=now)
                for delivery_id, (endpoint_id, row) in zip(ids, wanted, strict=True)
            ]
        )


def event_row(event: EventEnvelope) -> dict[str, Any]:
    body = notification(
        event_id=event.event_id,
        event_type=event.type,
        schema_version=event.schema_version,
        occurred_at=event.occurred_at,
        payload=event.payload,
    )
    return {
        "id": event.event_id,
        "merchant_id": event.merchant_id,
        "type": event.type,
        "occurred_at": event.occurred_at,
        "position": event.position,
        "ordering_key": ordering_key(event.aggregate_key, event.payload),
        "body": encode_notification(body),
    }


def delivery_row(
    delivery_id: str, endpoint_id: str, event: dict[str, Any], *, cause: str, now: datetime
) -> dict[str, Any]:
    """A new pending delivery of ``event`` (a webhook_events row: id, position, ordering_key)."""
    return {
        "id": delivery_id,
        "endpoint_id": endpoint_id,
        "event_id": event["id"],
        "ordering_key": event["ordering_key"],
        "sequence": event["position"],
        "cause": cause,
        "status": DeliveryStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }
