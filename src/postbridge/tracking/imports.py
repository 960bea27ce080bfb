"""Canonical events from a request body or a JSON Lines file, into ``ingest``.

A request is all or nothing at validation: every item is checked before anything is stored,
so a rejected request (422 naming ``[3].occurred_at``) leaves no trace. A valid request is
then ingested in committed chunks of ``CHUNK_EVENTS``; if the process dies half way the client
has no 202 and sends the request again, and the chunks already committed are duplicates.

A file is streamed chunk by chunk (a million lines never sit in memory). Each chunk is checked
before it is committed; a bad line stops the import there with its line number, and what was
committed before it stays. Re-running the same file, after a fix or a ``kill -9``, skips what
was committed by fingerprint and goes on, so an import is resumable without any bookkeeping.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from pathlib import Path
from typing import Any, Generic, TypeVar

from postbridge.errors import FieldProblem, InvalidInput
from postbridge.kit.processes import die_with_parent
from postbridge.storage.unit_of_work import Database
from postbridge.tracking.bulk_ingest import copy_block, file_error, ingest_copied, parse_line
from postbridge.tracking.canonical import (
    MAX_REQUEST_EVENTS,
    CodeSchemes,
    ItemProblem,
    api_field_path,
    decode_body,
    parse_items,
)
from postbridge.tracking.errors import MalformedBody
from postbridge.tracking.ingest import (
    CHUNK_EVENTS,
    IngestCounts,
    in_chunks,
    ingest_chunks,
    ingest_keyed_chunk,
)
from postbridge.tracking.repository import event_from_values


def ingest_request(
    *, database: Database, body: bytes, content_type: str, code_schemes: CodeSchemes
) -> IngestCounts:
    """Raises InvalidInput naming every bad item's field (nothing stored then)."""
    items, problems = decode_body(body, content_type)
    if not problems and len(items) > MAX_REQUEST_EVENTS:
        raise InvalidInput.for_field(
            "body",
            f"at most {MAX_REQUEST_EVENTS} events per request; import larger files with "
            "'postbridge tracking import'",
            code="too_many_events",
        )
    events, item_problems = parse_items(items, code_schemes) if not problems else ([], [])
    _raise_if_any(problems + item_problems)
    return ingest_chunks(database=database, chunks=in_chunks(events))


def import_file(
    *,
    database: Database,
    path: Path,
    code_schemes: CodeSchemes,
    chunk_size: int | None = None,
    on_chunk: Callable[[int, IngestCounts], None] | None = None,
    workers: int | None = None,
) -> IngestCounts:
    """Import a JSON Lines file; ``on_chunk`` gets the lines read and the chunk's counts.

    Parsing (JSON, checks, normalising, fingerprints) runs in forked worker processes, chunks
    ahead of the writer, which only talks to the database; results come back in file order.

    Raises:
        InvalidInput: a bad line (``line 17: occurred_at: ...``); earlier chunks are kept.
    """
    total = IngestCounts()
    count = default_workers(path) if workers is None else workers
    if database.dialect == "postgresql":
        # Whole chunks: the workers write COPY text, the database deduplicates (bulk_ingest).
        blocks = _line_blocks(path, chunk_size or DATABASE_CHUNK_LINES)
        with _ParsePipeline(count, code_schemes, copy_block) as copying:
            for lines_read, received, copy_text, problems in copying.run(blocks):
                if problems:
                    raise file_error(problems)
                counts = ingest_copied(database=database, copy_text=copy_text, received=received)
                total.add(counts)
                if on_chunk is not None:
                    on_chunk(lines_read, counts)
        return total
    blocks = _line_blocks(path, chunk_size or CHUNK_EVENTS)
    with _ParsePipeline(count, code_schemes, parse_block) as pipeline:
        for lines_read, rows, problems in pipeline.run(blocks):
            if problems:
                raise file_error(problems)
            keyed = [(row[0], event_from_values(row)) for row in rows]
            counts = ingest_keyed_chunk(database=database, keyed=keyed)
            total.add(counts)
            if on_chunk is not None:
                on_chunk(lines_read, counts)
    return total


