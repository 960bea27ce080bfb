from __future__ import annotations

import csv
import io
import os
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.csv_builders import RECIPIENT_BR, csv_row, csv_text

from postbridge.bulk.csv_format import Layout, read_shipments, template_header
from postbridge.bulk.pipeline import (
    BatchContext,
    ChunkPipeline,
    PreparedChunk,
    fill_booking_times,
    prepare_chunk,
)
from postbridge.bulk.reading import ChunkTask, CsvChunker
from postbridge.errors import ProblemList
from postbridge.shipments.capture import validate_shipment
from postbridge.shipments.documents import shipment_row
from postbridge.shipments.pricing import plan_and_price
from postbridge.shipments.repository import SHIPMENT_COLUMNS, encode_shipment_row

BOOKED_AT = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


def chunk_file(
    text: str, *, chunk_rows: int, resume_after: int = 1
) -> tuple[Layout, list[ChunkTask]]:
    chunker = CsvChunker(io.StringIO(text, newline=""))
    header = chunker.header()
    assert header is not None
    layout = Layout.from_header(header)
    return layout, list(chunker.tasks(layout, resume_after=resume_after, chunk_rows=chunk_rows))


def parcels_of(text: str, layout: Layout, first_row: int) -> list[tuple[int, str, list]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    return [
        (p.row_number, p.reference, p.item_origins)
        for p in read_shipments(reader, layout, first_row=first_row)
    ]


# A parcel is 1 to 3 rows (one row per item); some rows carry a quoted newline; blank lines
# may follow any row.
parcel_shapes = st.lists(
    st.tuples(st.integers(1, 3), st.booleans(), st.booleans()), min_size=0, max_size=25
)


def build_file(shapes: list[tuple[int, bool, bool]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=template_header(items=2), lineterminator="\r\n")
    writer.writeheader()
    for number, (rows, multiline, blank_after) in enumerate(shapes):
        for item in range(rows):
            row = csv_row(f"P{number}", item1_description=f"Item {item}")
            if multiline:
                row["recipient_street2"] = "Building 4\nFloor 2"
            writer.writerow(row)
            if blank_after:
                buffer.write("\r\n")
    return buffer.getvalue()


@settings(max_examples=60, deadline=None)
@given(shapes=parcel_shapes, chunk_rows=st.integers(1, 6), resume_parcels=st.integers(0, 5))
def test_chunks_are_whole_parcels_that_parse_like_the_whole_file(
    shapes: list[tuple[int, bool, bool]], chunk_rows: int, resume_parcels: int
) -> None:
    text = build_file(shapes)
    layout, whole = chunk_file(text, chunk_rows=10_000)
    everything = parcels_of(whole[0].text, layout, 2) if whole else []
    # Resume after a parcel boundary, as a committed chunk leaves it.
    resume_after = 1
    if 0 < resume_parcels <= len(everything) - 1:
        resume_after = everything[resume_parcels][0] - 1
    _, tasks = chunk_file(text, chunk_rows=chunk_rows, resume_after=resume_after)

    expected = [p for p in everything if p[0] > resume_after]
    from_chunks = [p for t in tasks for p in parcels_of(t.text, layout, t.first_row)]
    assert from_chunks == expected
    starts = [t.first_row for t in tasks]
    ends = [t.last_row for t in tasks]
    assert starts == ([resume_after + 1] + [end + 1 for end in ends[:-1]] if tasks else [])
    if tasks:
        assert ends[-1] == whole[-1].last_row
    for task in tasks[:-1]:
        # A chunk holds at least chunk_rows records unless the file ends.
        assert task.last_row - task.first_row + 1 >= chunk_rows
    body = text.split("\r\n", 1)[1]
    if resume_after == 1:
        assert "".join(t.text for t in tasks) == body


def test_a_parcel_given_one_row_per_item_is_never_split() -> None:
    text = csv_text([csv_row("A"), csv_row("A", item1_description="Case"), csv_row("B")])
    _, tasks = chunk_file(text, chunk_rows=1)
    assert [(t.first_row, t.last_row) for t in tasks] == [(2, 3), (4, 4)]


def prepared_for(text: str) -> tuple[BatchContext, PreparedChunk]:
    layout, (task,) = chunk_file(text, chunk_rows=10_000)
    task = ChunkTask(task.first_row, task.last_row, task.text, BOOKED_AT)
    context = BatchContext(
        batch_id="bat_1", merchant_id="mch_1", layout=layout, planner=None, cn22_threshold_sdr=300
    )
    return context, prepare_chunk(context, task)


def test_prepared_rows_are_what_single_booking_would_insert() -> None:
    rows = [csv_row("A"), csv_row("B", weight_g="heavy"), csv_row("C", recipient=RECIPIENT_BR)]
    text = csv_text(rows)
    _, prepared = prepared_for(text)

    assert (prepared.first_row, prepared.last_row, prepared.parcels) == (2, 4, 3)
    assert prepared.failed_parcels == 1
    assert [(e["row_number"], e["field"]) for e in prepared.errors] == [(3, "weight_g")]
    assert [n.service_indicator for n in prepared.numbers] == ["LX", "LX"]
    assert {row[SHIPMENT_COLUMNS.index("created_at")] for row in prepared.rows} == {None}
    fill_booking_times(prepared)
    layout, (task,) = chunk_file(text, chunk_rows=10)
    parcels = [p for p in read_shipments(csv.reader(io.StringIO(task.text)), layout) if p.shipment]
    for row, parcel in zip(prepared.rows, parcels, strict=True):
        assert parcel.shipment is not None
        valid = validate_shipment(
            parcel.shipment, on_date=BOOKED_AT.date(), cn22_threshold_sdr=300,
            problems=ProblemList(),
        )  # fmt: skip
        assert valid is not None
        single = shipment_row(
            valid, plan_and_price(valid, planner=None, booked_at=BOOKED_AT),
            merchant_id="mch_1", tracking_number="LX000000000CN", booked_at=BOOKED_AT,
            batch_id="bat_1", batch_row=parcel.row_number,
        )  # fmt: skip
        single["id"] = row[SHIPMENT_COLUMNS.index("id")]
        row[SHIPMENT_COLUMNS.index("tracking_number")] = "LX000000000CN"
        expected_row, documents = encode_shipment_row(single)
        assert row == expected_row
        assert {d.digest for d in documents} <= {d.digest for d in prepared.documents}


def test_a_shared_document_goes_with_the_first_chunk_of_a_run_that_names_it() -> None:
    rows = [csv_row(f"R{n}") for n in range(4)]  # one basket, one destination: one estimate
    layout, tasks = chunk_file(csv_text(rows), chunk_rows=2)
    context = BatchContext(
        batch_id="bat_1", merchant_id="mch_1", layout=layout, planner=None, cn22_threshold_sdr=300
    )
    first, second = (prepare_chunk(context, task) for task in tasks)
    duties_at = SHIPMENT_COLUMNS.index("duties_digest")
    digests = {row[duties_at] for row in first.rows + second.rows}
    assert len(digests) == 1
    assert [(d.kind, d.digest) for d in first.documents] == [("duties", *digests)]
    assert second.documents == []
    # Another run (a resumed batch, another process) sends it again: the writer ignores a
    # document it already has.
    rerun = replace(context, run_id="run_again")
    assert [d.digest for d in prepare_chunk(rerun, tasks[1]).documents] == list(digests)


def test_errors_name_row_and_column_in_file_order() -> None:
    rows = [
        csv_row("A", items=[{}, {"description": "Case", "hs_code": "12"}], weight_g="900"),
        csv_row("B", recipient_postal_code="10001", item1_quantity="two"),
        csv_row("B2", recipient_postal_code="10001"),
    ]
    _, prepared = prepared_for(csv_text(rows))
    assert [(e["row_number"], e["reference"], e["field"]) for e in prepared.errors] == [
        (2, "A", "item2_hs_code"),
        (3, "B", "item1_quantity"),
        (4, "B2", "recipient_postal_code"),
    ]
    assert prepared.rows == []


def comparable(prepared: PreparedChunk) -> tuple[object, ...]:
    id_at = SHIPMENT_COLUMNS.index("id")
    rows = [[v for i, v in enumerate(row) if i != id_at] for row in prepared.rows]
    return (prepared.first_row, prepared.last_row, rows, prepared.errors, prepared.numbers)


def test_workers_return_the_chunks_in_file_order_with_the_same_content() -> None:
    rows = [csv_row(f"R{n}", weight_g="bad" if n % 7 == 0 else "450") for n in range(40)]
    layout, tasks = chunk_file(csv_text(rows), chunk_rows=3)
    context = BatchContext(
        batch_id="bat_1", merchant_id="mch_1", layout=layout, planner=None, cn22_threshold_sdr=300
    )
    with ChunkPipeline(context, workers=0) as pipeline:
        alone = list(pipeline.run(tasks))
    with ChunkPipeline(context, workers=2, in_flight=3) as pipeline:
        forked = list(pipeline.run(iter(tasks)))
    assert [p.first_row for p in forked] == [t.first_row for t in tasks]
    assert [comparable(p) for p in forked] == [comparable(p) for p in alone]
    assert {p.process_id for p in alone} == {os.getpid()}
    assert os.getpid() not in {p.process_id for p in forked}
    assert all(p.cpu_seconds["validate"] > 0 for p in forked)


class DyingPlanner:
    """Kills the worker process it runs in, as the out-of-memory killer would."""

    def plan(self, request: object) -> object:
        os._exit(3)


def test_a_worker_that_dies_fails_the_run_instead_of_hanging_it() -> None:
    layout, tasks = chunk_file(csv_text([csv_row(f"R{n}") for n in range(6)]), chunk_rows=2)
    context = BatchContext(
        batch_id="bat_1", merchant_id="mch_1", layout=layout, planner=DyingPlanner(),  # type: ignore[arg-type]
        cn22_threshold_sdr=300,
    )  # fmt: skip
    with (
        pytest.raises(BrokenProcessPool),
        ChunkPipeline(context, workers=2) as pipeline,
    ):
        list(pipeline.run(tasks))
