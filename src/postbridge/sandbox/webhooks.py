"""USPS tracking subscription notifications, signed as subscriptions-tracking-v3r2.yaml says.

``X-HMAC``: "concatenate the value of the timestamp field and the value of the payload field,
hash the concatenated string using the shared secret and the SHA256 hash function, and encode
the output in Base64". The payload is itself a JSON string (a TrackingSubscriptionNotification).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from postbridge.carriers.usps.wire.notifications import signature

# (listener URL, body, headers) -> delivered? The server posts with httpx; tests capture.
WebhookSender = Callable[[str, bytes, dict[str, str]], bool]
SEND_TIMEOUT_S = 5.0


# The signature is the wire format's own (the listener checks it with the same function).
sign = signature


def notification_body(
    *, subscription_id: str, timestamp: str, detail: dict[str, Any]
) -> tuple[str, str]:
    """The scanEventEx body as text, and its payload string (what the signature covers)."""
    payload = json.dumps(detail, separators=(",", ":"))
    body = {
        "subscriptionId": subscription_id,
        "subscriptionType": "TRACKING",
        "timestamp": timestamp,
        "payload": payload,
    }
    return json.dumps(body, separators=(",", ":")), payload


def headers_for(secret: str, body_text: str) -> dict[str, str]:
    body = json.loads(body_text)
    return {
        "Content-Type": "application/json",
        "X-HMAC": sign(secret, body["timestamp"], body["payload"]),
    }


def http_sender(url: str, body: bytes, headers: dict[str, str]) -> bool:
    try:
        response = httpx.post(url, content=body, headers=headers, timeout=SEND_TIMEOUT_S)
    except httpx.HTTPError:
        return False
    return response.is_success
