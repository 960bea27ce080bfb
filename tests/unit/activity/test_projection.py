from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

from postbridge.activity.projection import increments
from postbridge.kit.events import EventEnvelope


def envelope(kind: str, merchant: str, country: str, hour: int) -> EventEnvelope:
    return EventEnvelope(
        position=hour, event_id=f"evt_{kind}{hour}", type=kind, aggregate_key="shipment:shp_1",
        occurred_at=datetime(2026, 12, 1, hour, tzinfo=UTC), schema_version=1,
        payload={"merchant_id": merchant, "destination_country": country},
    )  # fmt: skip


def test_counts_per_merchant_utc_day_and_destination() -> None:
    events = [
        envelope("shipment.booked", "mch_a", "US", 1),
        envelope("shipment.booked", "mch_a", "US", 2),
        envelope("shipment.label_created", "mch_a", "US", 3),
        envelope("shipment.cancelled", "mch_a", "BR", 4),
        envelope("shipment.booked", "mch_b", "US", 5),
        envelope("batch.completed", "mch_a", "US", 6),  # not a parcel count
    ]
    day = date(2026, 12, 1)
    assert increments(events) == {
        ("mch_a", day, "US"): Counter(booked=2, labelled=1),
        ("mch_a", day, "BR"): Counter(cancelled=1),
        ("mch_b", day, "US"): Counter(booked=1),
    }
