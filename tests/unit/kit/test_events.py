from __future__ import annotations

from datetime import UTC, datetime

import orjson

from postbridge.bulk.events import BatchCompleted, booked_events
from postbridge.shipments.events import ShipmentBooked, ShipmentCancelled
from postbridge.shipments.repository import SHIPMENT_COLUMNS
from postbridge.storage.outbox import encode_event

BOOKED_AT = datetime(2026, 12, 2, 1, 30, tzinfo=UTC)


def test_envelope_of_an_event() -> None:
    event = ShipmentCancelled(
        merchant_id="mch_1", shipment_id="shp_1", tracking_number="LX000000001CN",
        destination_country="BR", occurred_at=BOOKED_AT,
    )  # fmt: skip
    event_id, kind, key, occurred_at, version, payload = encode_event(event)
    assert event_id.startswith("evt_")
    assert len(event_id) == 30
    assert (kind, key, occurred_at, version) == (
        "shipment.cancelled", "shipment:shp_1", BOOKED_AT, 1
    )  # fmt: skip
    assert orjson.loads(payload) == {
        "merchant_id": "mch_1", "shipment_id": "shp_1", "tracking_number": "LX000000001CN",
        "destination_country": "BR",
    }  # fmt: skip


def test_batch_events_name_the_batch() -> None:
    event = BatchCompleted(merchant_id="mch_1", batch_id="bat_9", rows_booked=3, rows_failed=1)
    assert event.aggregate_key == "batch:bat_9"
    assert event.payload() == {
        "merchant_id": "mch_1", "batch_id": "bat_9", "rows_booked": 3, "rows_failed": 1
    }  # fmt: skip
    assert event.occurred_at.tzinfo is UTC


def test_bulk_encoding_is_the_events_own_encoding() -> None:
    values = {
        "id": "shp_7", "merchant_id": "mch_1", "reference": "ORDER-7",
        "tracking_number": "LX000000007CN", "destination_country": "US", "service": "economy",
        "batch_id": "bat_1", "batch_row": 12,
    }  # fmt: skip
    row = [values.get(name) for name in SHIPMENT_COLUMNS]
    (encoded,) = booked_events([row], booked_at=BOOKED_AT)
    event = ShipmentBooked(
        merchant_id="mch_1", shipment_id="shp_7", tracking_number="LX000000007CN",
        destination_country="US", reference="ORDER-7", service="economy", batch_id="bat_1",
        batch_row=12, occurred_at=BOOKED_AT,
    )  # fmt: skip
    expected = encode_event(event)
    assert encoded[0].startswith("evt_")
    assert encoded[1:] == expected[1:]  # same type, key, time, version and payload text
