"""A file import into PostgreSQL in whole chunks: the parsing workers turn lines into COPY
text (``copy_block``: the clean common item through ``fast_parse``, any other through
``canonical.parse_item``); the writer copies a chunk into a staging table and one statement
deduplicates it within itself and against the store and inserts what is new, so Python never
looks up a fingerprint; the trackers are then settled as every ingest settles them
(``ingest.settle_new_events``), folding the new events onto the stored state of the trackers
they all come after instead of reading each touched parcel's history again.

The guarantees are those of ``ingest``: a chunk is one transaction, committed before it is
acknowledged; a replay finds every fingerprint stored and changes nothing; a bad line stops
the import at its line with the field named, after the chunks before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import orjson

from postbridge.errors import FieldProblem, InvalidInput
from postbridge.kit.clock import utc_now
from postbridge.storage.unit_of_work import Database
from postbridge.tracking.canonical import CodeSchemes, ItemProblem, parse_item
from postbridge.tracking.codes import map_event
from postbridge.tracking.fast_parse import EventRow, clean_item_row
from postbridge.tracking.import_repository import ImportRepository
from postbridge.tracking.ingest import IngestCounts, settle_new_events
from postbridge.tracking.model import Location, MappedCode, TrackingEvent
from postbridge.tracking.normalize import fingerprint
from postbridge.tracking.repository import TrackingRepository


def parse_line(
    line_number: int, line: bytes, code_schemes: CodeSchemes
) -> EventRow | list[ItemProblem]:
    """One line of a file as an event row, or its problems."""
    try:
        item = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return [ItemProblem(line_number, "", f"malformed JSON: {exc}")]
    row = clean_item_row(item, code_schemes)
    if row is not None:
        return row
    parsed = parse_item(item, line_number, code_schemes)
    if isinstance(parsed, list):
        return parsed
    place = parsed.location
    return (
        fingerprint(parsed), parsed.tracking_number, parsed.partner, parsed.code_scheme,
        parsed.raw_code, parsed.raw_text, parsed.occurred_at, parsed.occurred_zone,
        place.facility, place.city, place.region, place.postal_code, place.country,
    )  # fmt: skip


def file_error(problems: list[ItemProblem]) -> InvalidInput:
    first = problems[0]
    where = f"line {first.index}" + (f": {first.field}" if first.field else "")
    return InvalidInput(
        f"{where}: {first.message}",
        problems=[
            FieldProblem(f"line {p.index}" + (f".{p.field}" if p.field else ""), p.message, p.code)
            for p in problems
        ],
    )


def copy_block(
    task: tuple[int, list[bytes]], code_schemes: CodeSchemes
) -> tuple[int, int, bytes, list[ItemProblem]]:
    """A block of lines as (lines read, events, the events as COPY text of
    ``import_repository.PARSED_COLUMNS``, the problems of its bad lines)."""
    first, block = task
    out: list[str] = []
    problems: list[ItemProblem] = []
    for line_number, line in enumerate(block, start=first):
        if not line.strip():
            continue
        parsed = parse_line(line_number, line, code_schemes)
        if isinstance(parsed, list):
            problems.extend(parsed)
        else:
            out.append(_copy_line(line_number, parsed))
    return len(block), len(out), "".join(out).encode("utf-8"), problems


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_line(line_number: int, row: EventRow) -> str:
    (key, number, partner, scheme, code, text, occurred_at, zone, facility, city, region,
     postal_code, country) = row  # fmt: skip
    fields = [key, number, partner, scheme, code, text, occurred_at.isoformat(), zone,
              facility, city, region, postal_code, country]  # fmt: skip
    given = "".join([f for f in fields if f is not None])
    if "\\" in given or "\t" in given or "\n" in given or "\r" in given:
        fields = [None if f is None else f.translate(_COPY_ESCAPES) for f in fields]
    line = "\t".join(["\\N" if f is None else f for f in fields])
    return f"{line_number}\t{line}\n"


def ingest_copied(
    *, database: Database, copy_text: bytes, received: int, now: datetime | None = None
) -> IngestCounts:
    """Ingest one chunk of ``received`` events given as ``copy_block`` text, in one unit of
    work: stage, insert the new ones, settle their trackers, commit."""
    now = now or utc_now()
    with database.unit_of_work() as uow:
        imports = ImportRepository(uow.session)
        imports.stage_parsed(copy_text)
        new = [_event_of(row) for row in imports.insert_new_events(received_at=now)]
        counts = IngestCounts(received=received, accepted=len(new))
        counts.duplicates = received - len(new)
        if new:
            repo = TrackingRepository(uow.session)
            settle_new_events(uow, repo, new, counts, now=now, stored_counts=imports.stored_counts)
        imports.close()
        uow.commit()
    return counts


@lru_cache(maxsize=4096)
def _mapped(scheme: str, code: str) -> MappedCode:
    return map_event(scheme, code)


def _event_of(row: Sequence[Any]) -> tuple[str, TrackingEvent]:
    """``repository.event_from_values`` for the rows just inserted (naive UTC times), with the
    code lookup cached: this runs once per new event."""
    (key, number, partner, scheme, code, text, occurred_at, zone, facility, city, region,
     postal_code, country) = row  # fmt: skip
    mapped = _mapped(scheme, code)
    return key, TrackingEvent(
        tracking_number=number,
        partner=partner,
        code_scheme=scheme,
        raw_code=code,
        raw_text=text,
        occurred_at=occurred_at.replace(tzinfo=UTC),
        occurred_zone=zone,
        location=Location(facility, city, region, postal_code, country),
        status=mapped.status,
        reason=mapped.reason,
        milestone=mapped.milestone,
        action=mapped.action,
        is_mapped=mapped.is_mapped,
    )
