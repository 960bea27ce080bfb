"""Webhook endpoints, attempts, events API, redelivery and replay through HTTP, with a real
receiver on 127.0.0.1 and the worker's pieces (relay, delivery loop, job runner) run in turn."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from standardwebhooks.webhooks import Webhook

from postbridge.bootstrap import Platform, event_consumers
from postbridge.jobs.relay import OutboxRelay
from postbridge.jobs.runner import JobRunner
from postbridge.kit.clock import utc_now
from postbridge.webhooks.dispatcher import WebhookDispatcher
from postbridge.webhooks.replay import REPLAY_JOB, replay_window
from postbridge.webhooks.sealing import SecretSealer
from tests.builders import shipment_body
from tests.e2e.conftest import auth
from tests.webhook_receiver import Receiver

PROBLEM = "application/problem+json"


class Hooks:
    """A merchant's view over HTTP, plus the worker's steps."""

    def __init__(self, client: TestClient, platform: Platform, key: str) -> None:
        self.client, self.platform, self.key = client, platform, key
        self.created: list[str] = []
        self.dispatcher = WebhookDispatcher(
            platform.database, SecretSealer.from_server_secret(platform.settings.secret_key),
            owner="e2e-worker",
        )  # fmt: skip

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.client.request(method, path, headers=auth(self.key), **kwargs)

    def create(self, url: str, types: list[str]) -> dict[str, Any]:
        response = self.call(
            "POST", "/v1/webhook-endpoints", json={"url": url, "event_types": types}
        )
        assert response.status_code == 201, response.text
        self.created.append(response.json()["id"])
        return dict(response.json())

    def book(self, reference: str) -> str:
        response = self.call("POST", "/v1/shipments", json=shipment_body(reference=reference))
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def work(self) -> None:
        OutboxRelay(self.platform.database, event_consumers()).relay_all()
        runner = JobRunner(
            self.platform.database,
            {REPLAY_JOB: lambda job, ctx: replay_window(
                database=self.platform.database, job_id=job.id, payload=job.payload,
                heartbeat=ctx.heartbeat)},
            owner="e2e-worker", lease=timedelta(seconds=30),
        )  # fmt: skip
        while runner.run_next() is not None:
            pass
        self.dispatcher.deliver_due()

    def cleanup(self) -> None:
        self.dispatcher.close()
        for endpoint_id in self.created:
            self.call("DELETE", f"/v1/webhook-endpoints/{endpoint_id}")


@pytest.fixture
def hooks(client: TestClient, platform: Platform, merchant_key: str) -> Iterator[Hooks]:
    made = Hooks(client, platform, merchant_key)
    yield made
    made.cleanup()


def test_the_secret_is_shown_once_and_the_endpoint_is_the_merchants_alone(
    hooks: Hooks, other_merchant_key: str
) -> None:
    created = hooks.create("https://hooks.example.com/pb", ["shipment.booked", "shipment.booked"])
    path = f"/v1/webhook-endpoints/{created['id']}"

    assert created["secret"].startswith("whsec_")
    assert created["event_types"] == ["shipment.booked"]
    assert (created["enabled"], created["disabled_reason"]) == (True, None)
    read = hooks.call("GET", path).json()
    assert "secret" not in read
    assert {k: v for k, v in created.items() if k != "secret"} == read
    assert [e["id"] for e in hooks.call("GET", "/v1/webhook-endpoints").json()["items"]] == [
        created["id"]
    ]
    other = auth(other_merchant_key)
    for method in ("GET", "PATCH", "DELETE"):
        answer = hooks.client.request(method, path, headers=other, json={"enabled": False})
        assert (answer.status_code, answer.json()["code"]) == (404, "webhook_endpoint_not_found")
    assert hooks.client.get("/v1/webhook-endpoints", headers=other).json() == {"items": []}

    changed = hooks.call(
        "PATCH", path, json={"event_types": ["tracker.delivered"], "enabled": False}
    )
    assert (changed.json()["event_types"], changed.json()["enabled"]) == (
        ["tracker.delivered"],
        False,
    )
    assert changed.json()["disabled_reason"] == "disabled by the merchant"
    assert hooks.call("DELETE", path).status_code == 204
    assert hooks.call("GET", path).status_code == 404


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"url": "http://hooks.example.com/", "event_types": ["shipment.booked"]}, "url", "https_required"),
        ({"url": "https://x.example/", "event_types": ["shipment.booked", "parcel.lost"]}, "event_types[1]", "unknown_event_type"),
        ({"url": "https://x.example/", "event_types": []}, "event_types", "required"),
        ({"url": "https://x.example/", "event_types": ["shipment.booked"], "colour": "red"}, "colour", "extra_forbidden"),
    ],
)  # fmt: skip
def test_invalid_endpoints_are_problems_naming_the_field(
    hooks: Hooks, body: dict[str, Any], field: str, code: str
) -> None:
    response = hooks.call("POST", "/v1/webhook-endpoints", json=body)
    assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM)
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [(field, code)]


def test_events_api_redelivery_attempts_and_rotation_end_to_end(
    hooks: Hooks, other_merchant_key: str
) -> None:
    with Receiver(lambda n: 500 if n == 1 else 200) as receiver:
        endpoint = hooks.create(receiver.url, ["shipment.booked"])
        first, second = hooks.book("WH-E2E-1"), hooks.book("WH-E2E-2")
        hooks.work()  # the first attempt of one of them fails (500): due again in ~30 s
        events = hooks.call("GET", "/v1/events", params={"type": "shipment.booked"}).json()
        newest, oldest = events["items"]
        assert [newest["data"]["shipment_id"], oldest["data"]["shipment_id"]] == [second, first]
        assert events["next_cursor"] is None

        page = hooks.call("GET", "/v1/events", params={"limit": 1}).json()
        assert [e["id"] for e in page["items"]] == [newest["id"]]
        rest = hooks.call("GET", "/v1/events", params={"limit": 1, "cursor": page["next_cursor"]})
        assert [e["id"] for e in rest.json()["items"]] == [oldest["id"]]
        assert hooks.call("GET", "/v1/events", params={"created_to": newest["created_at"], "type": "shipment.booked"}).json()["items"] == [oldest]  # fmt: skip
        assert (
            hooks.client.get("/v1/events", headers=auth(other_merchant_key)).json()["items"] == []
        )
        assert hooks.client.get(f"/v1/events/{oldest['id']}", headers=auth(other_merchant_key)).status_code == 404  # fmt: skip
        assert hooks.call("GET", f"/v1/events/{oldest['id']}").json() == oldest
        for bad_cursor in ("bm90LWEtY3Vyc29y", "%%%"):
            refused = hooks.call("GET", "/v1/events", params={"cursor": bad_cursor})
            assert [(e["field"], refused.status_code) for e in refused.json()["errors"]] == [
                ("cursor", 422)
            ]

        rotated = hooks.call("POST", f"/v1/webhook-endpoints/{endpoint['id']}/rotate-secret", json={"overlap_seconds": 3600}).json()  # fmt: skip
        redelivered = hooks.call("POST", f"/v1/events/{oldest['id']}/redeliver")
        assert redelivered.status_code == 202
        assert [d["endpoint_id"] for d in redelivered.json()["deliveries"]] == [endpoint["id"]]
        hooks.work()

    last = receiver.received[-1]
    assert last.webhook_id == oldest["id"]
    assert json.loads(last.body) == oldest  # the events API and the webhook carry one object
    for secret in (endpoint["secret"], rotated["secret"]):  # both sign during the overlap
        assert Webhook(secret).verify(last.body, last.headers)["id"] == oldest["id"]
    assert rotated["previous_secret_expires_at"] is not None
    attempts = hooks.call("GET", f"/v1/webhook-endpoints/{endpoint['id']}/attempts").json()
    assert sorted((a["status_code"], a["succeeded"]) for a in attempts["items"]) == [
        (200, True), (200, True), (500, False),
    ]  # fmt: skip
    assert receiver.ids().count(oldest["id"]) + receiver.ids().count(newest["id"]) == 3


def test_a_replay_sends_the_windows_events_again_with_their_ids(hooks: Hooks) -> None:
    with Receiver() as receiver:
        endpoint = hooks.create(receiver.url, ["shipment.booked"])
        since = utc_now() - timedelta(seconds=1)
        hooks.book("WH-REPLAY-1")
        hooks.book("WH-REPLAY-2")
        hooks.work()
        until = utc_now() + timedelta(seconds=1)
        queued = hooks.call(
            "POST", f"/v1/webhook-endpoints/{endpoint['id']}/replay",
            json={"since": since.isoformat(), "until": until.isoformat()},
        )  # fmt: skip
        assert queued.status_code == 202
        hooks.work()
        bad = hooks.call(
            "POST", f"/v1/webhook-endpoints/{endpoint['id']}/replay",
            json={"since": until.isoformat(), "until": since.isoformat()},
        )  # fmt: skip

    first, again = receiver.ids()[:2], receiver.ids()[2:]
    assert sorted(again) == sorted(first)
    assert len(set(first)) == 2
    assert [(e["field"], e["code"]) for e in bad.json()["errors"]] == [("until", "invalid")]


def test_the_events_api_names_an_unknown_type_filter(client: TestClient, merchant_key: str) -> None:
    response = client.get(
        "/v1/events?type=shipment.booked&type=shipment.lost", headers=auth(merchant_key)
    )
    assert response.status_code == 422
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("type[1]", "unknown_event_type")
    ]
    held = client.get("/v1/events?type=shipment.held", headers=auth(merchant_key))
    assert held.status_code == 200
