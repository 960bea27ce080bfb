"""Advance data on SQLite and PostgreSQL: a booked parcel's data reaches its destination post,
the answer is stored with the shipment and recorded as an event; a refused parcel is held
(not flown); a partner outage is retried by the worker and loses nothing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from postbridge.bootstrap import Platform, build_platform
from postbridge.errors import PartnerRejected
from postbridge.handover.advance_data import send_advance_data
from postbridge.handover.consumer import HandoverConsumer
from postbridge.handover.job_kinds import ADVANCE_DATA_JOB
from postbridge.handover.jobs import job_handlers
from postbridge.handover.models import PartnerFeedCursor, ShipmentHandover
from postbridge.handover.prealert import send_prealerts
from postbridge.handover.tracking_pull import pull_tracking
from postbridge.jobs.relay import OutboxRelay
from postbridge.jobs.repository import JobRepository
from postbridge.jobs.runner import JobRunner
from postbridge.kit.clock import utc_now
from postbridge.shipments.booking import book_shipment
from postbridge.shipments.models import Shipment
from postbridge.storage.outbox import OutboxRepository
from postbridge.storage.unit_of_work import Database
from postbridge.tracking.models import TrackingEventRow
from tests.builders import shipment_input
from tests.conftest import make_merchant, settings_for
from tests.partner_fake import FakePartners

RECIPIENT_ES: dict[str, Any] = {
    "name": "Lucia Perez", "street_lines": ["Calle Mayor 1"], "city": "Madrid", "region": "M",
    "postal_code": "28013", "country": "ES", "phone": "+34 600 000 000",
    "email": "lucia@example.es",
}  # fmt: skip


@pytest.fixture(scope="module")
def platform_on(database_url: str) -> Iterator[Platform]:
    platform = build_platform(settings_for(database_url))
    yield platform
    platform.database.dispose()


def book(platform: Platform, recipient: dict[str, Any] | None = None) -> Shipment:
    merchant = make_merchant(platform.database)
    return book_shipment(
        deps=platform.booking, merchant_id=merchant.merchant_id,
        shipment=shipment_input(recipient=recipient),
    ).shipment  # fmt: skip


def handover_of(db: Database, shipment_id: str) -> tuple[ShipmentHandover | None, str]:
    with db.unit_of_work() as uow:
        record = uow.session.get(ShipmentHandover, shipment_id)
        shipment = uow.session.get(Shipment, shipment_id)
        assert shipment is not None
        return record, shipment.status


def events_of(db: Database, shipment_id: str) -> list[tuple[str, dict[str, Any]]]:
    with db.unit_of_work() as uow:
        rows = OutboxRepository(uow.session).all_events(aggregate_key=f"shipment:{shipment_id}")
        return [(row.type, row.payload) for row in rows]


def test_accepted_advance_data_matches_the_declaration_and_is_recorded(
    db: Database, platform_on: Platform
) -> None:
    shipment = book(platform_on, RECIPIENT_ES)
    fake = FakePartners()

    outcome = send_advance_data(database=db, clients=fake.clients(), shipment_id=shipment.id)

    assert (shipment.partner, outcome.status) == ("CORREOS", "accepted")
    [message] = fake.received["CORREOS"]
    assert message["item_id"] == shipment.tracking_number
    assert message["addressee"]["name"] == "Lucia Perez"
    assert message["items"] == [
        {"description": "Cotton T-shirt", "hs_code": "610910", "quantity": 2,
         "value": {"amount": "19.80", "currency": "USD"}, "net_weight_g": 360,
         "origin_country": "CN"}
    ]  # fmt: skip
    assert message["declared_value"] == {"amount": "19.80", "currency": "USD"}
    record, status = handover_of(db, shipment.id)
    assert record is not None
    assert (record.advance_status, record.advance_checked_by, record.advance_reasons) == (
        "accepted",
        "partner",
        [],
    )
    assert status == "booked"
    assert events_of(db, shipment.id)[-1] == (
        "shipment.advance_data_accepted",
        {"merchant_id": shipment.merchant_id, "shipment_id": shipment.id,
         "tracking_number": shipment.tracking_number, "destination_country": "ES",
         "partner": "CORREOS"},
    )  # fmt: skip
    # Running the job again sends nothing and records nothing.
    again = send_advance_data(database=db, clients=fake.clients(), shipment_id=shipment.id)
    assert again.status == "accepted"
    assert len(fake.received["CORREOS"]) == 1
    assert len(events_of(db, shipment.id)) == 2


def test_a_rejected_parcel_is_held_with_the_posts_reasons_and_not_flown(
    db: Database, platform_on: Platform
) -> None:
    shipment = book(platform_on)  # CN -> US: USPS receives advance data over the exchange
    fake = FakePartners()
    reason = {"code": "addressee_name_not_latin", "field": "addressee.name",
              "message": "the name must be in Latin script"}  # fmt: skip
    fake.rejections[shipment.tracking_number] = [reason]

    outcome = send_advance_data(database=db, clients=fake.clients(), shipment_id=shipment.id)

    assert (shipment.partner, outcome.status) == ("USPS", "held")
    assert [m["item_id"] for m in fake.received["USPS"]] == [shipment.tracking_number]
    record, status = handover_of(db, shipment.id)
    assert record is not None
    assert (record.advance_status, record.advance_reasons, record.held_from_status) == (
        "held",
        [reason],
        "booked",
    )
    assert status == "held"  # capacity planning takes booked, labelled and handed-over only
    assert events_of(db, shipment.id)[-1] == (
        "shipment.held",
        {"merchant_id": shipment.merchant_id, "shipment_id": shipment.id,
         "tracking_number": shipment.tracking_number, "destination_country": "US",
         "partner": "USPS", "checked_by": "partner", "reasons": [reason]},
    )  # fmt: skip


def test_a_partner_outage_is_retried_by_the_worker_and_loses_nothing(
    db: Database, platform_on: Platform
) -> None:
    shipment = book(platform_on, RECIPIENT_ES)
    OutboxRelay(db, [HandoverConsumer()]).relay_all()
    fake = FakePartners()
    # Every call of the first attempt fails (3 within the call), then the partner recovers.
    fake.item_failures = [httpx.Response(500), httpx.Response(503), httpx.Response(500)]
    fake.failing_partner = "CORREOS"
    now = [utc_now()]
    runner = JobRunner(
        db, job_handlers(database=db, clients=fake.clients(), registry=platform_on.partners,
                         clock=lambda: now[0]),
        owner="test-worker", lease=timedelta(seconds=30), clock=lambda: now[0],
    )  # fmt: skip

    run_until_attempted(db, runner, shipment.id, attempts=1)

    job = advance_job(db, shipment.id)
    assert (job.status, job.attempts) == ("queued", 1)
    assert job.last_error == "PartnerUnavailable: CORREOS: the advance data answered HTTP 500"
    assert job.run_after > now[0]
    record, _ = handover_of(db, shipment.id)
    assert record is not None
    assert record.advance_status == "pending"
    assert [t for t, _ in events_of(db, shipment.id)] == ["shipment.booked"]

    now[0] += timedelta(hours=1)
    run_until_attempted(db, runner, shipment.id, attempts=2)

    job = advance_job(db, shipment.id)
    assert (job.status, job.attempts) == ("done", 2)
    assert [m["item_id"] for m in fake.received["CORREOS"]] == [shipment.tracking_number]
    assert [t for t, _ in events_of(db, shipment.id)] == [
        "shipment.booked",
        "shipment.advance_data_accepted",
    ]


def advance_job(db: Database, shipment_id: str) -> Any:
    with db.unit_of_work() as uow:
        job = JobRepository(uow.session).by_dedupe_key(f"advance-data:{shipment_id}")
        assert job is not None
        assert job.kind == ADVANCE_DATA_JOB
        return job


def run_until_attempted(db: Database, runner: JobRunner, shipment_id: str, attempts: int) -> None:
    """Run due jobs (other tests' too) until this shipment's job made ``attempts`` attempts."""
    for _ in range(500):
        job = advance_job(db, shipment_id)
        if job.attempts >= attempts and job.status != "running":
            return
        if runner.run_next() is None:
            break
    raise AssertionError(f"the advance-data job of {shipment_id} did not run")


def test_prealerts_go_once_and_one_refused_parcel_does_not_hold_back_the_others(
    db: Database, platform_on: Platform
) -> None:
    good, bad = book(platform_on, RECIPIENT_ES), book(platform_on)
    fake = FakePartners()
    fake.prealert_refused.add(bad.tracking_number)

    with pytest.raises(PartnerRejected) as error:
        send_prealerts(database=db, clients=fake.clients(), shipment_ids=[good.id, bad.id])

    assert error.value.detail == (
        f"the origin refused 1 pre-alerts: {bad.id}: ORIGIN refused the pre-alert: "
        "HTTP 422 parcels[0]: not expected here"
    )
    [parcel] = fake.prealerts
    assert parcel["tracking_number"] == good.tracking_number
    assert parcel["partner"] == "CORREOS"
    assert parcel["route"]["legs"][0]["from"] == good.route.legs[0].origin  # type: ignore[union-attr]
    fake.prealert_refused.clear()
    sent = send_prealerts(database=db, clients=fake.clients(), shipment_ids=[good.id, bad.id])
    assert sent == 1
    assert [p["tracking_number"] for p in fake.prealerts] == [
        good.tracking_number,
        bad.tracking_number,
    ]


def feed_event(event_id: str, item_id: str, code: str, local_time: str) -> dict[str, Any]:
    return {"event_id": event_id, "item_id": item_id, "event_code": code,
            "description": code, "local_time": local_time, "utc_offset": "+08:00",
            "office": {"code": "CNSZXA", "name": "Shenzhen", "country": "CN"}}  # fmt: skip


def test_the_event_feed_is_pulled_from_its_stored_cursor_into_tracking(
    db: Database, platform_on: Platform
) -> None:
    shipment = book(platform_on, RECIPIENT_ES)
    fake = FakePartners()
    partner = f"POST{uuid.uuid4().hex[:6].upper()}"  # a feed of its own, whatever ran before
    accepted = feed_event("e1", shipment.tracking_number, "EMA", "2026-12-02T10:00:00")
    fake.feeds[partner] = [
        accepted,
        feed_event("e2", shipment.tracking_number, "EMB", "2026-12-02T18:30:00"),
        accepted,  # a post repeats events: ingestion keeps one
    ]
    clients = fake.clients()

    first = pull_tracking(database=db, clients=clients, partners=[partner])
    fake.feeds[partner].append(
        feed_event("e3", shipment.tracking_number, "EMC", "2026-12-03T02:00:00")
    )
    second = pull_tracking(database=db, clients=clients, partners=[partner])

    assert fake.feed_cursors_asked == [None, "3"]
    assert (first.events, first.ingested.accepted, first.ingested.duplicates) == (3, 2, 1)
    assert (second.events, second.ingested.accepted) == (1, 1)
    with db.unit_of_work() as uow:
        rows = uow.session.scalars(
            select(TrackingEventRow)
            .where(TrackingEventRow.tracking_number == shipment.tracking_number)
            .order_by(TrackingEventRow.occurred_at)
        ).all()
        stored = [(row.raw_code, row.occurred_at) for row in rows]
        cursor = uow.session.get(PartnerFeedCursor, partner)
        assert cursor is not None
        assert cursor.cursor == "4"
    assert stored == [
        ("EMA", datetime(2026, 12, 2, 2, 0, tzinfo=UTC)),
        ("EMB", datetime(2026, 12, 2, 10, 30, tzinfo=UTC)),
        ("EMC", datetime(2026, 12, 2, 18, 0, tzinfo=UTC)),
    ]
