"""Bulk capture's events: a batch finished, and the ``shipment.booked`` rows of a chunk.

A chunk's booked events are encoded straight from its encoded shipment rows, without building a
ShipmentBooked per row: bulk capture writes a thousand per chunk. The payload is the one
ShipmentBooked.payload() gives, key for key (a unit test holds them together).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

import orjson

from postbridge.kit.events import DomainEvent
from postbridge.kit.ids import new_ids
from postbridge.shipments.events import ShipmentBooked
from postbridge.shipments.repository import SHIPMENT_COLUMNS
from postbridge.storage.outbox import EncodedEvent


@dataclass(frozen=True, kw_only=True, slots=True)
class BatchEvent(DomainEvent):
    aggregate: ClassVar[str] = "batch"

    batch_id: str

    @property
    def aggregate_id(self) -> str:
        return self.batch_id


@dataclass(frozen=True, kw_only=True, slots=True)
class BatchCompleted(BatchEvent):
    type: ClassVar[str] = "batch.completed"

    rows_booked: int
    rows_failed: int


@dataclass(frozen=True, kw_only=True, slots=True)
class BatchFailed(BatchEvent):
    """The file could not be read (bad header, not UTF-8): nothing of it was booked."""

    type: ClassVar[str] = "batch.failed"

    error: str


_AT = {name: SHIPMENT_COLUMNS.index(name) for name in SHIPMENT_COLUMNS}
_ID, _MERCHANT, _REFERENCE = _AT["id"], _AT["merchant_id"], _AT["reference"]
_TRACKING, _DESTINATION, _SERVICE = (
    _AT["tracking_number"],
    _AT["destination_country"],
    _AT["service"],
)
_BATCH, _ROW = _AT["batch_id"], _AT["batch_row"]


def booked_events(rows: Sequence[list[Any]], *, booked_at: datetime) -> list[EncodedEvent]:
    """One encoded ``shipment.booked`` per encoded shipment row (numbers filled in)."""
    kind, version = ShipmentBooked.type, ShipmentBooked.schema_version
    dumps = orjson.dumps
    events: list[EncodedEvent] = []
    for event_id, row in zip(new_ids("evt", len(rows)), rows, strict=True):
        payload = {
            "merchant_id": row[_MERCHANT], "shipment_id": row[_ID],
            "tracking_number": row[_TRACKING], "destination_country": row[_DESTINATION],
            "reference": row[_REFERENCE], "service": row[_SERVICE],
            "batch_id": row[_BATCH], "batch_row": row[_ROW],
        }  # fmt: skip
        events.append(
            (event_id, kind, f"shipment:{row[_ID]}", booked_at, version, dumps(payload).decode())
        )
    return events
