"""Domain events through the transactional outbox, on SQLite and PostgreSQL: a committed
change has exactly its events, a failed one none."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from postbridge.bootstrap import partner_registry
from postbridge.bulk import batches
from postbridge.labelling.service import LabelFormat, render_labels
from postbridge.numbering.allocator import NumberAllocator
from postbridge.shipments import booking
from postbridge.shipments.booking import BookingDeps, book_shipment, cancel_shipment
from postbridge.shipments.events import ShipmentBooked
from postbridge.storage.outbox import OutboxEvent, OutboxRepository
from postbridge.storage.unit_of_work import Database
from tests.builders import shipment_input
from tests.conftest import make_merchant
from tests.integration.test_booking import deps_for
from tests.integration.test_bulk_capture import (
    IMPB,
    FakePlanner,
    booked_rows,
    mixed_file,
    open_batch,
)


def events_of(db: Database, aggregate_key: str) -> list[OutboxEvent]:
    with db.unit_of_work() as uow:
        return OutboxRepository(uow.session).all_events(aggregate_key=aggregate_key)


def events_where(db: Database, type_: str, **payload: Any) -> list[OutboxEvent]:
    with db.unit_of_work() as uow:
        rows = OutboxRepository(uow.session).all_events()
    return [
        row
        for row in rows
        if row.type == type_ and all(row.payload.get(k) == v for k, v in payload.items())
    ]


def test_leaving_without_commit_writes_no_event(db: Database) -> None:
    merchant = make_merchant(db)
    shipment_id = f"shp_{uuid.uuid4().hex[:20]}"
    event = ShipmentBooked(
        merchant_id=merchant.merchant_id, shipment_id=shipment_id, tracking_number="X",
        destination_country="US", reference="R", service="standard",
    )  # fmt: skip

    def failing_use_case() -> None:
        with db.unit_of_work() as uow:
            uow.record(event)
            raise RuntimeError("the use case failed after recording")

    with pytest.raises(RuntimeError):
        failing_use_case()
    with db.unit_of_work() as uow:
        uow.record(event)
        uow.rollback()
        uow.commit()  # nothing left to write: the rollback forgot the event
    assert events_of(db, f"shipment:{shipment_id}") == []


def test_a_booking_that_fails_at_commit_leaves_no_event(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    deps = deps_for(db)
    merchant = make_merchant(db)
    first = book_shipment(deps=deps, merchant_id=merchant.merchant_id, shipment=shipment_input())
    taken = first.shipment.tracking_number
    # The second booking records its event, then its commit hits the unique tracking number.
    monkeypatch.setattr(booking, "allocate_tracking_numbers", lambda *_args: (taken, None))
    with pytest.raises(IntegrityError):
        book_shipment(deps=deps, merchant_id=merchant.merchant_id, shipment=shipment_input())
    booked = events_where(db, "shipment.booked", merchant_id=merchant.merchant_id)
    assert [event.aggregate_key for event in booked] == [f"shipment:{first.shipment.id}"]


def test_booking_label_and_cancel_have_exactly_their_events(db: Database) -> None:
    deps = deps_for(db)
    merchant = make_merchant(db)
    shipment = book_shipment(
        deps=deps, merchant_id=merchant.merchant_id, shipment=shipment_input(reference="EVT-1")
    ).shipment
    for _ in range(2):  # a reprint is not a new label
        render_labels(
            database=db, shipment_ids=[shipment.id], merchant_id=None,
            label_format=LabelFormat.ZPL, partners=partner_registry(),
        )  # fmt: skip
    for _ in range(2):  # cancelling twice cancels once
        cancel_shipment(database=db, shipment_id=shipment.id, merchant_id=merchant.merchant_id)

    events = events_of(db, f"shipment:{shipment.id}")
    assert [event.type for event in events] == [
        "shipment.booked",
        "shipment.label_created",
        "shipment.cancelled",
    ]
    common = {
        "merchant_id": merchant.merchant_id,
        "shipment_id": shipment.id,
        "tracking_number": shipment.tracking_number,
        "destination_country": "US",
    }
    assert events[0].payload == {
        **common, "reference": "EVT-1", "service": "standard", "batch_id": None, "batch_row": None
    }  # fmt: skip
    assert events[1].payload == common
    assert events[2].payload == common
    assert all(event.schema_version == 1 for event in events)
    assert all(event.event_id.startswith("evt_") for event in events)
    assert events[0].occurred_at == shipment.created_at
    assert all(event.relayed_at is None and event.relay_attempts == 0 for event in events)


@pytest.mark.parametrize("workers", [0, 2])
def test_each_committed_chunk_has_exactly_its_events(
    db: Database, tmp_path: Path, workers: int
) -> None:
    merchant = make_merchant(db)
    path = mixed_file(tmp_path, uuid.uuid4().hex[:8])
    batch_id = open_batch(db, merchant.merchant_id, path)
    allocator = NumberAllocator(db, partner_schemes={IMPB.name: IMPB})
    failing = BookingDeps(database=db, allocator=allocator, planner=FakePlanner("78710"))
    with pytest.raises(RuntimeError, match="fell over"):
        batches.run_batch(deps=failing, batch_id=batch_id, source=path, workers=workers,
                          chunk_rows=3)  # fmt: skip

    # Two chunks committed (lines 2-4 and 5-7): their four parcels, and nothing of the third.
    booked = events_where(db, "shipment.booked", batch_id=batch_id)
    assert [(e.payload["batch_row"], e.payload["merchant_id"]) for e in booked] == [
        (2, merchant.merchant_id), (3, merchant.merchant_id), (4, merchant.merchant_id),
        (6, merchant.merchant_id),
    ]  # fmt: skip
    assert events_where(db, "batch.completed", batch_id=batch_id) == []

    healthy = BookingDeps(database=db, allocator=allocator, planner=FakePlanner())
    batches.run_batch(deps=healthy, batch_id=batch_id, source=path, workers=workers, chunk_rows=3)

    booked = events_where(db, "shipment.booked", batch_id=batch_id)
    rows = booked_rows(db, batch_id)
    assert [e.payload["batch_row"] for e in booked] == [line for line, _ in rows]
    assert [e.payload["reference"] for e in booked] == [reference for _, reference in rows]
    ids = batches.booked_shipment_ids(
        database=db, batch_id=batch_id, merchant_id=None, offset=0, limit=100
    )
    assert [e.aggregate_key for e in booked] == [f"shipment:{i}" for i in ids]
    assert len({e.event_id for e in booked}) == 9
    (completed,) = events_where(db, "batch.completed", batch_id=batch_id)
    assert completed.aggregate_key == f"batch:{batch_id}"
    assert completed.payload == {
        "merchant_id": merchant.merchant_id, "batch_id": batch_id, "rows_booked": 9,
        "rows_failed": 4,
    }  # fmt: skip


def test_an_unreadable_file_fails_the_batch_with_its_event(db: Database, tmp_path: Path) -> None:
    merchant = make_merchant(db)
    path = tmp_path / f"{uuid.uuid4().hex[:8]}.csv"
    path.write_text("reference,colour\nA,red\n")
    batch_id = open_batch(db, merchant.merchant_id, path)
    batches.run_batch(deps=deps_for(db), batch_id=batch_id, source=path)
    (failed,) = events_of(db, f"batch:{batch_id}")
    assert failed.type == "batch.failed"
    assert "unknown column(s) 'colour'" in failed.payload["error"]
