"""USPS tracking subscription notifications (subscriptions-tracking-v3r2.yaml): the
documented example read into raw events, the X-HMAC checked over the exact strings."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest

from postbridge.carriers.usps.wire.errors import UspsPayloadInvalid
from postbridge.carriers.usps.wire.notifications import (
    NotificationSignatureInvalid,
    parse_notification,
    signature,
)

SECRET = "0123456789abcdef0123456789abcdef"
# The "Tracking Subscription Event" example of the spec (components/examples/scanEvent), its
# payload unescaped (the spec shows it escaped twice) and trimmed to the fields read here.
PAYLOAD = json.dumps(
    {
        "trackingNumber": "9205590123456789012345",
        "mailClass": "Priority Mail<SUP>&reg;</SUP>",
        "mailClassCode": "PM",
        "serviceTypeCode": "055",
        "status": "Delivered, Front Door/Porch",
        "trackingEvents": [
            {
                "actionCode": "A",
                "eventCity": "DETROIT",
                "eventCode": "01",
                "eventCountry": "US",
                "eventState": "MI",
                "eventTimestamp": "2025-02-07T12:55:12-05:00",
                "eventType": "Delivered, Front Door/Porch",
                "eventZIPCode": "12345",
                "GMTTimestamp": "2025-02-07T17:55:12Z",
                "GMTOffset": "-5:00",
                "reasonCode": "10",
                "recipientName": "John Doe",
            }  # fmt: skip
        ],
    },
    separators=(",", ":"),
)
TIMESTAMP = "2024-12-27T19:05:42.747Z"


def body(payload: str = PAYLOAD, timestamp: str = TIMESTAMP) -> bytes:
    envelope = {
        "subscriptionId": "123456789",
        "subscriptionType": "TRACKING",
        "timestamp": timestamp,
        "payload": payload,
    }
    return json.dumps(envelope).encode()


def test_a_signed_notification_gives_its_events_in_utc_with_the_local_offset() -> None:
    headers = {"x-hmac": signature(SECRET, TIMESTAMP, PAYLOAD)}

    subscription, parsed = parse_notification(body(), headers, secret=SECRET)

    assert subscription == "123456789"
    assert parsed.errors == ()
    (event,) = parsed.events
    assert (event.tracking_number, event.event_code, event.event_text) == (
        "9205590123456789012345",
        "01",
        "Delivered, Front Door/Porch",
    )
    assert event.occurred_at == datetime(2025, 2, 7, 17, 55, 12, tzinfo=UTC)
    assert event.local_offset_minutes == -300
    assert (event.city, event.state, event.postal_code, event.country) == (
        "DETROIT", "MI", "12345", "US"
    )  # fmt: skip


def test_the_deprecated_hmac_header_is_read_too() -> None:
    headers = {"hmac-header": signature(SECRET, TIMESTAMP, PAYLOAD)}
    assert len(parse_notification(body(), headers, secret=SECRET)[1].events) == 1


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"x-hmac": ""},
        {"x-hmac": signature("f" * 32, TIMESTAMP, PAYLOAD)},  # another secret
        {"x-hmac": signature(SECRET, "2024-12-27T19:05:43.747Z", PAYLOAD)},  # another timestamp
        {"x-hmac": signature(SECRET, TIMESTAMP, PAYLOAD.replace("DETROIT", "DENVER"))},
    ],
    ids=["none", "empty", "other-secret", "other-timestamp", "other-payload"],
)
def test_a_missing_or_wrong_signature_is_refused(headers: dict[str, str]) -> None:
    with pytest.raises(NotificationSignatureInvalid) as refused:
        parse_notification(body(), headers, secret=SECRET)
    assert refused.value.http_status == 401


@pytest.mark.parametrize(
    "raw", [b"{", b"[]", json.dumps({"subscriptionId": "1", "payload": "{}"}).encode()]
)
def test_a_body_that_is_not_a_scan_event_is_a_payload_error(raw: bytes) -> None:
    with pytest.raises(UspsPayloadInvalid, match="tracking notification"):
        parse_notification(raw, {"x-hmac": "x"}, secret=SECRET)


def test_a_signed_payload_that_is_not_tracking_detail_is_a_payload_error() -> None:
    payload = json.dumps({"trackingEvents": []})
    headers = {"x-hmac": signature(SECRET, TIMESTAMP, payload)}
    with pytest.raises(UspsPayloadInvalid):
        parse_notification(body(payload), headers, secret=SECRET)


def test_the_signature_is_the_specs_base64_hmac_sha256_of_timestamp_then_payload() -> None:
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), (TIMESTAMP + PAYLOAD).encode(), hashlib.sha256).digest()
    ).decode()
    assert signature(SECRET, TIMESTAMP, PAYLOAD) == expected
