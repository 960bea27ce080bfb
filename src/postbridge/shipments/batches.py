"""Bulk capture: book a CSV file of parcels, row by row, in committed chunks.

Every row stands alone: good rows are booked, bad rows are reported with line, column and
message. Chunks commit with the batch's high-water mark (``last_line``), so a run that stops
half-way resumes after the last committed chunk and never books a row twice (a unique
(batch_id, batch_row) constraint guards it as well). The file is streamed: memory does not grow
with its size.
"""

from __future__ import annotations

import csv
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from time import perf_counter
from typing import Any

from postbridge.errors import Conflict, NotFound, PostbridgeError, ProblemList
from postbridge.kit.clock import utc_now
from postbridge.kit.ids import new_id
from postbridge.kit.timing import StageClock
from postbridge.shipments.booking import BookingDeps
from postbridge.shipments.capture import validate_shipment
from postbridge.shipments.csv_format import CsvHeaderError, CsvShipment, Layout, read_shipments
from postbridge.shipments.models import ShipmentBatch
from postbridge.shipments.numbering import numbering_config
from postbridge.shipments.pricing import Priced, plan_and_price, shipment_row
from postbridge.shipments.repository import BatchRepository, ShipmentRepository
from postbridge.storage.unit_of_work import Database

CHUNK_PARCELS = 1000
csv.field_size_limit(1 << 20)


class BatchStatus:
    QUEUED = "queued"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def open_batch(
    *, database: Database, merchant_id: str, batch_key: str, file_name: str, sha256: str
) -> tuple[ShipmentBatch, bool]:
    """Create the batch, or return the existing one for this key (and say it was not new)."""
    with database.unit_of_work() as uow:
        repo = BatchRepository(uow.session)
        existing = repo.by_key(merchant_id, batch_key)
        if existing is not None:
            if existing.file_sha256 != sha256:
                raise Conflict(
                    f"batch key {batch_key!r} was used for a different file; use a new key",
                    code="batch_key_reused",
                )
            return existing, False
        batch = ShipmentBatch(
            id=new_id("bat"),
            merchant_id=merchant_id,
            batch_key=batch_key,
            file_name=file_name,
            file_sha256=sha256,
            status=BatchStatus.QUEUED,
            rows_total=0,
            rows_booked=0,
            rows_failed=0,
            last_line=1,
        )
        repo.add(batch)
        uow.commit()
    return batch, True


def get_batch(*, database: Database, batch_id: str, merchant_id: str | None) -> ShipmentBatch:
    with database.unit_of_work() as uow:
        batch = BatchRepository(uow.session).get(batch_id, merchant_id=merchant_id)
    if batch is None:
        raise NotFound(f"batch {batch_id} does not exist")
    return batch


@dataclass
class _Chunk:
    rows: list[dict[str, Any]]
    errors: list[dict[str, Any]]
    last_line: int


def run_batch(
    *,
    deps: BookingDeps,
    batch_id: str,
    source: Path,
    on_progress: Callable[[int, int, int], None] | None = None,
    clock: StageClock | None = None,
) -> ShipmentBatch:
    """Book every row of ``source`` into batch ``batch_id``; report (parcels, booked, failed).

    ``clock`` collects seconds per stage: parse, validate, plan, number, persist.
    """
    clock = clock or StageClock()
    database = deps.database
    batch = get_batch(database=database, batch_id=batch_id, merchant_id=None)
    if batch.status in (BatchStatus.COMPLETED, BatchStatus.FAILED):
        return batch
    _set_status(database, batch_id, BatchStatus.PROCESSING)
    try:
        with source.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                raise CsvHeaderError("the file is empty: expected a header row")
            layout = Layout.from_header(header)
            parcels = (p for p in read_shipments(reader, layout) if p.row_number > batch.last_line)
            while True:
                with clock.stage("parse"):
                    chunk = list(islice(parcels, CHUNK_PARCELS))
                if not chunk:
                    break
                booked = _book_chunk(deps, batch, chunk, clock)
                with clock.stage("persist"):
                    batch = _commit_chunk(database, batch_id, booked)
                if on_progress is not None:
                    on_progress(len(chunk), batch.rows_booked, batch.rows_failed)
    except (CsvHeaderError, UnicodeDecodeError, csv.Error) as exc:
        return _finish(database, batch_id, BatchStatus.FAILED, f"cannot read the file: {exc}")
    return _finish(database, batch_id, BatchStatus.COMPLETED, None)


