"""Tracking ingestion on SQLite and PostgreSQL: order and duplicates do not matter, replays are
no-ops, deliveries stick, unmapped codes are counted, recycled numbers are told apart by the
booking date, bookings move, and each chunk writes exactly its outbox events."""

from __future__ import annotations

import random
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from postbridge.bootstrap import partner_registry
from postbridge.identifiers.s10 import s10_check_digit
from postbridge.numbering.allocator import NumberAllocator
from postbridge.shipments.booking import BookingDeps, book_shipment
from postbridge.shipments.models import Shipment
from postbridge.storage.outbox import OutboxEvent, OutboxRepository
from postbridge.storage.unit_of_work import Database
from postbridge.tracking.canonical import parse_items
from postbridge.tracking.ingest import IngestCounts, ingest_chunk
from postbridge.tracking.model import TrackingEvent
from postbridge.tracking.models import Tracker, TrackingEventRow, UnmappedCode
from postbridge.tracking.trackers import track_number
from tests.builders import shipment_input
from tests.conftest import make_merchant
from tests.integration.test_bulk_capture import IMPB, FakePlanner


def fresh_s10() -> str:
    serial = f"{random.randrange(10**8):08d}"
    return f"LX{serial}{s10_check_digit(serial)}CN"


def booked(db: Database, *, merchant_id: str | None = None) -> Shipment:
    """A shipment to the US (USPS last mile, with an IMpb partner number)."""
    deps = BookingDeps(
        database=db,
        allocator=NumberAllocator(db, partner_schemes={IMPB.name: IMPB}),
        planner=FakePlanner(),
    )
    merchant = merchant_id or make_merchant(db).merchant_id
    return book_shipment(deps=deps, merchant_id=merchant, shipment=shipment_input()).shipment


def item(
    number: str, code: str, at: datetime, *, partner: str = "chinapost", **extra: Any
) -> dict[str, Any]:
    return {
        "tracking_number": number, "partner": partner, "code": code,
        "description": extra.pop("description", f"scan {code}"),
        "occurred_at": at.isoformat(), "location": {"city": extra.pop("city", "Shenzhen")},
        **extra,
    }  # fmt: skip


def events(*items: dict[str, Any]) -> list[TrackingEvent]:
    parsed, problems = parse_items(list(items), partner_registry().code_scheme)
    assert problems == []
    return parsed


def ingest(db: Database, *items: dict[str, Any]) -> IngestCounts:
    return ingest_chunk(database=db, events=events(*items))


def tracker_of(db: Database, number: str) -> Tracker:
    with db.unit_of_work() as uow:
        rows = list(uow.session.scalars(select(Tracker).where(Tracker.tracking_number == number)))
    assert len(rows) == 1
    return rows[0]


def state_of(db: Database, number: str) -> tuple[Any, ...]:
    t = tracker_of(db, number)
    return (
        t.status,
        t.reason,
        t.action,
        t.milestone,
        t.last_event_at,
        t.delivered_at,
        t.event_count,
    )


def outbox_types(db: Database, tracker_id: str) -> list[str]:
    with db.unit_of_work() as uow:
        rows = OutboxRepository(uow.session).all_events(aggregate_key=f"tracker:{tracker_id}")
    return [row.type for row in rows]


def journey(number: str, start: datetime) -> list[dict[str, Any]]:
    codes = ["EMA", "EMB", "EMC", "EMD", "EDB", "EMF", "EMG", "EMI"]
    return [item(number, code, start + timedelta(hours=6 * n)) for n, code in enumerate(codes)]


def test_shuffled_and_duplicated_input_gives_the_ordered_state(db: Database) -> None:
    start = datetime.fromisoformat("2026-05-01T08:00:00+08:00")
    ordered, shuffled = fresh_s10(), fresh_s10()
    ingest(db, *journey(ordered, start))
    scrambled = [dict(i, tracking_number=shuffled) for i in journey(shuffled, start)]
    scrambled += scrambled[2:5]
    random.Random(7).shuffle(scrambled)
    counts = ingest(db, *scrambled[:6])
    counts.add(ingest(db, *scrambled[6:]))
    assert (counts.received, counts.accepted, counts.duplicates) == (11, 8, 3)
    assert state_of(db, shuffled) == state_of(db, ordered)
    assert state_of(db, ordered)[:4] == ("delivered", None, "none", "delivered")
    assert tracker_of(db, ordered).event_count == 8


