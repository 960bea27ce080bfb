"""Bulk capture: book a CSV file of parcels, row by row, in committed chunks.

Every row stands alone: good rows are booked, bad rows are reported with line, column and
message. Chunks commit with the batch's high-water mark (``last_line``), so a run that stops
half-way resumes after the last committed chunk and never books a row twice (a unique
(batch_id, batch_row) constraint guards it as well). The file is streamed: memory does not grow
with its size. Chunks are prepared in worker processes and written here, in file order (see
bulk.pipeline).

Each chunk's transaction also writes its ``shipment.booked`` outbox rows; the batch's end writes
``batch.completed`` (or ``batch.failed``). Uploads through the API do not run here in the
request: ``open_batch(queue_source=...)`` queues a ``bulk.run_batch`` job in the transaction
that creates the batch, and ``postbridge worker`` runs it (and re-runs it after a crash).
"""

from __future__ import annotations

import csv
import hashlib
import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError

from postbridge.bulk.csv_format import CsvHeaderError, Layout
from postbridge.bulk.events import BatchCompleted, BatchFailed, booked_events
from postbridge.bulk.models import ShipmentBatch
from postbridge.bulk.pipeline import (
    PARTNER_TRACKING_NUMBER_AT,
    TRACKING_NUMBER_AT,
    BatchContext,
    ChunkPipeline,
    PipelineReport,
    PreparedChunk,
    default_workers,
    fill_booking_times,
)
from postbridge.bulk.reading import CHUNK_ROWS, CsvChunker
from postbridge.bulk.repository import BatchRepository
from postbridge.errors import Conflict, NotFound
from postbridge.jobs.repository import JobRepository
from postbridge.kit.clock import utc_now
from postbridge.kit.ids import new_id
from postbridge.kit.timing import StageClock
from postbridge.shipments.booking import BookingDeps
from postbridge.shipments.repository import ShipmentRepository
from postbridge.storage.outbox import OutboxRepository
from postbridge.storage.unit_of_work import Database

csv.field_size_limit(1 << 20)
# Columns of a batch's results file (CSV or JSON objects), one line per row outcome.
RESULT_COLUMNS = [
    "row",
    "reference",
    "status",
    "shipment_id",
    "tracking_number",
    "field",
    "message",
]


# The worker's job that runs an uploaded batch; payload {"batch_id": ..., "source": path}.
RUN_BATCH_JOB = "bulk.run_batch"


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
    *,
    database: Database,
    merchant_id: str,
    batch_key: str,
    file_name: str,
    sha256: str,
    queue_source: Path | None = None,
) -> tuple[ShipmentBatch, bool]:
    """Create the batch, or return the existing one for this key (and say it was not new).

    With ``queue_source`` (the stored file), a new batch is handed to the worker: its
    ``bulk.run_batch`` job is queued in the same transaction, so a batch never exists without
    the job that books it (one job per batch: the dedupe key is the batch id). Two uploads
    racing with one key: the loser's insert fails on the unique (merchant, key) at commit, and
    it answers as the idempotent call it is, with the winner's batch."""
    existing = _existing_batch(database, merchant_id, batch_key, sha256)
    if existing is not None:
        return existing, False
    try:
        return _create_batch(database, merchant_id, batch_key, file_name, sha256, queue_source)
    except IntegrityError:
        existing = _existing_batch(database, merchant_id, batch_key, sha256)
        if existing is None:
            raise
        return existing, False


def _existing_batch(
    database: Database, merchant_id: str, batch_key: str, sha256: str
) -> ShipmentBatch | None:
    with database.unit_of_work() as uow:
        existing = BatchRepository(uow.session).by_key(merchant_id, batch_key)
    if existing is not None and existing.file_sha256 != sha256:
        raise Conflict(
            f"batch key {batch_key!r} was used for a different file; use a new key",
            code="batch_key_reused",
        )
    return existing


def _create_batch(
    database: Database,
    merchant_id: str,
    batch_key: str,
    file_name: str,
    sha256: str,
    queue_source: Path | None,
) -> tuple[ShipmentBatch, bool]:
    with database.unit_of_work() as uow:
        repo = BatchRepository(uow.session)
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
        if queue_source is not None:
            JobRepository(uow.session).enqueue(
                kind=RUN_BATCH_JOB,
                payload={"batch_id": batch.id, "source": str(queue_source)},
                dedupe_key=f"{RUN_BATCH_JOB}:{batch.id}",
                now=utc_now(),
            )
        uow.commit()
    return batch, True