def _book_chunk(
    deps: BookingDeps, batch: ShipmentBatch, chunk: list[CsvShipment], clock: StageClock
) -> _Chunk:
    booked_at = utc_now()
    started = perf_counter()
    planning = 0.0
    errors: list[dict[str, Any]] = []
    ready = []
    for parcel in chunk:
        if parcel.shipment is None:
            errors.extend(
                _error_rows(batch.id, parcel, [(p.field, p.message) for p in parcel.problems])
            )
            continue
        problems = ProblemList()
        valid = validate_shipment(
            parcel.shipment,
            on_date=booked_at.date(),
            cn22_threshold_sdr=deps.cn22_threshold_sdr,
            problems=problems,
        )
        if valid is None:
            located = [parcel.locate(p.field) for p in problems.problems]
            errors.extend(
                _error_row(batch.id, parcel, line, column, problem.message)
                for (line, column), problem in zip(located, problems.problems, strict=True)
            )
            continue
        plan_started = perf_counter()
        try:
            priced = plan_and_price(valid, planner=deps.planner, booked_at=booked_at)
        except PostbridgeError as exc:
            errors.extend(_error_rows(batch.id, parcel, [("service", exc.detail)]))
            continue
        finally:
            planning += perf_counter() - plan_started
        ready.append((parcel, valid, priced))
    clock.add("plan", planning)
    clock.add("validate", perf_counter() - started - planning)
    with clock.stage("number"):
        numbers = _allocate(deps, ready)
        usps = [i for i, (_, _, priced) in enumerate(ready) if _usps_last_mile(priced)]
        partner_numbers: dict[int, str] = dict(
            zip(usps, deps.allocator.allocate_impb(len(usps)) if usps else [], strict=True)
        )
    started = perf_counter()
    rows = [
        shipment_row(
            valid,
            priced,
            merchant_id=batch.merchant_id,
            tracking_number=number,
            partner_tracking_number=partner_numbers.get(index),
            booked_at=booked_at,
            batch_id=batch.id,
            batch_row=parcel.row_number,
        )
        for index, ((parcel, valid, priced), number) in enumerate(zip(ready, numbers, strict=True))
    ]
    last_line = max(p.item_origins[-1][0] if p.item_origins else p.row_number for p in chunk)
    clock.add("persist", perf_counter() - started)
    return _Chunk(rows=rows, errors=errors, last_line=last_line)


def _usps_last_mile(priced: Priced) -> bool:
    return priced.planned is not None and priced.planned.usps_last_mile


def _allocate(deps: BookingDeps, ready: list[Any]) -> list[str]:
    """One allocation per (partner, service indicator) for the whole chunk."""
    config = numbering_config()
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for position, (_, valid, priced) in enumerate(ready):
        planned = priced.planned
        indicator = (planned.service_indicator if planned else None) or config.indicator_for(
            valid.service
        )
        groups[(planned.partner if planned else "*", indicator)].append(position)
    numbers: list[str] = [""] * len(ready)
    for (partner, indicator), positions in groups.items():
        issued = deps.allocator.allocate(
            partner=partner, service_indicator=indicator, count=len(positions)
        )
        for position, number in zip(positions, issued, strict=True):
            numbers[position] = number
    return numbers


def _error_rows(
    batch_id: str, parcel: CsvShipment, problems: list[tuple[str, str]]
) -> Iterator[dict[str, Any]]:
    for column, message in problems:
        yield _error_row(batch_id, parcel, parcel.row_number, column, message)


def _error_row(
    batch_id: str, parcel: CsvShipment, line: int, column: str, message: str
) -> dict[str, Any]:
    return {
        "batch_id": batch_id,
        "row_number": line,
        "reference": parcel.reference[:100],
        "field": column[:100],
        "message": message,
    }


def _commit_chunk(database: Database, batch_id: str, chunk: _Chunk) -> ShipmentBatch:
    failed_parcels = len({(e["row_number"], e["reference"]) for e in chunk.errors})
    with database.unit_of_work() as uow:
        ShipmentRepository(uow.session).insert_many(chunk.rows)
        repo = BatchRepository(uow.session)
        repo.add_errors(chunk.errors)
        batch = repo.get(batch_id, merchant_id=None)
        assert batch is not None
        batch.rows_booked += len(chunk.rows)
        batch.rows_failed += failed_parcels
        batch.rows_total = batch.rows_booked + batch.rows_failed
        batch.last_line = chunk.last_line
        uow.commit()
    return batch


def _set_status(database: Database, batch_id: str, status: str) -> None:
    with database.unit_of_work() as uow:
        batch = BatchRepository(uow.session).get(batch_id, merchant_id=None)
        assert batch is not None
        batch.status = status
        uow.commit()


def _finish(database: Database, batch_id: str, status: str, error: str | None) -> ShipmentBatch:
    with database.unit_of_work() as uow:
        batch = BatchRepository(uow.session).get(batch_id, merchant_id=None)
        assert batch is not None
        batch.status = status
        batch.error = error
        batch.finished_at = utc_now()
        uow.commit()
    return batch


def booked_shipment_ids(
    *, database: Database, batch_id: str, merchant_id: str | None, offset: int, limit: int
) -> list[str]:
    """Ids of a batch's booked shipments in file order, a page at a time (for labels)."""
    batch = get_batch(database=database, batch_id=batch_id, merchant_id=merchant_id)
    with database.unit_of_work() as uow:
        summary = BatchRepository(uow.session).booked_summary(batch.id)
        page = list(islice(summary, offset, offset + limit))
    return [shipment_id for _, _, shipment_id, _ in page]


def batch_results(*, database: Database, batch_id: str) -> Iterator[dict[str, Any]]:
    """Every row's outcome by line: booked rows with their numbers, rejected rows with reasons."""
    with database.unit_of_work() as uow:
        repo = BatchRepository(uow.session)
        booked = iter(repo.booked_summary(batch_id))
        errors = iter(repo.errors(batch_id))
        next_booked = next(booked, None)
        next_error = next(errors, None)
        while next_booked is not None or next_error is not None:
            if next_error is None or (next_booked is not None and next_booked[0] <= next_error[0]):
                assert next_booked is not None
                row, reference, shipment_id, tracking = next_booked
                yield {
                    "row": row, "reference": reference, "status": "booked",
                    "shipment_id": shipment_id, "tracking_number": tracking,
                    "field": "", "message": "",
                }  # fmt: skip
                next_booked = next(booked, None)
            else:
                row, reference, column, message = next_error
                yield {
                    "row": row, "reference": reference, "status": "rejected",
                    "shipment_id": "", "tracking_number": "", "field": column, "message": message,
                }  # fmt: skip
                next_error = next(errors, None)
