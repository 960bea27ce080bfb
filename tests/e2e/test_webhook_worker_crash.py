"""``kill -9`` of the event worker (relay and deliveries) while it delivers webhooks, end to end: ``postbridge serve --demo``
as a subprocess, an endpoint on a slow receiver on 127.0.0.1, parcels booked and cancelled
through the API, the worker killed mid-delivery. The server starts a new worker, which sends
what was in flight again once its lease ends: every event arrives, in order per shipment, and
a duplicate only ever repeats a ``webhook-id`` with the same signed body."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from standardwebhooks.webhooks import Webhook

from postbridge.storage.engine import normalize_url
from tests.builders import shipment_body
from tests.conftest import fresh_postgres_database
from tests.e2e.test_worker_crash import Running, gone, wait_until
from tests.webhook_receiver import Received, Receiver

pytestmark = pytest.mark.slow

SHIPMENTS = 30


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The platform's own database: SQLite under the test's folder, or a new PostgreSQL
    database (the relay and the delivery claims take SKIP LOCKED there)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'var' / 'postbridge.db'}"
        return
    with fresh_postgres_database() as url:
        yield url


def test_killing_the_worker_mid_delivery_loses_no_event(tmp_path: Path, database_url: str) -> None:
    running = Running(tmp_path)
    running.env["POSTBRIDGE_DATABASE_URL"] = database_url
    running.env.update({
        "POSTBRIDGE_WEBHOOK_CONNECT_TIMEOUT_SECONDS": "3",
        "POSTBRIDGE_WEBHOOK_TIMEOUT_SECONDS": "2",
        "POSTBRIDGE_WEBHOOK_LEASE_SECONDS": "6",
    })  # fmt: skip
    opened: list[httpx.Client] = []
    try:
        with Receiver(delay_seconds=0.3) as receiver:
            running.start()
            api = httpx.Client(base_url=running.url, headers=running.headers(), timeout=30)
            opened.append(api)
            endpoint = api.post(
                "/v1/webhook-endpoints",
                json={"url": receiver.url, "event_types": ["shipment.booked", "shipment.cancelled"]},
            ).json()  # fmt: skip
            shipments = []
            for n in range(SHIPMENTS):
                booked = api.post("/v1/shipments", json=shipment_body(reference=f"WH-KILL-{n}"))
                assert booked.status_code == 201, booked.text
                shipments.append(booked.json()["id"])
                assert api.post(f"/v1/shipments/{booked.json()['id']}/cancel").status_code == 200
            expected = events_of(database_url, shipments)
            assert len(expected) == 2 * SHIPMENTS

            wait_until(lambda: len(ours(receiver, shipments)) >= 10, 30, "first deliveries")
            # Both event workers: deliveries in flight in either are sent again after their
            # lease, by whichever worker claims them.
            workers = running.worker_pids_of("events")
            assert len(workers) == 2
            for worker in workers:
                os.kill(worker, signal.SIGKILL)
            wait_until(lambda: all(gone(w) for w in workers), 10, "the killed workers to go")
            at_kill = len({r.webhook_id for r in ours(receiver, shipments)})
            running.spawned.add(running.worker_pid("events", other_than=workers))
            wait_until(
                lambda: {r.webhook_id for r in ours(receiver, shipments)} >= set(expected), 45,
                "every event after the restart",
            )  # fmt: skip
            arrived = ours(receiver, shipments)
    finally:
        for client in opened:
            client.close()
        running.stop()

    assert at_kill < 2 * SHIPMENTS  # the kill landed mid-delivery
    assert {r.webhook_id for r in arrived} == set(expected)
    bodies: dict[str, str] = {}
    for message in arrived:  # a duplicate is the same message again, validly signed
        assert bodies.setdefault(message.webhook_id, message.body) == message.body
        Webhook(endpoint["secret"]).verify(message.body, message.headers)
    first_seen = list(dict.fromkeys(r.webhook_id for r in arrived))
    for shipment_id in shipments:
        booked, cancelled = (i for i, s in expected.items() if s == shipment_id)
        assert first_seen.index(booked) < first_seen.index(cancelled)


def events_of(database_url: str, shipments: list[str]) -> dict[str, str]:
    """event id -> shipment id, in outbox order."""
    engine = create_engine(normalize_url(database_url))
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT event_id, aggregate_key FROM outbox_events WHERE type IN "
                    "('shipment.booked', 'shipment.cancelled') ORDER BY position"
                )
            ).all()
    finally:
        engine.dispose()
    wanted = {f"shipment:{s}" for s in shipments}
    return {event_id: key.split(":", 1)[1] for event_id, key in rows if key in wanted}


def ours(receiver: Receiver, shipments: list[str]) -> list[Received]:
    wanted = set(shipments)
    return [
        r for r in list(receiver.received) if json.loads(r.body)["data"]["shipment_id"] in wanted
    ]
