"""Webhook delivery on SQLite and PostgreSQL, to a real receiver on 127.0.0.1: the booking's
event signed (checked with the Standard Webhooks reference library), retries with backoff on
a simulated clock, an hour-long outage caught up in order, an endpoint disabled after days."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook

from postbridge.bootstrap import event_consumers
from postbridge.jobs.relay import OutboxRelay
from postbridge.kit.clock import utc_now
from postbridge.shipments.booking import book_shipment, cancel_shipment
from postbridge.storage.outbox import OutboxRepository
from postbridge.storage.unit_of_work import Database
from postbridge.webhooks import endpoints
from postbridge.webhooks.backoff import RetrySchedule
from postbridge.webhooks.dispatcher import WebhookDispatcher
from postbridge.webhooks.endpoints import EndpointView, WebhookDeps
from postbridge.webhooks.models import WebhookDelivery
from postbridge.webhooks.reading import list_attempts
from postbridge.webhooks.sealing import SecretSealer
from postbridge.webhooks.settings import WebhookSettings
from tests.builders import shipment_input
from tests.conftest import TEST_PEPPER, make_merchant
from tests.integration.test_booking import deps_for
from tests.webhook_receiver import Receiver

SEALER = SecretSealer.from_server_secret(TEST_PEPPER)
FAST = WebhookSettings(connect_timeout_seconds=1, timeout_seconds=2, lease_seconds=10)


class Clock:
    def __init__(self) -> None:
        self.now = utc_now() + timedelta(seconds=1)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


class Setup:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.merchant_id = make_merchant(db).merchant_id
        self.clock = Clock()
        self.relay = OutboxRelay(db, event_consumers())
        self.dispatcher = WebhookDispatcher(
            db, SEALER, owner="test-worker", settings=FAST, clock=self.clock,
            schedule=RetrySchedule(jitter=0.0),
        )  # fmt: skip
        self.endpoints: list[str] = []

    def endpoint(self, url: str, types: list[str]) -> EndpointView:
        view = endpoints.create_endpoint(
            deps=WebhookDeps(database=self.db, sealer=SEALER, production=False),
            merchant_id=self.merchant_id, url=url, event_types=types,
        )  # fmt: skip
        self.endpoints.append(view.id)
        return view

    def book(self, reference: str) -> str:
        result = book_shipment(
            deps=deps_for(self.db), merchant_id=self.merchant_id,
            shipment=shipment_input(reference=reference),
        )  # fmt: skip
        return result.shipment.id

    def event_ids(self, shipment_id: str) -> list[str]:
        with self.db.unit_of_work() as uow:
            rows = OutboxRepository(uow.session).all_events(aggregate_key=f"shipment:{shipment_id}")
            return [row.event_id for row in rows]

    def deliver(self) -> int:
        self.relay.relay_all()
        return self.dispatcher.deliver_due()

    def deliveries(self, endpoint_id: str) -> list[WebhookDelivery]:
        with self.db.unit_of_work() as uow:
            query = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
            return list(uow.session.scalars(query.order_by(WebhookDelivery.sequence)))


@pytest.fixture
def setup(db: Database) -> Iterator[Setup]:
    made = Setup(db)
    yield made
    made.dispatcher.close()
    for endpoint_id in made.endpoints:  # deliveries go too: no later test sends them
        endpoints.delete_endpoint(
            database=db, merchant_id=made.merchant_id, endpoint_id=endpoint_id
        )


def test_a_booking_produces_a_signed_shipment_booked(setup: Setup) -> None:
    with Receiver() as receiver:
        endpoint = setup.endpoint(receiver.url, ["shipment.booked", "shipment.cancelled"])
        shipment_id = setup.book("WH-SIGNED-1")
        setup.deliver()

    (got,) = receiver.received
    (event_id,) = setup.event_ids(shipment_id)
    assert endpoint.secret is not None
    body = Webhook(endpoint.secret).verify(got.body, got.headers)
    assert got.webhook_id == event_id
    assert got.headers["content-type"] == "application/json"
    assert set(body) == {"id", "type", "schema_version", "created_at", "data"}
    assert (body["id"], body["type"], body["schema_version"]) == (event_id, "shipment.booked", 1)
    data = body["data"]
    assert data["merchant_id"] == setup.merchant_id
    assert data["shipment_id"] == shipment_id
    assert data["reference"] == "WH-SIGNED-1"
    assert (data["destination_country"], data["batch_id"], data["batch_row"]) == ("US", None, None)
    assert data["tracking_number"] == json.loads(got.body)["data"]["tracking_number"]
    (delivery,) = setup.deliveries(endpoint.id)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)


def test_a_receiver_failing_three_times_gets_the_event_on_the_fourth_attempt(setup: Setup) -> None:
    with Receiver(lambda n: 500 if n <= 3 else 202) as receiver:
        endpoint = setup.endpoint(receiver.url, ["shipment.booked"])
        shipment_id = setup.book("WH-RETRY-1")
        start = setup.clock.now
        assert setup.deliver() == 1
        for pause in (30, 60, 120):  # the backoff without jitter: 30 s, then doubling
            setup.clock.advance(timedelta(seconds=pause - 1))
            assert setup.dispatcher.deliver_due() == 0  # not due yet
            setup.clock.advance(timedelta(seconds=1))
            assert setup.dispatcher.deliver_due() == 1

    (event_id,) = setup.event_ids(shipment_id)
    assert receiver.ids() == [event_id] * 4
    page = list_attempts(
        database=setup.db, merchant_id=setup.merchant_id, endpoint_id=endpoint.id,
        cursor=None, limit=10,
    )  # fmt: skip
    assert [(a.attempt, a.status_code, a.succeeded) for a in page.items] == [
        (4, 202, True), (3, 500, False), (2, 500, False), (1, 500, False),
    ]  # fmt: skip
    assert [a.attempted_at - start for a in page.items] == [
        timedelta(seconds=s) for s in (210, 90, 30, 0)
    ]
    assert page.items[1].error == "HTTP 500"
    assert page.items[1].response_excerpt == ("receiver says no " * 200)[:1024]
    assert page.items[0].response_excerpt == "ok"
    (delivery,) = setup.deliveries(endpoint.id)
    assert (delivery.status, delivery.attempts) == ("delivered", 4)


def test_after_an_hour_down_every_event_arrives_once_in_order_per_shipment(setup: Setup) -> None:
    with Receiver() as probe:
        port, url = probe.port, probe.url  # a port known to be free; nobody listens after this
    endpoint = setup.endpoint(url, ["shipment.booked", "shipment.cancelled"])
    shipments = [setup.book(f"WH-OUTAGE-{n}") for n in range(3)]
    for shipment_id in shipments:
        cancel_shipment(database=setup.db, shipment_id=shipment_id, merchant_id=setup.merchant_id)
    setup.deliver()
    for _minute in range(60):  # down for an hour of the simulated clock
        setup.clock.advance(timedelta(minutes=1))
        setup.dispatcher.deliver_due()
    assert {d.status for d in setup.deliveries(endpoint.id)} == {"pending"}

    with Receiver(port=port) as receiver:
        for _minute in range(30):
            setup.clock.advance(timedelta(minutes=1))
            setup.dispatcher.deliver_due()

    expected = {s: setup.event_ids(s) for s in shipments}
    assert all(len(ids) == 2 for ids in expected.values())
    arrived = receiver.ids()
    assert sorted(arrived) == sorted(i for ids in expected.values() for i in ids)  # once each
    for booked, cancelled in expected.values():
        assert arrived.index(booked) < arrived.index(cancelled)
    types = {r.webhook_id: json.loads(r.body)["type"] for r in receiver.received}
    assert [types[i] for i in arrived if i in expected[shipments[0]]] == [
        "shipment.booked", "shipment.cancelled"
    ]  # fmt: skip
    # Only the first event of each shipment was tried during the outage: its successor waited.
    attempts = {d.event_id: d.attempts for d in setup.deliveries(endpoint.id)}
    assert {attempts[cancelled] for _, cancelled in expected.values()} == {1}
    assert {attempts[booked] for booked, _ in expected.values()} == {8}  # 7 failed, then one


def test_an_endpoint_failing_for_three_days_is_disabled_and_says_why(setup: Setup) -> None:
    with Receiver(lambda _n: 503) as failing, Receiver() as listening:
        endpoint = setup.endpoint(failing.url, ["shipment.booked"])
        setup.endpoint(listening.url, ["webhook_endpoint.disabled"])
        setup.book("WH-DISABLE-1")
        setup.deliver()
        first_failure = setup.clock.now
        while (delivery := setup.deliveries(endpoint.id)[0]).status == "pending":
            setup.clock.now = max(setup.clock.now, delivery.next_attempt_at)
            setup.dispatcher.deliver_due()
        tries = len(failing.received)
        disabled = endpoints.get_endpoint(
            database=setup.db, merchant_id=setup.merchant_id, endpoint_id=endpoint.id
        )
        setup.book("WH-DISABLE-2")
        setup.deliver()  # relays the disabled event (to the other endpoint) and the new booking
        setup.clock.advance(timedelta(hours=1))
        setup.dispatcher.deliver_due()

    assert tries == 17  # the whole schedule
    assert len(failing.received) == 17  # and nothing after it
    assert setup.clock.now - first_failure == timedelta(days=3, hours=1)
    assert disabled.enabled is False
    assert disabled.disabled_reason == (
        f"no successful delivery since {first_failure.isoformat()} (last attempt: HTTP 503)"
    )
    (delivery,) = setup.deliveries(endpoint.id)  # the second booking made no delivery
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("failed", 17, "HTTP 503")
    (told,) = [json.loads(r.body) for r in listening.received]
    assert (told["type"], told["data"]["endpoint_id"], told["data"]["reason"]) == (
        "webhook_endpoint.disabled", endpoint.id, disabled.disabled_reason,
    )  # fmt: skip
    assert told["data"]["url"] == failing.url