def get_batch(*, database: Database, batch_id: str, merchant_id: str | None) -> ShipmentBatch:
    with database.unit_of_work() as uow:
        batch = BatchRepository(uow.session).get(batch_id, merchant_id=merchant_id)
    if batch is None:
        raise NotFound(f"batch {batch_id} does not exist")
    return batch


def list_batches(*, database: Database, merchant_id: str | None, limit: int) -> list[ShipmentBatch]:
    """A merchant's most recent batches, newest first (None: every merchant's, for operators)."""
    with database.unit_of_work() as uow:
        return BatchRepository(uow.session).recent(merchant_id=merchant_id, limit=limit)


def run_batch(
    *,
    deps: BookingDeps,
    batch_id: str,
    source: Path,
    on_progress: Callable[[int, int, int], None] | None = None,
    clock: StageClock | None = None,
    workers: int | None = None,
    report: PipelineReport | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> ShipmentBatch:
    """Book every row of ``source`` into batch ``batch_id``; report (parcels, booked, failed).

    ``workers``: processes that prepare chunks (None: two for files of more than a few chunks,
    none for small ones); ``chunk_rows``: records per committed chunk. ``clock`` collects CPU seconds per stage, summed over the processes:
    parse, validate, plan, build (in the workers), number, persist (here).
    """
    clock = clock or StageClock(time.thread_time)
    report = report or PipelineReport()
    database = deps.database
    batch = get_batch(database=database, batch_id=batch_id, merchant_id=None)
    if batch.status in (BatchStatus.COMPLETED, BatchStatus.FAILED):
        return batch
    _set_status(database, batch_id, BatchStatus.PROCESSING)
    if workers is None:
        workers = default_workers(source.stat().st_size)
    report.workers = workers
    try:
        with source.open(newline="", encoding="utf-8-sig") as handle:
            chunker = CsvChunker(handle)
            header = chunker.header()
            if header is None:
                raise CsvHeaderError("the file is empty: expected a header row")
            context = BatchContext(
                batch_id=batch.id,
                merchant_id=batch.merchant_id,
                layout=Layout.from_header(header),
                planner=deps.planner,
                cn22_threshold_sdr=deps.cn22_threshold_sdr,
            )
            tasks = chunker.tasks(
                context.layout, resume_after=batch.last_line, chunk_rows=chunk_rows, clock=clock
            )
            with ChunkPipeline(context, workers=workers) as pipeline:
                for prepared in pipeline.run(tasks):
                    clock.merge(prepared.cpu_seconds)
                    _note_worker(report, prepared)
                    with clock.stage("number"):
                        _fill_numbers(deps, prepared)
                        fill_booking_times(prepared)
                    with clock.stage("persist"):
                        batch = _commit_chunk(database, batch_id, prepared)
                    if on_progress is not None:
                        on_progress(prepared.parcels, batch.rows_booked, batch.rows_failed)
    except (CsvHeaderError, UnicodeDecodeError, csv.Error) as exc:
        return _finish(database, batch_id, BatchStatus.FAILED, f"cannot read the file: {exc}")
    return _finish(database, batch_id, BatchStatus.COMPLETED, None)


def _note_worker(report: PipelineReport, prepared: PreparedChunk) -> None:
    if prepared.process_id != os.getpid():
        peaks = report.worker_peak_rss_kb
        peaks[prepared.process_id] = max(peaks.get(prepared.process_id, 0), prepared.peak_rss_kb)


def _fill_numbers(deps: BookingDeps, prepared: PreparedChunk) -> None:
    """Allocate the chunk's tracking numbers in one transaction: S10s per (partner, service
    indicator), partner numbers per scheme for the rows whose last mile needs one, each group
    in file order."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    partner_groups: dict[str, list[int]] = defaultdict(list)
    for position, request in enumerate(prepared.numbers):
        groups[(request.partner, request.service_indicator)].append(position)
        if request.partner_scheme is not None:
            partner_groups[request.partner_scheme].append(position)
    issued, partner_numbers = deps.allocator.allocate_many(
        {key: len(positions) for key, positions in groups.items()},
        partner={scheme: len(positions) for scheme, positions in partner_groups.items()},
    )
    rows = prepared.rows
    for key, positions in groups.items():
        for position, number in zip(positions, issued[key], strict=True):
            rows[position][TRACKING_NUMBER_AT] = number
    for scheme, positions in partner_groups.items():
        for position, number in zip(positions, partner_numbers[scheme], strict=True):
            rows[position][PARTNER_TRACKING_NUMBER_AT] = number


def _commit_chunk(database: Database, batch_id: str, prepared: PreparedChunk) -> ShipmentBatch:
    """Insert the chunk, its ``shipment.booked`` events and the high-water mark in one
    transaction: a chunk is booked (and announced) whole or not at all, and a resumed run
    starts after the last one committed."""
    # Before insert_encoded, which converts the rows' datetimes in place.
    events = booked_events(prepared.rows, booked_at=prepared.booked_at)
    with database.unit_of_work() as uow:
        OutboxRepository(uow.session).append_encoded(events)
        shipments = ShipmentRepository(uow.session)
        shipments.put_documents(prepared.documents)
        shipments.insert_encoded(prepared.rows)
        repo = BatchRepository(uow.session)
        repo.add_errors(prepared.errors)
        batch = repo.get(batch_id, merchant_id=None)
        assert batch is not None
        batch.rows_booked += len(prepared.rows)
        batch.rows_failed += prepared.failed_parcels
        batch.rows_total = batch.rows_booked + batch.rows_failed
        batch.last_line = prepared.last_row
        uow.commit()
    return batch


def _set_status(database: Database, batch_id: str, status: str) -> None:
    with database.unit_of_work() as uow:
        batch = BatchRepository(uow.session).get(batch_id, merchant_id=None)
        assert batch is not None
        batch.status = status
        uow.commit()


def fail_batch(*, database: Database, batch_id: str, error: str) -> ShipmentBatch:
    """End a batch that cannot be run any more (its job went dead) as failed, with the error:
    a batch never stays ``processing`` with nobody working on it. The chunks already
    committed stay booked; a batch that already ended is left as it is."""
    batch = get_batch(database=database, batch_id=batch_id, merchant_id=None)
    if batch.status in (BatchStatus.COMPLETED, BatchStatus.FAILED):
        return batch
    return _finish(database, batch_id, BatchStatus.FAILED, error)


def reopen_batch(*, database: Database, batch_id: str) -> None:
    """Queue a failed batch again (its job was retried by an operator): the next run resumes
    after the last committed chunk, so nothing already booked is booked twice."""
    with database.unit_of_work() as uow:
        batch = BatchRepository(uow.session).get(batch_id, merchant_id=None)
        if batch is not None and batch.status == BatchStatus.FAILED:
            batch.status = BatchStatus.QUEUED
            batch.error = None
            batch.finished_at = None
            uow.commit()


def _finish(database: Database, batch_id: str, status: str, error: str | None) -> ShipmentBatch:
    with database.unit_of_work() as uow:
        batch = BatchRepository(uow.session).get(batch_id, merchant_id=None)
        assert batch is not None
        batch.status = status
        batch.error = error
        batch.finished_at = utc_now()
        if status == BatchStatus.COMPLETED:
            uow.record(
                BatchCompleted(
                    merchant_id=batch.merchant_id,
                    batch_id=batch.id,
                    rows_booked=batch.rows_booked,
                    rows_failed=batch.rows_failed,
                )
            )
        else:
            uow.record(
                BatchFailed(merchant_id=batch.merchant_id, batch_id=batch.id, error=error or "")
            )
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


def first_results(*, database: Database, batch_id: str, limit: int) -> list[dict[str, Any]]:
    """The first ``limit`` outcomes of ``batch_results``, for a page: two bounded queries
    instead of two streams left open (the first ``limit`` outcomes hold at most ``limit`` of
    each kind)."""
    with database.unit_of_work() as uow:
        repo = BatchRepository(uow.session)
        booked = repo.first_booked(batch_id, limit)
        errors = repo.first_errors(batch_id, limit)
    outcomes = [
        {"row": row, "reference": reference, "status": "booked", "shipment_id": shipment_id,
         "tracking_number": tracking, "field": "", "message": ""}
        for row, reference, shipment_id, tracking in booked
    ] + [
        {"row": row, "reference": reference, "status": "rejected", "shipment_id": "",
         "tracking_number": "", "field": column, "message": message}
        for row, reference, column, message in errors
    ]  # fmt: skip
    # Stable: a row's problems keep their order, and booked rows sort before problems of the
    # same line exactly as batch_results merges them.
    outcomes.sort(key=lambda outcome: (outcome["row"], outcome["status"] != "booked"))
    return outcomes[:limit]
