"""Domain events: what happened, as small frozen dataclasses, and the envelope they travel in.

A use case records events on its unit of work (``uow.record(event)``); the unit of work writes
them to the outbox in the same transaction as the change (storage.outbox), and the worker's
relay hands them to consumers (jobs.relay). Each context declares its own events in its
``events.py``; this module holds only the base and the envelope, so it imports no context.

Envelope: ``event_id`` (``evt_...``), ``type`` (``shipment.booked``), ``aggregate_key``
(``shipment:shp_...``), ``occurred_at`` (aware UTC), ``schema_version`` and the payload: the
event's own fields, ``merchant_id`` always among them so later webhooks can route it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, ClassVar

import orjson

from postbridge.kit.clock import utc_now
from postbridge.kit.ids import new_id

ENVELOPE_FIELDS = frozenset({"event_id", "occurred_at"})


@dataclass(frozen=True, kw_only=True, slots=True)
class DomainEvent:
    """Base of every event. Subclasses set ``type`` and ``aggregate``, add payload fields
    (JSON-friendly values: str, int, bool, None, date, datetime) and bump ``schema_version``
    when a field changes meaning or goes away (adding a field keeps the version)."""

    type: ClassVar[str]
    aggregate: ClassVar[str]  # the aggregate's kind: "shipment", "batch"
    schema_version: ClassVar[int] = 1

    merchant_id: str
    event_id: str = field(default_factory=lambda: new_id("evt"))
    occurred_at: datetime = field(default_factory=utc_now)

    @property
    def aggregate_id(self) -> str:
        raise NotImplementedError

    @property
    def aggregate_key(self) -> str:
        return f"{self.aggregate}:{self.aggregate_id}"

    def payload(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in payload_fields(type(self))}


_PAYLOAD_FIELDS: dict[type[DomainEvent], tuple[str, ...]] = {}


def payload_fields(event_type: type[DomainEvent]) -> tuple[str, ...]:
    """The payload's keys in declaration order (merchant_id first)."""
    names = _PAYLOAD_FIELDS.get(event_type)
    if names is None:
        names = tuple(f.name for f in fields(event_type) if f.name not in ENVELOPE_FIELDS)
        _PAYLOAD_FIELDS[event_type] = names
    return names


def encode_payload(payload: dict[str, Any]) -> str:
    """The outbox's payload text: orjson, dates and datetimes as ISO 8601."""
    return orjson.dumps(payload).decode()


@dataclass(frozen=True, slots=True)
class EventEnvelope:
    """An event as stored in the outbox and handed to consumers: the payload is plain JSON, so
    a consumer needs no import of the context that raised it."""

    position: int  # the outbox's order of arrival
    event_id: str
    type: str
    aggregate_key: str
    occurred_at: datetime
    schema_version: int
    payload: dict[str, Any]

    @property
    def merchant_id(self) -> str:
        return str(self.payload["merchant_id"])
