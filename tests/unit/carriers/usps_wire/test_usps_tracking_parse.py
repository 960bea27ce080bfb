"""Contract: USPS tracking answers become raw events with their true UTC instants."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest

from postbridge.carriers.usps.wire import (
    EVENT_TIME_UNKNOWN,
    NO_EVENTS_FOR_ITEM,
    RawTrackingEvent,
    TrackingLookupError,
    UspsPayloadInvalid,
    parse_tracking_batch,
    parse_tracking_detail,
    parse_tracking_error,
)
from tests.unit.carriers.usps_wire.fixture_shipment import fixture_bytes, fixture_json

NUMBER = "9400109104250532908587"

# By hand: every scan of the fixture is at GMTOffset -05:00 (EST, November), so UTC is the
# local wall-clock time plus five hours; the events run newest first, as USPS sends them.
EXPECTED = [
    ("01", "Delivered, Parcel Locker", "2024-11-22T13:58:00", (2024, 11, 22, 18, 58), "HERNANDO", "FL", "34442"),
    ("OF", "Out for Delivery", "2024-11-22T09:10:00", (2024, 11, 22, 14, 10), "HERNANDO", "FL", "34442"),
    ("07", "Arrived at Post Office", "2024-11-22T08:59:00", (2024, 11, 22, 13, 59), "LECANTO", "FL", "34461"),
    ("A1", "Arrived at USPS Regional Facility", "2024-11-20T01:13:00", (2024, 11, 20, 6, 13), "JACKSONVILLE FL DISTRIBUTION CENTER", None, None),
    ("TL", "In Transit to Next Facility", "2024-11-20T01:11:00", (2024, 11, 20, 6, 11), None, None, None),
    ("TL", "In Transit to Next Facility", "2024-11-19T18:07:00", (2024, 11, 19, 23, 7), None, None, None),
    ("TL", "In Transit to Next Facility", "2024-11-19T12:11:00", (2024, 11, 19, 17, 11), None, None, None),
    ("T1", "Departed USPS Regional Facility", "2024-11-19T06:16:00", (2024, 11, 19, 11, 16), "QUEENS NY DISTRIBUTION CENTER", None, None),
    ("10", "Arrived at USPS Regional Origin Facility", "2024-11-18T18:02:00", (2024, 11, 18, 23, 2), "QUEENS NY DISTRIBUTION CENTER", None, None),
    ("SF", "Departed Post Office", "2024-11-18T17:01:00", (2024, 11, 18, 22, 1), "JAMAICA", "NY", "11430"),
    ("03", "USPS in possession of item", "2024-11-18T11:10:00", (2024, 11, 18, 16, 10), "JAMAICA", "NY", "11430"),
    ("GX", "Shipping Label Created, USPS Awaiting Item", "2024-11-15T11:32:00", (2024, 11, 15, 16, 32), "SPRINGFIELD GARDENS", "NY", "11413"),
]  # fmt: skip


def test_every_fixture_event_parses_with_its_utc_instant() -> None:
    parsed = parse_tracking_detail(fixture_bytes("usps_tracking_response.json"))

    assert parsed.errors == ()
    assert parsed.events == tuple(
        RawTrackingEvent(
            tracking_number=NUMBER,
            event_code=code,
            event_text=text,
            occurred_at=datetime(*utc, tzinfo=UTC),
            local_offset_minutes=-300,
            local_timestamp=local,
            city=city,
            state=state,
            postal_code=zip_code,
            country=None,
        )
        for code, text, local, utc, city, state, zip_code in EXPECTED
    )


def test_computed_instants_agree_with_usps_gmt_timestamps_to_the_minute() -> None:
    # USPS's GMTTimestamp carries seconds the local time lacks; the minute must be the same.
    recorded = fixture_json("usps_tracking_response.json")["trackingEvents"]
    parsed = parse_tracking_detail(fixture_bytes("usps_tracking_response.json"))

    gmt = [datetime.fromisoformat(event["GMTTimestamp"]).replace(second=0) for event in recorded]
    assert [event.occurred_at for event in parsed.events] == gmt
    assert len(parsed.events) == 12


def test_batch_answer_keeps_found_items_and_reports_numbers_usps_could_not_find() -> None:
    found = fixture_json("usps_tracking_response.json")
    found["statusCode"] = "200"
    missing = {
        "statusCode": "404",
        "trackingNumber": "9400100000000000000000",
        "error": {"code": "404", "message": "Tracking number not found"},
    }
    parsed = parse_tracking_batch(orjson.dumps([missing, found]))

    assert len(parsed.events) == 12
    assert parsed.events[0].event_code == "01"
    assert parsed.errors == (
        TrackingLookupError("9400100000000000000000", "404", "404", "Tracking number not found"),
    )


def test_v3r2_spellings_and_an_event_without_a_usable_time() -> None:
    body = [
        {
            "trackingNumber": "LZ123456785US",
            "mailType": "International Inbound",
            "trackingEvents": [
                {
                    "eventType": "Processed Through Facility",
                    "eventCode": "10",
                    "eventTimestamp": "2025-03-11T06:40:00-07:00",
                    "eventCity": "LOS ANGELES",
                    "eventState": "CA",
                    "eventZIPCode": "90009",
                    "eventCountry": "US",
                    "reasonCode": "NA",
                },
                {"eventType": "Arrived", "eventCode": "A1", "eventTimestamp": "2025-03-10"},
            ],
        }
    ]
    parsed = parse_tracking_batch(orjson.dumps(body))

    assert parsed.events == (
        RawTrackingEvent(
            tracking_number="LZ123456785US",
            event_code="10",
            event_text="Processed Through Facility",
            occurred_at=datetime(2025, 3, 11, 13, 40, tzinfo=UTC),
            local_offset_minutes=-420,
            local_timestamp="2025-03-11T06:40:00-07:00",
            city="LOS ANGELES",
            state="CA",
            postal_code="90009",
            country="US",
            reason_code="NA",
        ),
    )
    assert parsed.errors == (
        TrackingLookupError(
            "LZ123456785US", "200", EVENT_TIME_UNKNOWN, "A1 'Arrived' at '2025-03-10'"
        ),
    )


def test_an_item_without_events_is_reported() -> None:
    body = orjson.dumps([{"trackingNumber": "EZ000012162US", "status": "Label Created"}])

    assert parse_tracking_batch(body).errors == (
        TrackingLookupError("EZ000012162US", "200", NO_EVENTS_FOR_ITEM, "Label Created"),
    )


def test_single_number_error_body() -> None:
    body = b'{"apiVersion": "v3", "error": {"code": "404", "message": "Not found", "errors": []}}'

    assert parse_tracking_error(body, tracking_number=NUMBER, status_code=404) == (
        TrackingLookupError(NUMBER, "404", "404", "Not found")
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"trackingNumber": 9400, "trackingEvents": []}', "tracking response: trackingNumber: Input should be a valid string"),
        (b'{"trackingEvents": "none"}', "tracking response: trackingEvents: Input should be a valid array"),
        (b"<html>gateway timeout</html>", "tracking response: body: Invalid JSON: expected value at line 1 column 1"),
        (b'{"status": "Delivered"}', "tracking response: an item without trackingNumber"),
    ],
)  # fmt: skip
def test_bodies_that_are_not_the_usps_format_raise(body: bytes, message: str) -> None:
    with pytest.raises(UspsPayloadInvalid) as raised:
        parse_tracking_detail(body)

    assert raised.value.detail == message
    assert raised.value.retryable is False