def test_replaying_a_chunk_changes_nothing(db: Database) -> None:
    shipment = booked(db)
    chunk = journey(shipment.tracking_number, shipment.created_at + timedelta(hours=2))[:4]
    first = ingest(db, *chunk)
    before = tracker_of(db, shipment.tracking_number)
    with db.unit_of_work() as uow:
        outbox_rows = len(OutboxRepository(uow.session).all_events())
    replay = ingest(db, *chunk)
    assert (first.accepted, first.unmatched) == (4, 0)
    assert (replay.received, replay.accepted, replay.duplicates, replay.unmatched) == (4, 0, 4, 0)
    assert tracker_of(db, shipment.tracking_number).updated_at == before.updated_at
    with db.unit_of_work() as uow:
        assert len(OutboxRepository(uow.session).all_events()) == outbox_rows


def test_a_late_in_transit_scan_after_delivery_stays_delivered(db: Database) -> None:
    shipment = booked(db)
    start = shipment.created_at + timedelta(hours=1)
    number = shipment.tracking_number
    ingest(db, item(number, "EMA", start), item(number, "EMI", start + timedelta(days=6)))
    ingest(db, item(number, "EMD", start + timedelta(days=7), city="Los Angeles"))
    tracker = tracker_of(db, number)
    assert (tracker.status, tracker.milestone, tracker.event_count) == ("delivered", "delivered", 3)
    assert tracker.delivered_at == start + timedelta(days=6)
    with db.unit_of_work() as uow:
        assert uow.session.get(Shipment, shipment.id).status == "delivered"  # type: ignore[union-attr]


def test_an_unmapped_code_is_stored_counted_and_surfaced(db: Database) -> None:
    number, partner = fresh_s10(), f"post-{uuid.uuid4().hex[:6]}"
    start = datetime.fromisoformat("2026-06-01T10:00:00+00:00")
    counts = ingest(
        db,
        item(number, "EMA", start, partner=partner),
        item(number, "zz9", start + timedelta(hours=5), partner=partner, description="Mystery"),
        item(number, "ZZ9", start + timedelta(hours=9), partner=partner, city="Elsewhere"),
    )
    assert (counts.accepted, counts.unmapped, counts.unmatched) == (3, 2, 3)
    tracker = tracker_of(db, number)
    assert (tracker.status, tracker.action, tracker.unmapped_events) == ("unknown", "operator", 2)
    with db.unit_of_work() as uow:
        row = uow.session.get(UnmappedCode, (partner, "ZZ9"))
        assert row is not None
        assert (row.code_scheme, row.event_count, row.example_text) == ("upu", 2, "Mystery")
    ingest(db, item(number, "ZZ9", start + timedelta(days=1), partner=partner))
    with db.unit_of_work() as uow:
        assert uow.session.get(UnmappedCode, (partner, "ZZ9")).event_count == 3  # type: ignore[union-attr]


def test_a_recycled_number_keeps_the_earlier_parcels_events_out(db: Database) -> None:
    shipment = booked(db)
    number, booked_at = shipment.tracking_number, shipment.created_at
    old_life = [
        item(number, "EMA", booked_at - timedelta(days=400)),
        item(number, "EMI", booked_at - timedelta(days=390)),
    ]
    counts = ingest(db, *old_life, item(number, "EMA", booked_at + timedelta(hours=3)))
    assert (counts.accepted, counts.unmatched) == (3, 2)
    tracker = tracker_of(db, number)
    assert (tracker.status, tracker.milestone, tracker.delivered_at) == (
        "in_transit", "accepted_at_origin", None,
    )  # fmt: skip
    assert (tracker.event_count, tracker.excluded_events) == (1, 2)
    with db.unit_of_work() as uow:
        stored = uow.session.scalars(
            select(TrackingEventRow).where(TrackingEventRow.tracking_number == number)
        ).all()
    assert len(stored) == 3


