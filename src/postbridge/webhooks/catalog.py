"""The events a merchant can subscribe to, and the object a webhook (and the events API)
carries for each: ``{"id", "type", "schema_version", "created_at", "data"}`` (pure).

``id`` is the domain event's id (``evt_...``), sent as ``webhook-id``: a redelivery of the same
event carries the same id, so a receiver deduplicates on it. ``data`` is the event's payload as
the outbox holds it; ``schema_version`` is bumped when a field of ``data`` changes meaning.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson

from postbridge.errors import ProblemList

# type -> what it announces (the OpenAPI webhooks section and the endpoint docs list these).
EVENT_TYPES: dict[str, str] = {
    "shipment.booked": "A shipment was booked (by the API or a batch row).",
    "shipment.label_created": "The shipment's first label was produced.",
    "shipment.cancelled": "The shipment was cancelled before hand-over.",
    "shipment.advance_data_accepted": "The destination post accepted the parcel's advance data.",
    "shipment.held": "The destination post refused the advance data: the parcel is held, with "
    "the post's reasons, until they are fixed.",
    "batch.completed": "An uploaded batch finished: rows booked and rows failed.",
    "batch.failed": "An uploaded file could not be read; nothing of it was booked.",
    "tracker.updated": "A tracker's status, reason, action, milestone or last event changed.",
    "tracker.delivered": "The parcel was delivered.",
    "tracker.exception": "The parcel is in trouble and someone has to act.",
    "webhook_endpoint.disabled": "One of your endpoints was disabled after failing for days.",
}


def checked_event_types(
    event_types: Sequence[str], *, field: str = "event_types", required: bool = True
) -> list[str]:
    """The known event types, duplicates dropped; 422 naming ``field[i]`` for unknown ones
    (an endpoint's subscription, and the events API's ``type`` filter)."""
    problems = ProblemList()
    if required and not event_types:
        problems.add(field, "choose at least one event type", "required")
    for index, event_type in enumerate(event_types):
        if event_type not in EVENT_TYPES:
            problems.add(
                f"{field}[{index}]",
                f"unknown event type {event_type!r}; expected one of {', '.join(EVENT_TYPES)}",
                "unknown_event_type",
            )
    problems.raise_if_any()
    return list(dict.fromkeys(event_types))  # duplicates dropped, order kept


def ordering_key(aggregate_key: str, payload: dict[str, Any]) -> str:
    """Deliveries with the same key reach an endpoint in order of occurrence. Shipment and
    tracker events of one parcel share the shipment's key, so ``tracker.delivered`` never
    overtakes ``shipment.booked``; other aggregates order on their own key."""
    shipment_id = payload.get("shipment_id")
    if isinstance(shipment_id, str) and shipment_id:
        return f"shipment:{shipment_id}"
    return aggregate_key


def notification(
    *,
    event_id: str,
    event_type: str,
    schema_version: int,
    occurred_at: datetime,
    payload: dict[str, Any],
) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": event_type,
        "schema_version": schema_version,
        "created_at": occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "data": payload,
    }


def encode_notification(body: dict[str, Any]) -> str:
    """The exact text sent and signed; stored once so every redelivery sends the same bytes."""
    return orjson.dumps(body).decode()
