"""Fold shipment events into per-(merchant, day, destination) counter increments (pure)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date

from postbridge.kit.events import EventEnvelope

# Event type -> the counter it moves.
COUNTERS = {
    "shipment.booked": "booked",
    "shipment.label_created": "labelled",
    "shipment.cancelled": "cancelled",
}

ActivityKey = tuple[str, date, str]  # merchant_id, UTC day, destination country


def increments(events: Iterable[EventEnvelope]) -> dict[ActivityKey, Counter[str]]:
    """How much each counter of each row grows; events of other types are ignored."""
    grown: dict[ActivityKey, Counter[str]] = {}
    for event in events:
        counter = COUNTERS.get(event.type)
        if counter is None:
            continue
        key = (event.merchant_id, event.occurred_at.date(), event.payload["destination_country"])
        grown.setdefault(key, Counter())[counter] += 1
    return grown
