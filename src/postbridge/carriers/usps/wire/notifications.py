"""USPS tracking subscription notifications (subscriptions-tracking-v3r2.yaml, the listener's
``post-notification``): the signature checked, the payload read as tracking details.

The body is a ``scanEventEx``: ``subscriptionId``, ``subscriptionType``, ``timestamp`` and a
``payload`` that is itself a JSON *string* holding a ``TrackingSubscriptionNotification`` (the
same ``TrackingDetail`` shape as the tracking API answers, with its ``trackingEvents``).

``X-HMAC`` (the deprecated ``hmac-header`` too): "concatenate the value of the timestamp field
and the value of the payload field, hash the concatenated string using the shared secret and
the SHA256 hash function, and encode the output in Base64". The check is over the exact
strings received, before anything is parsed further, and in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping

from pydantic import TypeAdapter, ValidationError
from typing_extensions import TypedDict  # pydantic needs it on Python < 3.12

from postbridge.carriers.usps.wire.errors import UspsPayloadInvalid
from postbridge.carriers.usps.wire.tracking import ParsedTracking, parse_tracking_detail
from postbridge.errors import PostbridgeError

SIGNATURE_HEADERS = ("x-hmac", "hmac-header")


class NotificationEnvelope(TypedDict):
    subscriptionId: str
    subscriptionType: str
    timestamp: str
    payload: str


ENVELOPE = TypeAdapter(NotificationEnvelope)


class NotificationSignatureInvalid(PostbridgeError):
    """A notification whose X-HMAC is missing or does not match: not from our subscription."""

    code = "signature_invalid"
    http_status = 401
    title = "Signature missing or invalid"


def signature(secret: str, timestamp: str, payload: str) -> str:
    digest = hmac.new(secret.encode(), (timestamp + payload).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def parse_notification(
    body: bytes, headers: Mapping[str, str], *, secret: str
) -> tuple[str, ParsedTracking]:
    """The subscription id and the tracking events of a signed notification.

    ``headers`` keyed in lower case. NotificationSignatureInvalid when the signature is absent
    or wrong; UspsPayloadInvalid when the body is not the documented shape."""
    try:
        envelope = ENVELOPE.validate_json(body)
    except ValidationError as error:
        where = ".".join(str(p) for p in error.errors(include_url=False)[0]["loc"]) or "body"
        raise UspsPayloadInvalid(
            f"tracking notification: {where}: not the scanEventEx shape"
        ) from error
    given = next((headers[name] for name in SIGNATURE_HEADERS if headers.get(name)), None)
    expected = signature(secret, envelope["timestamp"], envelope["payload"])
    if given is None or not hmac.compare_digest(given.encode(), expected.encode()):
        raise NotificationSignatureInvalid(
            "the notification's X-HMAC is missing or does not match the subscription's secret"
        )
    return envelope["subscriptionId"], parse_tracking_detail(envelope["payload"])
