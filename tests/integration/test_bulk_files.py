"""Bulk capture of files as merchants save them, through ``run_batch`` (the worker's path for
API uploads): GBK with semicolons, a repeated row, a header without a required column."""

from __future__ import annotations

import csv
import io
import uuid
from pathlib import Path

from sqlalchemy import select

from postbridge.bulk import batches
from postbridge.bulk.csv_format import template_header
from postbridge.numbering.allocator import NumberAllocator
from postbridge.shipments.booking import BookingDeps
from postbridge.shipments.models import Shipment
from postbridge.storage.unit_of_work import Database
from tests.conftest import make_merchant
from tests.csv_builders import csv_row
from tests.integration.test_bulk_capture import IMPB, FakePlanner, booked_rows, open_batch


def deps(db: Database) -> BookingDeps:
    return BookingDeps(
        database=db,
        allocator=NumberAllocator(db, partner_schemes={IMPB.name: IMPB}),
        planner=FakePlanner(),
    )


def test_a_gbk_semicolon_file_with_a_repeated_row(db: Database, tmp_path: Path) -> None:
    tag = uuid.uuid4().hex[:8]
    rows = [
        csv_row(f"{tag}-1", sender_name="李伟", item1_description="棉质T恤"),
        csv_row(f"{tag}-1", sender_name="李伟", item1_description="棉质T恤"),
        csv_row(f"{tag}-2", recipient_street1="100 Congress Ave; Suite 2"),
    ]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=template_header(2), delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / f"{tag}.csv"
    path.write_bytes(buffer.getvalue().encode("gbk"))
    merchant = make_merchant(db)
    batch_id = open_batch(db, merchant.merchant_id, path)

    batch = batches.run_batch(deps=deps(db), batch_id=batch_id, source=path, workers=0)

    assert (batch.status, batch.rows_booked, batch.rows_failed) == ("completed", 2, 1)
    assert booked_rows(db, batch_id) == [(2, f"{tag}-1"), (4, f"{tag}-2")]
    outcome = list(batches.batch_results(database=db, batch_id=batch_id))
    assert [(r["row"], r["status"], r["field"], r["message"]) for r in outcome] == [
        (2, "booked", "", ""),
        (3, "rejected", "reference",
         "probable duplicate: this row repeats line 2 exactly and was not booked; for a "
         "second item of the same kind raise item1_quantity instead"),
        (4, "booked", "", ""),
    ]  # fmt: skip
    with db.unit_of_work() as uow:
        shipment = uow.session.scalars(
            select(Shipment).where(Shipment.reference == f"{tag}-1")
        ).one()
        assert shipment.sender["name"] == "李伟"
        assert shipment.customs["items"][0]["description"] == "棉质T恤"


def test_a_header_without_a_required_column_fails_with_one_reason(
    db: Database, tmp_path: Path
) -> None:
    header = [c for c in template_header(1) if c != "length_mm"]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, extrasaction="ignore")
    writer.writeheader()
    writer.writerows([csv_row("A"), csv_row("B")])
    path = tmp_path / f"{uuid.uuid4().hex[:8]}.csv"
    path.write_text(buffer.getvalue())
    merchant = make_merchant(db)
    batch_id = open_batch(db, merchant.merchant_id, path)
    batch = batches.run_batch(deps=deps(db), batch_id=batch_id, source=path)
    assert batch.status == "failed"
    assert batch.error == (
        "cannot read the file: missing required column(s): length_mm; add them to the header "
        "(postbridge csv-template prints it; see docs/csv-format.md)"
    )
    assert booked_rows(db, batch_id) == []
