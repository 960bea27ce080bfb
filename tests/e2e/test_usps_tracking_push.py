"""USPS tracking pushed to the platform, end to end in process: the jobs worker subscribes to
the sandbox's USPS subscriptions API with our mailer id and listener URL, the sandbox's clock
moves, the sandbox posts each scan signed with the subscription's secret (X-HMAC), and the
listener stores them; a repeated post adds nothing, a forged one is refused."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from postbridge.bootstrap import Platform
from postbridge.handover.job_kinds import TRACKING_SUBSCRIPTION_JOB
from postbridge.handover.tracking_push import listener_url, queue_subscriptions
from postbridge.kit.clock import utc_now
from postbridge.sandbox.app import create_sandbox_app
from postbridge.sandbox.sandbox import build_sandbox
from postbridge.sandbox.webhooks import headers_for, notification_body
from postbridge.tracking.models import TrackingEventRow
from postbridge.worker.loop import Worker
from tests.builders import shipment_body
from tests.e2e.conftest import auth
from tests.e2e.test_handover_sandbox import jobs_of, wired  # noqa: F401  (fixture)

LISTENER_BASE = "http://testserver"


class Forwarder:
    """The sandbox's webhook sender, posting to the platform's app instead of the network."""

    def __init__(self) -> None:
        self.client: TestClient | None = None
        self.answers: list[tuple[int, dict[str, Any]]] = []
        self.posted: list[tuple[bytes, dict[str, str]]] = []

    def __call__(self, url: str, body: bytes, headers: dict[str, str]) -> bool:
        assert self.client is not None
        assert url.startswith(LISTENER_BASE)
        self.posted.append((body, headers))
        answer = self.client.post(url.removeprefix(LISTENER_BASE), content=body, headers=headers)
        self.answers.append((answer.status_code, answer.json()))
        return answer.status_code == 200


@pytest.fixture
def forwarder() -> Forwarder:
    return Forwarder()


@pytest.fixture
def sandbox(forwarder: Forwarder) -> Iterator[TestClient]:
    world = build_sandbox(
        url="sqlite://", seed=5, start=utc_now() - timedelta(minutes=5), sender=forwarder
    )
    with TestClient(create_sandbox_app(world)) as client:
        yield client


def usps_events(platform: Platform, number: str) -> list[tuple[str, str, str]]:
    with platform.database.unit_of_work() as uow:
        rows = uow.session.execute(
            select(TrackingEventRow.partner, TrackingEventRow.code_scheme, TrackingEventRow.raw_code)
            .where(TrackingEventRow.tracking_number == number)
            .order_by(TrackingEventRow.occurred_at)
        ).all()  # fmt: skip
    return [(row[0], row[1], row[2]) for row in rows]


def test_the_sandbox_pushes_signed_usps_scans_that_the_listener_stores_once(
    wired: Platform,  # noqa: F811
    client: TestClient,
    sandbox: TestClient,
    forwarder: Forwarder,
    merchant_key: str,
) -> None:
    forwarder.client = client
    booked = client.post("/v1/shipments", json=shipment_body(), headers=auth(merchant_key)).json()
    assert booked["partner"] == "USPS"
    number = booked["partner_tracking_number"]
    assert wired.partner_clients is not None

    queued = queue_subscriptions(
        database=wired.database, clients=wired.partner_clients, public_base_url=LISTENER_BASE
    )
    again = queue_subscriptions(
        database=wired.database, clients=wired.partner_clients, public_base_url=LISTENER_BASE
    )
    Worker(wired).drain()  # advance data, pre-alert, label, the subscription

    assert (queued, again) == (1, 0)  # once per partner and listener URL
    assert jobs_of(wired, TRACKING_SUBSCRIPTION_JOB) == [("done", 1, None)]
    sandbox.post("/sandbox/v1/clock/advance", json={"hours": 24 * 6})

    ours = [
        (body, headers)
        for body, headers in forwarder.posted
        if json.loads(json.loads(body)["payload"])["trackingNumber"] == number
    ]
    assert ours, "the sandbox pushed no scan of the parcel"
    assert {status for status, _ in forwarder.answers} == {200}
    stored = usps_events(wired, number)
    assert len(stored) == len(ours)
    assert {(partner, scheme) for partner, scheme, _ in stored} == {("usps", "usps")}

    body, headers = ours[0]
    repeated = client.post(listener_url("", "USPS"), content=body, headers=headers)
    assert (repeated.status_code, repeated.json()["accepted"], repeated.json()["duplicates"]) == (
        200,
        0,
        1,
    )
    assert len(usps_events(wired, number)) == len(ours)


def test_a_forged_or_unsigned_notification_is_refused_and_stores_nothing(
    client: TestClient,
) -> None:
    text, _payload = notification_body(
        subscription_id="sub-1",
        timestamp="2026-12-02T10:00:00Z",
        detail={"trackingNumber": "9300190123400000000017", "trackingEvents": []},
    )
    forged = headers_for("x" * 32, text)  # not the platform's subscription secret
    path = listener_url("", "USPS")
    for headers in (forged, {"Content-Type": "application/json"}):
        answer = client.post(path, content=text, headers=headers)
        assert answer.status_code == 401
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["code"] == "signature_invalid"
    not_pushing = client.post(listener_url("", "CORREOS"), content=text, headers=forged)
    assert not_pushing.status_code == 404
    garbage = client.post(path, content=b"{", headers=forged)
    assert garbage.status_code == 422
    assert garbage.json()["errors"] == [
        {
            "field": "body",
            "code": "invalid_notification",
            "message": "tracking notification: body: not the scanEventEx shape",
        }
    ]
