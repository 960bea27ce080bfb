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

from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path

import orjson

from postbridge.errors import FieldProblem, InvalidInput
from postbridge.storage.unit_of_work import Database
from postbridge.tracking.canonical import (
    MAX_REQUEST_EVENTS,
    ItemProblem,
    api_field_path,
    decode_body,
    parse_item,
    parse_items,
)
from postbridge.tracking.errors import MalformedBody
from postbridge.tracking.ingest import CHUNK_EVENTS, IngestCounts, in_chunks, ingest_chunks
from postbridge.tracking.model import TrackingEvent


def ingest_request(*, database: Database, body: bytes, content_type: str) -> IngestCounts:
    """Raises InvalidInput naming every bad item's field (nothing stored then)."""
    items, problems = decode_body(body, content_type)
    if not problems and len(items) > MAX_REQUEST_EVENTS:
        raise InvalidInput.for_field(
            "body",
            f"at most {MAX_REQUEST_EVENTS} events per request; import larger files with "
            "'postbridge tracking import'",
            code="too_many_events",
        )
    events, item_problems = parse_items(items) if not problems else ([], [])
    _raise_if_any(problems + item_problems)
    return ingest_chunks(database=database, chunks=in_chunks(events))


def import_file(
    *,
    database: Database,
    path: Path,
    chunk_size: int = CHUNK_EVENTS,
    on_chunk: Callable[[int, IngestCounts], None] | None = None,
) -> IngestCounts:
    """Import a JSON Lines file; ``on_chunk`` gets the lines read and the chunk's counts.

    Raises:
        InvalidInput: a bad line (``line 17: occurred_at: ...``); earlier chunks are kept.
    """
    total = IngestCounts()
    for lines_read, events in _parsed_chunks(path, chunk_size):
        counts = ingest_chunks(database=database, chunks=[events])
        total.add(counts)
        if on_chunk is not None:
            on_chunk(lines_read, counts)
    return total


def _parsed_chunks(path: Path, chunk_size: int) -> Iterator[tuple[int, list[TrackingEvent]]]:
    with path.open("rb") as handle:
        line_number = 0
        while block := list(islice(handle, chunk_size)):
            events: list[TrackingEvent] = []
            problems: list[ItemProblem] = []
            for line in block:
                line_number += 1
                if not line.strip():
                    continue
                try:
                    item = orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    problems.append(ItemProblem(line_number, "", f"malformed JSON: {exc}"))
                    continue
                parsed = parse_item(item, line_number)
                if isinstance(parsed, list):
                    problems.extend(parsed)
                else:
                    events.append(parsed)
            if problems:
                raise _file_error(problems)
            yield len(block), events


def _file_error(problems: list[ItemProblem]) -> InvalidInput:
    first = problems[0]
    where = f"line {first.index}" + (f": {first.field}" if first.field else "")
    return InvalidInput(
        f"{where}: {first.message}",
        problems=[
            FieldProblem(f"line {p.index}" + (f".{p.field}" if p.field else ""), p.message, p.code)
            for p in problems
        ],
    )


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