# Lines per chunk on PostgreSQL by default, where a chunk costs a few statements whatever its
# size (SQLite: ``CHUNK_EVENTS``).
DATABASE_CHUNK_LINES = 20_000

# A parsed chunk: lines read, events as plain tuples (``EVENT_COLUMNS`` order without the
# received time: they pickle between processes several times faster than the dataclasses),
# and the problems of its bad lines.
ParsedBlock = tuple[int, list[tuple[Any, ...]], list[ItemProblem]]
Task = tuple[int, list[bytes]]  # the number of a block's first line, and its lines
Parsed = TypeVar("Parsed")
WORKERS_MIN_FILE_BYTES = 4 << 20


def default_workers(path: Path) -> int:
    """One parsing worker on two or more cores for files worth forking for, else none: the
    writer is busy too (SQL, recomputing states), so one parser and the writer fill two
    cores (measured on the 2-core machine: a second parser only competes with the writer)."""
    if path.stat().st_size < WORKERS_MIN_FILE_BYTES:
        return 0
    return 1 if len(os.sched_getaffinity(0)) >= 2 else 0


def _line_blocks(path: Path, chunk_size: int) -> Iterator[tuple[int, list[bytes]]]:
    """(number of the first line, the lines) of each chunk."""
    with path.open("rb") as handle:
        first = 1
        while block := list(islice(handle, chunk_size)):
            yield first, block
            first += len(block)


def parse_block(task: Task, code_schemes: CodeSchemes) -> ParsedBlock:
    first, block = task
    rows: list[tuple[Any, ...]] = []
    problems: list[ItemProblem] = []
    for line_number, line in enumerate(block, start=first):
        if not line.strip():
            continue
        parsed = parse_line(line_number, line, code_schemes)
        if isinstance(parsed, list):
            problems.extend(parsed)
        else:
            rows.append(parsed)
    return len(block), rows, problems


# The code-scheme lookup a forked parser inherits (set by its initializer: under the fork start
# method the initializer's arguments are inherited, not pickled).
_adopted_schemes: CodeSchemes | None = None


def _worker_start(parent_pid: int, code_schemes: CodeSchemes) -> None:
    global _adopted_schemes
    _adopted_schemes = code_schemes
    # A killed import leaves no parser behind waiting on its queue.
    die_with_parent(parent_pid, signal.SIGKILL)


def _parse_adopted(parse: Callable[[Task, CodeSchemes], Parsed], task: Task) -> Parsed:
    assert _adopted_schemes is not None
    return parse(task, _adopted_schemes)


class _ParsePipeline(Generic[Parsed]):
    """Blocks parsed by ``parse`` (a module-level function: workers get it by name), in file
    order, at most ``2 * workers + 1`` ahead; in this process when there are no workers. A
    worker that dies fails the import (BrokenProcessPool)."""

    def __init__(
        self, workers: int, code_schemes: CodeSchemes, parse: Callable[[Task, CodeSchemes], Parsed]
    ) -> None:
        self.workers = workers
        self.code_schemes = code_schemes
        self.parse = parse
        self._executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> _ParsePipeline[Parsed]:
        if self.workers > 0:
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_worker_start,
                initargs=(os.getpid(), self.code_schemes),
            )
        return self

    def __exit__(self, *_: object) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def run(self, tasks: Iterator[Task]) -> Iterator[Parsed]:
        if self._executor is None:
            for task in tasks:
                yield self.parse(task, self.code_schemes)
            return
        pending: deque[Future[Parsed]] = deque()
        for task in tasks:
            pending.append(self._executor.submit(_parse_adopted, self.parse, task))
            if len(pending) > 2 * self.workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _raise_if_any(problems: list[ItemProblem]) -> None:
    if not problems:
        return
    fields = [FieldProblem(api_field_path(p), p.message, p.code) for p in problems]
    if len(fields) == 1:
        detail = f"{fields[0].field}: {fields[0].message}"
    else:
        detail = f"{len(fields)} problems: " + ", ".join(f.field for f in fields[:10])
    if all(p.code == "malformed_json" for p in problems):
        raise MalformedBody(detail, problems=fields)
    raise InvalidInput(detail, problems=fields)
