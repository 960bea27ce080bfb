"""Bulk capture on SQLite and PostgreSQL: the pipeline's insert path, resumption, file order."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from postbridge.bulk import batches
from postbridge.bulk.models import BatchRowError
from postbridge.bulk.pipeline import PipelineReport
from postbridge.carriers.usps import ImpbScheme
from postbridge.identifiers.s10 import is_valid_s10
from postbridge.kit.money import Money
from postbridge.numbering.allocator import NumberAllocator
from postbridge.shipments.booking import BookingDeps, book_shipment
from postbridge.shipments.models import Shipment
from postbridge.shipments.ports import PlannedRoute, PlanRequest
from postbridge.shipments.reading import get_shipment
from postbridge.shipments.views import shipment_read
from postbridge.storage.unit_of_work import Database
from tests.builders import shipment_input
from tests.conftest import make_merchant
from tests.csv_builders import RECIPIENT_BR, csv_row, csv_text
from tests.document_builders import route_document

# (row, column) of every problem the file below carries, in file order.
BAD_CELLS = {5: "recipient_postal_code", 8: "item1_hs_code", 11: "weight_g", 14: "item2_unit_value"}


IMPB = ImpbScheme(mailer_id="901234", service_type_code="001")
ROUTES = {
    True: route_document(partner="USPS", partner_numbered=True),
    False: route_document(partner="CORREIOS"),
}


class FakePlanner:
    """USPS last mile for the US, Correios for Brazil; fails hard on one reference."""

    def __init__(self, explode_on: str | None = None) -> None:
        self.explode_on = explode_on

    def plan(self, request: PlanRequest) -> PlannedRoute:
        if self.explode_on and request.destination_postal_code == self.explode_on:
            raise RuntimeError("the planner fell over")
        usps = request.destination_country == "US"
        return PlannedRoute(
            product="ECONOMY-US" if usps else "ECONOMY-BR",
            partner="USPS" if usps else "CORREIOS",
            price=Money.parse("7.25", "USD"),
            promise_p50=date(2026, 12, 3),
            promise_p90=date(2026, 12, 7),
            route=ROUTES[usps],
            partner_scheme=IMPB.name if usps else None,
        )


def mixed_file(folder: Path, tag: str, parcels: int = 14) -> Path:
    """Parcels on lines 2.. ; line 6 to 7 is one parcel given one row per item."""
    rows = []
    for line in range(2, parcels + 2):
        reference = f"{tag}-{line}"
        if line == 5:
            rows.append(csv_row(reference, recipient_postal_code="10001"))  # NY ZIP, TX state
        elif line == 7:
            rows.append(
                csv_row(f"{tag}-6", item1_description="Phone case", item1_unit_weight_g="40")
            )
        elif line == 8:
            rows.append(csv_row(reference, items=[{"hs_code": "6109"}]))
        elif line == 11:
            rows.append(csv_row(reference, weight_g="heavy"))
        elif line == 14:
            rows.append(csv_row(reference, items=[{}, {"description": "Case", "unit_value": "x"}]))
        elif line % 3 == 0:
            rows.append(csv_row(reference, recipient=RECIPIENT_BR, recipient_postal_code=f"0131{line % 10}-200"))  # fmt: skip
        else:
            rows.append(csv_row(reference, recipient_postal_code=f"787{line:02d}"))
    path = folder / f"{tag}.csv"
    path.write_text(csv_text(rows))
    return path


def open_batch(db: Database, merchant_id: str, path: Path) -> str:
    batch, created = batches.open_batch(
        database=db, merchant_id=merchant_id, batch_key=path.name, file_name=path.name,
        sha256=batches.file_sha256(path),
    )  # fmt: skip
    assert created
    return batch.id


def booked_rows(db: Database, batch_id: str) -> list[tuple[int, str]]:
    with db.unit_of_work() as uow:
        rows = uow.session.execute(
            select(Shipment.batch_row, Shipment.reference)
            .where(Shipment.batch_id == batch_id)
            .order_by(Shipment.batch_row)
        ).all()
    return [(int(row), reference) for row, reference in rows]


@pytest.mark.parametrize("workers", [0, 2])
def test_books_the_good_rows_once_and_reports_every_bad_row(
    db: Database, tmp_path: Path, workers: int
) -> None:
    deps = BookingDeps(
        database=db,
        allocator=NumberAllocator(db, partner_schemes={IMPB.name: IMPB}),
        planner=FakePlanner(),
    )
    merchant = make_merchant(db)
    tag = uuid.uuid4().hex[:8]
    path = mixed_file(tmp_path, tag)
    batch_id = open_batch(db, merchant.merchant_id, path)
    report = PipelineReport()

    batch = batches.run_batch(
        deps=deps, batch_id=batch_id, source=path, workers=workers, report=report, chunk_rows=3
    )

    assert (batch.status, batch.rows_booked, batch.rows_failed) == ("completed", 9, 4)
    assert batch.last_line == 15
    assert report.workers == workers
    assert len(report.worker_peak_rss_kb) == workers
    good_lines = [line for line in range(2, 16) if line not in BAD_CELLS and line != 7]
    assert booked_rows(db, batch_id) == [(line, f"{tag}-{line}") for line in good_lines]
    outcome = list(batches.batch_results(database=db, batch_id=batch_id))
    assert [(r["row"], r["status"], r["field"]) for r in outcome] == [
        (line, "rejected", BAD_CELLS[line]) if line in BAD_CELLS else (line, "booked", "")
        for line in range(2, 16)
        if line != 7
    ]
    numbers = [r["tracking_number"] for r in outcome if r["status"] == "booked"]
    assert len(set(numbers)) == 9
    assert all(is_valid_s10(number) for number in numbers)


def test_bulk_rows_read_back_like_single_bookings(db: Database, tmp_path: Path) -> None:
    deps = BookingDeps(
        database=db,
        allocator=NumberAllocator(db, partner_schemes={IMPB.name: IMPB}),
        planner=FakePlanner(),
    )
    merchant = make_merchant(db)
    tag = uuid.uuid4().hex[:8]
    path = tmp_path / "one.csv"
    path.write_text(csv_text([csv_row(f"{tag}-bulk")]))
    batch_id = open_batch(db, merchant.merchant_id, path)
    batches.run_batch(deps=deps, batch_id=batch_id, source=path, workers=0)
    (shipment_id,) = batches.booked_shipment_ids(
        database=db, batch_id=batch_id, merchant_id=merchant.merchant_id, offset=0, limit=10
    )
    single = book_shipment(
        deps=deps, merchant_id=merchant.merchant_id, shipment=shipment_input(reference=f"{tag}-1")
    ).shipment

    bulk = shipment_read(get_shipment(database=db, shipment_id=shipment_id, merchant_id=None))
    alone = shipment_read(single)

    differing = {"id", "reference", "tracking_number", "partner_tracking_number", "created_at"}
    assert {k: v for k, v in bulk.items() if k not in differing} == {
        k: v for k, v in alone.items() if k not in differing
    }
    assert bulk["partner_tracking_number"] is not None  # IMpb for the USPS last mile
    assert bulk["promise"] == {"p50": date(2026, 12, 3), "p90": date(2026, 12, 7)}
    assert bulk["created_at"].tzinfo is not None


@pytest.mark.parametrize("workers", [0, 2])
def test_an_interrupted_run_resumes_without_booking_twice(
    db: Database, tmp_path: Path, workers: int
) -> None:
    merchant = make_merchant(db)
    tag = uuid.uuid4().hex[:8]
    path = mixed_file(tmp_path, tag)
    batch_id = open_batch(db, merchant.merchant_id, path)
    allocator = NumberAllocator(db, partner_schemes={IMPB.name: IMPB})
    # Chunks of three records: 2-4, 5-7 (line 7 is the second row of parcel 6), 8-10, ...
    # The planner dies on line 10, in the third chunk: the first two stay committed.
    failing = BookingDeps(database=db, allocator=allocator, planner=FakePlanner("78710"))
    with pytest.raises(RuntimeError, match="fell over"):
        batches.run_batch(deps=failing, batch_id=batch_id, source=path, workers=workers,
                          chunk_rows=3)  # fmt: skip
    stopped = batches.get_batch(database=db, batch_id=batch_id, merchant_id=None)
    assert (stopped.status, stopped.last_line, stopped.rows_booked) == ("processing", 7, 4)
    assert [line for line, _ in booked_rows(db, batch_id)] == [2, 3, 4, 6]

    healthy = BookingDeps(database=db, allocator=allocator, planner=FakePlanner())
    batch = batches.run_batch(deps=healthy, batch_id=batch_id, source=path, workers=workers,
                              chunk_rows=3)  # fmt: skip

    assert (batch.status, batch.rows_booked, batch.rows_failed) == ("completed", 9, 4)
    lines = [line for line, _ in booked_rows(db, batch_id)]
    assert lines == sorted(set(lines)) == [2, 3, 4, 6, 9, 10, 12, 13, 15]
    with db.unit_of_work() as uow:
        errors = uow.session.scalar(
            select(func.count())
            .select_from(BatchRowError)
            .where(BatchRowError.batch_id == batch_id)
        )
    assert errors == 4  # one problem per bad row, none reported twice


def test_a_bad_header_fails_the_batch_and_books_nothing(db: Database, tmp_path: Path) -> None:
    deps = BookingDeps(
        database=db,
        allocator=NumberAllocator(db, partner_schemes={IMPB.name: IMPB}),
        planner=None,
    )
    merchant = make_merchant(db)
    path = tmp_path / f"{uuid.uuid4().hex[:8]}.csv"
    path.write_text("reference,colour\nA,red\n")
    batch_id = open_batch(db, merchant.merchant_id, path)
    batch = batches.run_batch(deps=deps, batch_id=batch_id, source=path)
    assert batch.status == "failed"
    assert batch.error == (
        "cannot read the file: unknown column(s) 'colour'; see docs/csv-format.md"
    )
    assert booked_rows(db, batch_id) == []
