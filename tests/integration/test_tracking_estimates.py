"""Delivery estimate history on SQLite and PostgreSQL: it starts with the booking promise,
grows as milestones are reached, stays put on replays, and ends the same whatever order the
events arrive in."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

from postbridge.storage.unit_of_work import Database
from postbridge.tracking.alerts import AlertKind, SilenceLimits
from postbridge.tracking.estimate_history import EstimateEntry, EstimateRepository
from postbridge.tracking.reading import list_exceptions
from tests.integration.test_tracking_ingest import booked, ingest, journey, tracker_of


def history_of(db: Database, number: str) -> list[EstimateEntry]:
    tracker_id = tracker_of(db, number).id
    with db.unit_of_work() as uow:
        return EstimateRepository(uow.session).history([tracker_id]).get(tracker_id, [])


def test_history_starts_with_the_booking_and_grows_with_milestones(db: Database) -> None:
    shipment = booked(db)
    scans = journey(shipment.tracking_number, shipment.created_at + timedelta(hours=2))
    for scan in scans[:3]:
        ingest(db, scan)

    history = history_of(db, shipment.tracking_number)

    assert history[0].source == "booking"
    assert (history[0].p50, history[0].p90) == (shipment.promised_p50, shipment.promised_p90)
    assert history[0].computed_at == shipment.created_at
    # EMB (a second origin scan) leaves the dates alone: no row; EMC departs the country.
    assert [(entry.source, entry.basis_milestone) for entry in history] == [
        ("booking", None),
        ("scan", "accepted_at_origin"),
        ("scan", "departed_origin_country"),
    ]
    assert [entry.basis_event_at for entry in history[1:]] == [
        shipment.created_at + timedelta(hours=2),
        shipment.created_at + timedelta(hours=14),
    ]
    assert all(entry.p50 <= entry.p90 for entry in history)


def test_replaying_events_adds_no_history(db: Database) -> None:
    shipment = booked(db)
    chunk = journey(shipment.tracking_number, shipment.created_at + timedelta(hours=2))[:4]
    ingest(db, *chunk)
    before = history_of(db, shipment.tracking_number)

    ingest(db, *chunk)
    ingest(db, *reversed(chunk))

    assert history_of(db, shipment.tracking_number) == before


def test_out_of_order_events_give_the_same_final_estimate(db: Database) -> None:
    ordered, scrambled = booked(db), booked(db)
    ordered_scans = journey(ordered.tracking_number, ordered.created_at + timedelta(hours=2))
    scrambled_scans = journey(scrambled.tracking_number, ordered.created_at + timedelta(hours=2))
    random.Random(11).shuffle(scrambled_scans)
    for scan in ordered_scans:
        ingest(db, scan)
    for scan in scrambled_scans:
        ingest(db, scan)

    final_ordered = history_of(db, ordered.tracking_number)[-1]
    final_scrambled = history_of(db, scrambled.tracking_number)[-1]

    assert (final_scrambled.p50, final_scrambled.p90, final_scrambled.basis_milestone) == (
        final_ordered.p50, final_ordered.p90, final_ordered.basis_milestone,
    )  # fmt: skip
    assert final_ordered.basis_milestone == "delivered"
    assert final_ordered.p50 == final_ordered.p90


def test_a_parcel_past_its_p90_is_listed_late_against_the_promise(db: Database) -> None:
    shipment = booked(db)
    assert shipment.promised_p90 is not None
    ingest(db, journey(shipment.tracking_number, shipment.created_at + timedelta(hours=2))[0])
    # Silence limits longer than the wait, so only the promise can list the parcel.
    patient = SilenceLimits(dict.fromkeys(SilenceLimits().days, 60))

    def late_numbers(day: datetime) -> list[str]:
        # Every page: other tests' parcels share the database and may be late too.
        numbers: list[str] = []
        cursor: str | None = None
        while True:
            found, cursor = list_exceptions(
                database=db, now=day, limits=patient, kinds=[AlertKind.LATE_AGAINST_PROMISE],
                cursor=cursor, limit=500,
            )  # fmt: skip
            numbers += [entry.tracker.tracking_number for entry in found]
            if cursor is None:
                return numbers

    on_p90 = datetime.combine(shipment.promised_p90, time(23, 59), UTC)
    assert shipment.tracking_number not in late_numbers(on_p90)
    assert shipment.tracking_number in late_numbers(on_p90 + timedelta(minutes=2))