def test_partner_number_events_move_the_booking_and_announce_once_per_chunk(db: Database) -> None:
    shipment = booked(db)
    assert shipment.partner_tracking_number is not None
    s10, impb, start = (
        shipment.tracking_number,
        shipment.partner_tracking_number,
        shipment.created_at,
    )
    ingest(
        db,
        item(s10, "EMA", start + timedelta(hours=1)),
        item(s10, "EMC", start + timedelta(hours=9)),
    )
    tracker = tracker_of(db, s10)
    assert (tracker.partner_tracking_number, tracker.shipment_id) == (impb, shipment.id)
    assert outbox_types(db, tracker.id) == ["tracker.updated"]
    ingest(
        db,
        item(impb, "10", start + timedelta(days=3), partner="USPS"),
        item(impb, "01", start + timedelta(days=4), partner="USPS"),
    )
    ingest(db, item(impb, "07", start + timedelta(days=3, hours=5), partner="USPS"))
    assert outbox_types(db, tracker.id) == [
        "tracker.updated",
        "tracker.updated",
        "tracker.delivered",
    ]
    tracker = tracker_of(db, s10)
    assert (tracker.status, tracker.partner, tracker.event_count) == ("delivered", "usps", 5)
    with db.unit_of_work() as uow:
        delivered = uow.session.scalars(
            select(OutboxEvent).where(OutboxEvent.type == "tracker.delivered",
                                      OutboxEvent.aggregate_key == f"tracker:{tracker.id}")
        ).one()  # fmt: skip
        assert uow.session.get(Shipment, shipment.id).status == "delivered"  # type: ignore[union-attr]
    assert delivered.payload["merchant_id"] == shipment.merchant_id
    assert delivered.payload["shipment_id"] == shipment.id
    assert delivered.payload["status"] == "delivered"


def test_an_exception_is_announced_and_the_booking_follows(db: Database) -> None:
    shipment = booked(db)
    number, start = shipment.tracking_number, shipment.created_at
    ingest(
        db,
        item(number, "EMA", start + timedelta(hours=1)),
        item(number, "EXX", start + timedelta(hours=4)),
    )
    tracker = tracker_of(db, number)
    assert (tracker.status, tracker.reason, tracker.action) == (
        "exception",
        "export_cancelled",
        "sender",
    )
    assert outbox_types(db, tracker.id) == ["tracker.updated", "tracker.exception"]
    with db.unit_of_work() as uow:
        assert uow.session.get(Shipment, shipment.id).status == "exception"  # type: ignore[union-attr]


def test_untracked_events_are_kept_and_handed_to_the_merchant_who_tracks_them(db: Database) -> None:
    number = fresh_s10()
    start = datetime.fromisoformat("2026-06-01T10:00:00+00:00")
    counts = ingest(db, item(number, "EMA", start), item(number, "EMD", start + timedelta(days=2)))
    untracked = tracker_of(db, number)
    assert (counts.unmatched, untracked.owner_key, untracked.merchant_id) == (2, "-", None)
    assert outbox_types(db, untracked.id) == []
    merchant = make_merchant(db)
    tracked = track_number(
        database=db, merchant_id=merchant.merchant_id, tracking_number=number.lower()
    )
    assert tracked.created is True
    best = tracked.candidates[0]
    assert (best.carrier.value, best.format.value, best.confidence.value) == (
        "upu_post",
        "s10",
        "high",
    )
    tracker = tracker_of(db, number)
    assert (tracker.owner_key, tracker.status, tracker.milestone, tracker.event_count) == (
        merchant.merchant_id, "in_transit", "arrived_destination_country", 2,
    )  # fmt: skip
    assert outbox_types(db, tracker.id) == ["tracker.updated"]
    again = track_number(database=db, merchant_id=merchant.merchant_id, tracking_number=number)
    assert (again.created, again.view.tracker.id) == (False, tracker.id)
    later = ingest(db, item(number, "EMG", start + timedelta(days=4)))
    assert later.unmatched == 0


def test_concurrent_chunks_of_one_parcel_leave_its_whole_history(db: Database) -> None:
    shipment = booked(db)
    number, start = shipment.tracking_number, shipment.created_at
    scans = journey(number, start + timedelta(hours=1))
    halves = [scans[0::2] * 2, scans[1::2] * 2]  # overlapping copies too

    def run(half: list[dict[str, Any]]) -> IngestCounts:
        return ingest(db, *half)

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(run, halves))
    assert sum(r.accepted for r in results) == 8
    tracker = tracker_of(db, number)
    assert (tracker.status, tracker.event_count, tracker.delivered_at) == (
        "delivered", 8, start + timedelta(hours=1 + 6 * 7),
    )  # fmt: skip
