"""Signatures checked with the Standard Webhooks reference library (not with our code), secrets
sealed at rest, and the notification object."""

from __future__ import annotations

import base64
import time
from dataclasses import fields
from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from postbridge.bulk.events import BatchCompleted, BatchFailed
from postbridge.shipments.events import LabelCreated, ShipmentBooked, ShipmentCancelled
from postbridge.tracking.events import TrackerDelivered, TrackerException, TrackerUpdated
from postbridge.webhooks.catalog import EVENT_TYPES, encode_notification, notification, ordering_key
from postbridge.webhooks.events import WebhookEndpointDisabled
from postbridge.webhooks.schemas import NOTIFICATIONS
from postbridge.webhooks.sealing import SealedSecretInvalid, SecretSealer
from postbridge.webhooks.signing import generate_secret, signed_headers

BODY = '{"id":"evt_1","type":"shipment.booked","data":{"reference":"ORD-\\u00e9"}}'


def test_a_signature_verifies_with_the_reference_library() -> None:
    secret = generate_secret()
    now = int(time.time())
    headers = signed_headers([secret], message_id="evt_01ABC", timestamp=now, body=BODY)

    assert Webhook(secret).verify(BODY, headers) == {
        "id": "evt_1", "type": "shipment.booked", "data": {"reference": "ORD-é"}
    }  # fmt: skip
    assert headers["webhook-id"] == "evt_01ABC"
    assert headers["webhook-timestamp"] == str(now)
    assert headers["webhook-signature"].startswith("v1,")
    with pytest.raises(WebhookVerificationError):
        Webhook(generate_secret()).verify(BODY, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY.replace("evt_1", "evt_2"), headers)


def test_during_a_rotation_both_secrets_sign_space_separated() -> None:
    new, old = generate_secret(), generate_secret()
    headers = signed_headers([new, old], message_id="evt_X", timestamp=int(time.time()), body=BODY)

    assert len(headers["webhook-signature"].split(" ")) == 2
    assert Webhook(new).verify(BODY, headers)["id"] == "evt_1"
    assert Webhook(old).verify(BODY, headers)["id"] == "evt_1"


def test_a_secret_is_whsec_and_32_random_bytes() -> None:
    secret = generate_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    assert generate_secret() != secret


def test_a_sealed_secret_opens_only_under_the_same_server_secret_and_unaltered() -> None:
    sealer = SecretSealer.from_server_secret("server-secret-1")
    secret = generate_secret()
    sealed = sealer.seal(secret)

    assert secret not in sealed
    assert secret.removeprefix("whsec_") not in sealed
    assert sealer.seal(secret) != sealed  # a fresh nonce each time
    assert SecretSealer.from_server_secret("server-secret-1").open(sealed) == secret
    with pytest.raises(SealedSecretInvalid):
        SecretSealer.from_server_secret("server-secret-2").open(sealed)
    assert sealed.startswith("v2.")
    raw = bytearray(base64.urlsafe_b64decode(sealed.removeprefix("v2.")))
    raw[20] ^= 1  # a byte of the IV: the token no longer authenticates
    with pytest.raises(SealedSecretInvalid):
        sealer.open("v2." + base64.urlsafe_b64encode(bytes(raw)).decode())
    with pytest.raises(SealedSecretInvalid):
        sealer.open("v1." + sealed.removeprefix("v2."))


def test_a_rotated_server_secret_still_opens_what_the_previous_one_sealed() -> None:
    old = SecretSealer.from_server_secret("server-secret-1").seal("whsec_abc")
    rotated = SecretSealer.from_server_secret("server-secret-2", ("server-secret-1",))
    assert rotated.open(old) == "whsec_abc"
    fresh = rotated.seal("whsec_def")
    assert SecretSealer.from_server_secret("server-secret-2").open(fresh) == "whsec_def"
    with pytest.raises(SealedSecretInvalid):
        SecretSealer.from_server_secret("server-secret-1").open(fresh)


def test_the_notification_object_and_its_exact_text() -> None:
    body = notification(
        event_id="evt_1", event_type="shipment.cancelled", schema_version=1,
        occurred_at=datetime(2026, 12, 2, 3, 4, 5, 678000, tzinfo=UTC),
        payload={"merchant_id": "mch_1", "shipment_id": "shp_1"},
    )  # fmt: skip
    assert encode_notification(body) == (
        '{"id":"evt_1","type":"shipment.cancelled","schema_version":1,'
        '"created_at":"2026-12-02T03:04:05.678000Z",'
        '"data":{"merchant_id":"mch_1","shipment_id":"shp_1"}}'
    )


def test_a_parcels_shipment_and_tracker_events_share_one_ordering_key() -> None:
    assert ordering_key("shipment:shp_1", {"shipment_id": "shp_1"}) == "shipment:shp_1"
    assert ordering_key("tracker:trk_9", {"shipment_id": "shp_1"}) == "shipment:shp_1"
    assert ordering_key("tracker:trk_9", {"shipment_id": None}) == "tracker:trk_9"
    assert ordering_key("batch:bat_1", {"batch_id": "bat_1"}) == "batch:bat_1"


@pytest.mark.parametrize(
    "event_class",
    [ShipmentBooked, LabelCreated, ShipmentCancelled, BatchCompleted, BatchFailed,
     TrackerUpdated, TrackerDelivered, TrackerException, WebhookEndpointDisabled],
)  # fmt: skip
def test_the_documented_data_is_the_events_payload_field_for_field(event_class: type) -> None:
    documented = NOTIFICATIONS[event_class.type].model_fields["data"].annotation
    payload = [f.name for f in fields(event_class) if f.name not in ("event_id", "occurred_at")]
    assert documented is not None
    assert sorted(documented.model_fields) == sorted(payload)
    assert event_class.type in EVENT_TYPES


def test_every_subscribable_type_is_documented() -> None:
    assert list(NOTIFICATIONS) == list(EVENT_TYPES)
