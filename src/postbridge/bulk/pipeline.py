"""Bulk capture as a two-stage pipeline: prepare chunks in worker processes, write in order.

The main process reads the file into chunks of whole parcels (bulk_reading.CsvChunker). Worker
processes (``ChunkPipeline``, fork start method) turn each chunk into encoded shipment rows and
located error rows (``prepare_chunk``): parse, validate, route and price, build the row
(bulk_rows). What
needs the database stays in the main process, in file order: tracking numbers, the insert and
the commit with the batch's high-water mark (see batches.run_batch). At most a few chunks are in
flight, so memory does not grow with the file.

Small files skip the workers: the same ``prepare_chunk`` runs in the calling process.
"""

from __future__ import annotations

import csv
import gc
import io
import multiprocessing
import os
import resource
import signal
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from types import TracebackType
from typing import Any

from postbridge.bulk.csv_format import CsvShipment, Layout, read_shipments
from postbridge.bulk.reading import CHUNK_ROWS, ChunkTask
from postbridge.bulk.rows import NumberRequest, RowBuilder, number_request
from postbridge.errors import PostbridgeError, ProblemList
from postbridge.kit.ids import new_id, new_ids
from postbridge.kit.processes import die_with_parent
from postbridge.kit.timing import StageClock
from postbridge.shipments.capture import ValidShipment, validate_shipment
from postbridge.shipments.ports import RoutePlanner
from postbridge.shipments.pricing import Priced, plan_and_price
from postbridge.shipments.repository import SHIPMENT_COLUMNS, EncodedDocument

# Below this many bytes a file is booked in the calling process: forking costs more than it
# saves, and the API's small uploads stay in the request's own process.
WORKERS_MIN_FILE_BYTES = 3 * CHUNK_ROWS * 300


@dataclass(frozen=True, slots=True)
class BatchContext:
    """What preparing a chunk needs; workers inherit it when they fork."""

    batch_id: str
    merchant_id: str
    layout: Layout
    planner: RoutePlanner | None
    cn22_threshold_sdr: int | Decimal
    # Names this run: which shared documents were already sent with a chunk is per run.
    run_id: str = field(default_factory=lambda: new_id("run"))


@dataclass(slots=True)
class PreparedChunk:
    first_row: int
    last_row: int
    booked_at: datetime
    parcels: int
    # Encoded shipment rows in SHIPMENT_COLUMNS order; tracking numbers and times still None.
    rows: list[list[Any]]
    numbers: list[NumberRequest]
    # Shared documents (routes, duty estimates) the rows name and this process has not sent with
    # an earlier chunk of the run; the writer stores them before the rows.
    documents: list[EncodedDocument]
    # batch_row_errors rows, every problem of every rejected parcel, in file order.
    errors: list[dict[str, Any]]
    failed_parcels: int
    cpu_seconds: dict[str, float]
    process_id: int = 0
    peak_rss_kb: int = 0


TRACKING_NUMBER_AT = SHIPMENT_COLUMNS.index("tracking_number")
PARTNER_TRACKING_NUMBER_AT = SHIPMENT_COLUMNS.index("partner_tracking_number")
_CREATED_AT = SHIPMENT_COLUMNS.index("created_at")
_UPDATED_AT = SHIPMENT_COLUMNS.index("updated_at")


def fill_booking_times(prepared: PreparedChunk) -> None:
    """Set created_at and updated_at of every row to the chunk's booking time."""
    booked_at = prepared.booked_at
    for row in prepared.rows:
        row[_CREATED_AT] = row[_UPDATED_AT] = booked_at


# --- workers: a chunk of text to encoded rows ------------------------------------------------


def prepare_chunk(context: BatchContext, task: ChunkTask) -> PreparedChunk:
    """Parse, validate, route and price every parcel of ``task``; build the rows of the good
    ones and locate every problem of the bad ones (line and column). Pure apart from the
    planner; CPU seconds per stage are measured in the process that runs it."""
    clock = StageClock(time.thread_time)
    errors: list[dict[str, Any]] = []
    failed: set[int] = set()
    with clock.stage("parse"):
        reader = csv.reader(io.StringIO(task.text, newline=""))
        parcels = list(read_shipments(reader, context.layout, first_row=task.first_row))
    with clock.stage("validate"):
        valid = _validate(context, task, parcels, errors, failed)
    with clock.stage("plan"):
        priced = _price(context, task, valid, errors, failed)
    with clock.stage("build"):
        builder = RowBuilder(context.merchant_id, context.batch_id, context.run_id)
        ids = new_ids("shp", len(priced))
        rows = [
            builder.row(shipment_id, parcel.row_number, shipment, price)
            for shipment_id, (parcel, shipment, price) in zip(ids, priced, strict=True)
        ]
        numbers = [number_request(shipment, price) for _, shipment, price in priced]
        errors.sort(key=lambda error: int(error["row_number"]))
    return PreparedChunk(
        first_row=task.first_row,
        last_row=task.last_row,
        booked_at=task.booked_at,
        parcels=len(parcels),
        rows=rows,
        numbers=numbers,
        documents=builder.documents,
        errors=errors,
        failed_parcels=len(failed),
        cpu_seconds=dict(clock.seconds),
        process_id=os.getpid(),
        peak_rss_kb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    )


