"""The outbox relay and its consumers on SQLite and PostgreSQL: every committed event reaches
each consumer at least once, and a consumer applies an event once however often it arrives."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import update

from postbridge.activity.consumer import DailyActivityConsumer, daily_activity
from postbridge.bootstrap import partner_registry
from postbridge.jobs.relay import OutboxRelay
from postbridge.jobs.repository import InboxRepository
from postbridge.kit.clock import utc_now
from postbridge.kit.events import EventEnvelope
from postbridge.labelling.service import LabelFormat, render_labels
from postbridge.shipments.booking import book_shipment, cancel_shipment
from postbridge.storage.outbox import OutboxEvent, OutboxRepository
from postbridge.storage.unit_of_work import Database, UnitOfWork
from tests.builders import RECIPIENT_BR, shipment_input
from tests.conftest import make_merchant
from tests.integration.test_booking import deps_for


class Recorder:
    """A consumer that counts what it applied; fails on the events named in ``poison``."""

    def __init__(self, poison: frozenset[str] = frozenset()) -> None:
        self.name = f"test.{uuid.uuid4().hex[:8]}"
        self.event_types = frozenset({"shipment.booked", "shipment.cancelled"})
        self.poison = poison
        self.applied: list[str] = []

    def apply(self, uow: UnitOfWork, events: Sequence[EventEnvelope]) -> None:
        for event in events:
            if event.aggregate_key in self.poison:
                raise RuntimeError("cannot apply")
        self.applied.extend(event.event_id for event in events)


def outbox_of(db: Database, aggregate_key: str) -> list[OutboxEvent]:
    with db.unit_of_work() as uow:
        return OutboxRepository(uow.session).all_events(aggregate_key=aggregate_key)


def book(db: Database, merchant_id: str, **kwargs: object) -> str:
    result = book_shipment(deps=deps_for(db), merchant_id=merchant_id,
                           shipment=shipment_input(**kwargs))  # type: ignore[arg-type]  # fmt: skip
    return result.shipment.id


def test_every_event_reaches_the_consumer_once_even_when_delivered_twice(db: Database) -> None:
    merchant = make_merchant(db)
    first, second = book(db, merchant.merchant_id), book(db, merchant.merchant_id)
    cancel_shipment(database=db, shipment_id=first, merchant_id=None)
    recorder = Recorder()
    relay = OutboxRelay(db, [recorder], page=2)

    relay.relay_all()

    ours = [e for key in (f"shipment:{first}", f"shipment:{second}") for e in outbox_of(db, key)]
    assert len(ours) == 3
    assert all(e.relayed_at is not None for e in ours)
    assert sorted(i for i in recorder.applied if i in {e.event_id for e in ours}) == sorted(
        e.event_id for e in ours
    )
    # A relay that died after the consumer's commit, before marking: the events come again.
    with db.unit_of_work() as uow:
        uow.session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.position.in_([e.position for e in ours]))
            .values(relayed_at=None)
        )
        uow.commit()
    before = len(recorder.applied)
    relay.relay_all()
    assert len(recorder.applied) == before
    assert all(
        e.relayed_at is not None for k in (first, second) for e in outbox_of(db, f"shipment:{k}")
    )


def test_a_failing_event_is_held_back_alone_and_retried(db: Database) -> None:
    merchant = make_merchant(db)
    good, bad = book(db, merchant.merchant_id), book(db, merchant.merchant_id)
    recorder = Recorder(poison=frozenset({f"shipment:{bad}"}))
    relay = OutboxRelay(db, [recorder])

    relay.relay_once()

    (good_event,) = outbox_of(db, f"shipment:{good}")
    (bad_event,) = outbox_of(db, f"shipment:{bad}")
    assert good_event.relayed_at is not None
    assert good_event.event_id in recorder.applied
    assert (bad_event.relayed_at, bad_event.relay_attempts) == (None, 1)
    assert bad_event.last_error == f"{recorder.name}: RuntimeError: cannot apply"
    recorder.poison = frozenset()
    relay.relay_all()
    (bad_event,) = outbox_of(db, f"shipment:{bad}")
    assert bad_event.relayed_at is not None
    assert recorder.applied.count(bad_event.event_id) == 1


def test_daily_activity_counts_booked_labelled_and_cancelled_parcels(db: Database) -> None:
    merchant = make_merchant(db)
    us = [book(db, merchant.merchant_id) for _ in range(3)]
    book(db, merchant.merchant_id, recipient=RECIPIENT_BR)
    render_labels(database=db, shipment_ids=us[:2], merchant_id=None, label_format=LabelFormat.ZPL,
                  partners=partner_registry())  # fmt: skip
    cancel_shipment(database=db, shipment_id=us[2], merchant_id=None)
    consumer = DailyActivityConsumer()
    relay = OutboxRelay(db, [consumer])
    relay.relay_all()
    # Delivered again (a relay crash before the mark): the inbox keeps the counts as they are.
    events = [e for s in us for e in outbox_of(db, f"shipment:{s}")]
    envelopes = [
        EventEnvelope(
            e.position,
            e.event_id,
            e.type,
            e.aggregate_key,
            e.occurred_at,
            e.schema_version,
            e.payload,
        )  # fmt: skip
        for e in events
    ]
    assert relay.apply(consumer, envelopes) == 0

    today = events[0].occurred_at.date()
    days = daily_activity(database=db, merchant_id=merchant.merchant_id,
                          since=today - timedelta(days=1), until=today + timedelta(days=1))  # fmt: skip
    assert [(d.day, d.destination_country, d.booked, d.labelled, d.cancelled) for d in days] == [
        (today, "BR", 1, 0, 0),
        (today, "US", 3, 2, 1),
    ]


class RacedRecorder(Recorder):
    """As if another relay applied the same page and committed while this one was applying
    it: the first time, the inbox rows appear from another unit of work."""

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db
        self.raced = False

    def apply(self, uow: UnitOfWork, events: Sequence[EventEnvelope]) -> None:
        if not self.raced:
            self.raced = True
            with self.db.unit_of_work() as other:
                InboxRepository(other.session).add(
                    self.name, [e.event_id for e in events], now=utc_now()
                )
                other.commit()
        super().apply(uow, events)


def test_a_page_another_relay_applied_meanwhile_is_not_applied_twice(db: Database) -> None:
    merchant = make_merchant(db)
    shipment = book(db, merchant.merchant_id)
    (event,) = outbox_of(db, f"shipment:{shipment}")
    raced = RacedRecorder(db)

    envelope = EventEnvelope(
        position=event.position, event_id=event.event_id, type=event.type,
        aggregate_key=event.aggregate_key, occurred_at=event.occurred_at,
        schema_version=event.schema_version, payload=event.payload,
    )  # fmt: skip

    failures = OutboxRelay(db, [raced])._deliver(raced, [envelope])

    assert failures == {}  # the other relay's inbox rows refused this one's: not a failure
    # Its one attempt (rolled back with its unit of work); the event-by-event retry found the
    # event in the inbox and did not apply it again.
    assert raced.applied == [event.event_id]
