"""Bulk capture, main-process side: a CSV file read into chunks of whole parcels.

Each chunk carries its records' raw text, so workers receive one string per chunk and parse it
themselves; cutting records costs the writer only csv.reader's own work.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TextIO

from postbridge.kit.clock import utc_now
from postbridge.kit.timing import StageClock
from postbridge.shipments.csv_format import Layout

CHUNK_ROWS = 1000


@dataclass(frozen=True, slots=True)
class ChunkTask:
    """Whole parcels of the file: their records' raw text and line numbers."""

    first_row: int
    last_row: int  # the batch's high-water mark once this chunk commits
    text: str
    booked_at: datetime


class _RecordingLines:
    """The file's lines, remembering the ones csv.reader took, so a chunk can be sent as the
    file's own text (one string) rather than as parsed cells."""

    __slots__ = ("_lines", "taken")

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = iter(lines)
        self.taken: list[str] = []

    def __iter__(self) -> _RecordingLines:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.taken.append(line)
        return line


class CsvChunker:
    """Reads a CSV file (opened with ``newline=""``) record by record into ``ChunkTask``s.

    Records are cut exactly as csv.reader cuts them (quoted fields may hold newlines). A chunk
    never splits a parcel: it ends before a record that starts a new parcel, so parcels given
    one row per item stay whole.
    """

    def __init__(self, handle: TextIO) -> None:
        self._lines = _RecordingLines(handle)
        self._reader = csv.reader(self._lines)

    def header(self) -> list[str] | None:
        row = next(self._reader, None)
        self._lines.taken.clear()
        return row

    def tasks(
        self,
        layout: Layout,
        *,
        resume_after: int,
        chunk_rows: int = CHUNK_ROWS,
        clock: StageClock | None = None,
    ) -> Iterator[ChunkTask]:
        """Chunks of records after line ``resume_after`` (the header is line 1)."""
        taken = self._lines.taken
        reference_at = layout.index["reference"]
        known = tuple(layout.index.values())
        row_number, first, count, previous_end = 1, 0, 0, 0
        last_reference = ""
        started = clock.timer() if clock else 0.0
        for record in self._reader:
            row_number += 1
            if row_number <= resume_after:
                taken.clear()
                continue
            reference = record[reference_at].strip() if reference_at < len(record) else ""
            blank = not reference and not any(record[i].strip() for i in known if i < len(record))
            continues = blank or (reference != "" and reference == last_reference)
            if count >= chunk_rows and not continues:
                text = "".join(taken[:previous_end])
                del taken[:previous_end]
                if clock:
                    clock.add("parse", clock.timer() - started)
                yield ChunkTask(first, row_number - 1, text, utc_now())
                started = clock.timer() if clock else 0.0
                count = 0
            if count == 0:
                first = row_number
            count += 1
            previous_end = len(taken)
            if not blank:
                last_reference = reference
        if count:
            text = "".join(taken)
            taken.clear()
            if clock:
                clock.add("parse", clock.timer() - started)
            yield ChunkTask(first, row_number, text, utc_now())