def _validate(
    context: BatchContext,
    task: ChunkTask,
    parcels: list[CsvShipment],
    errors: list[dict[str, Any]],
    failed: set[int],
) -> list[tuple[CsvShipment, ValidShipment]]:
    on_date = task.booked_at.date()
    valid = []
    for parcel in parcels:
        if parcel.shipment is None:
            for problem in parcel.problems:
                errors.append(_error(context, parcel, parcel.row_number, problem.field,
                                     problem.message))  # fmt: skip
            failed.add(parcel.row_number)
            continue
        problems = ProblemList()
        shipment = validate_shipment(
            parcel.shipment,
            on_date=on_date,
            cn22_threshold_sdr=context.cn22_threshold_sdr,
            problems=problems,
        )
        if shipment is None:
            for problem in problems.problems:
                line, column = parcel.locate(problem.field)
                errors.append(_error(context, parcel, line, column, problem.message))
            failed.add(parcel.row_number)
            continue
        valid.append((parcel, shipment))
    return valid


def _price(
    context: BatchContext,
    task: ChunkTask,
    valid: list[tuple[CsvShipment, ValidShipment]],
    errors: list[dict[str, Any]],
    failed: set[int],
) -> list[tuple[CsvShipment, ValidShipment, Priced]]:
    priced = []
    for parcel, shipment in valid:
        try:
            price = plan_and_price(shipment, planner=context.planner, booked_at=task.booked_at)
        except PostbridgeError as exc:
            problems = getattr(exc, "problems", None) or []
            message = problems[0].message if problems else exc.detail
            errors.append(_error(context, parcel, parcel.row_number, "service", message))
            failed.add(parcel.row_number)
            continue
        priced.append((parcel, shipment, price))
    return priced


def _error(
    context: BatchContext, parcel: CsvShipment, line: int, column: str, message: str
) -> dict[str, Any]:
    return {
        "batch_id": context.batch_id,
        "row_number": line,
        "reference": parcel.reference[:100],
        "field": column[:100],
        "message": message,
    }


# --- running chunks: in this process, or in forked workers, results in file order ------------


_adopted: BatchContext | None = None


def _adopt(context: BatchContext, parent_pid: int) -> None:
    """Worker start-up: die with the writer (a killed writer leaves no orphan waiting on its
    queue); keep the batch's context; freeze what the fork inherited so the collector neither
    scans it nor touches (and so copies) its pages."""
    global _adopted
    die_with_parent(parent_pid, signal.SIGKILL)
    _adopted = context
    gc.freeze()


def _prepare_adopted(task: ChunkTask) -> PreparedChunk:
    assert _adopted is not None
    prepared = prepare_chunk(_adopted, task)
    # What outlives a chunk is the memo caches (routes, addresses, duty estimates), which hold
    # no cycles. Freezing them keeps the collector from rescanning tens of thousands of cached
    # objects in every older-generation pass: measured 25-30% of a worker's CPU. The worker
    # exits with the batch, so nothing frozen outlives it.
    gc.freeze()
    return prepared


def default_workers(file_bytes: int) -> int:
    """Two workers on two or more cores (measured: a third adds nothing on 2 cores, one
    leaves the writer's core idle half the time); none for small files or a single core."""
    if file_bytes < WORKERS_MIN_FILE_BYTES:
        return 0
    cores = len(os.sched_getaffinity(0))
    return 2 if cores >= 2 else 0


@dataclass
class PipelineReport:
    """How a run went: workers used and each worker's peak resident memory."""

    workers: int = 0
    worker_peak_rss_kb: dict[int, int] = field(default_factory=dict)


class ChunkPipeline:
    """``with ChunkPipeline(context, workers=2) as pipeline: for prepared in pipeline.run(...)``

    Results come back in task order, at most ``in_flight`` chunks ahead of the caller. Workers
    fork when the pipeline opens and stop when it closes; chunks not started yet are dropped
    if the caller stops half-way (an error, a cancelled run). A worker that dies (killed, out
    of memory) fails the run with BrokenProcessPool instead of leaving it waiting.
    """

    def __init__(
        self, context: BatchContext, *, workers: int, in_flight: int | None = None
    ) -> None:
        self.context = context
        self.workers = workers
        self.in_flight = in_flight or 2 * workers + 1
        self._executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> ChunkPipeline:
        if self.workers > 0:
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_adopt,
                initargs=(self.context, os.getpid()),
            )
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def run(self, tasks: Iterable[ChunkTask]) -> Iterator[PreparedChunk]:
        executor = self._executor
        if executor is None:
            for task in tasks:
                yield prepare_chunk(self.context, task)
            return
        pending: deque[Future[PreparedChunk]] = deque()
        for task in tasks:
            pending.append(executor.submit(_prepare_adopted, task))
            if len(pending) >= self.in_flight:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
