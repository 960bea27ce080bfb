"""Bulk capture, main-process side: a CSV file read into chunks of whole parcels.

Each chunk carries its records' raw text, so workers receive one string per chunk and parse it
themselves; cutting records costs the writer only csv.reader's own work.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import TextIO

from postbridge.bulk.csv_format import Layout
from postbridge.kit.clock import utc_now
from postbridge.kit.timing import StageClock

CHUNK_ROWS = 1000


@dataclass(frozen=True, slots=True)
class ChunkTask:
    """Whole parcels of the file: their records' raw text and line numbers."""

    first_row: int
    last_row: int  # the batch's high-water mark once this chunk commits
    text: str
    booked_at: datetime


_BLOCK_CHARS = 1 << 20


class _BufferedLines:
    """The file's lines, read a block at a time and kept until the chunker has cut them, so a
    chunk can be sent as the file's own text (one string) rather than as parsed cells.

    ``stream`` hands csv.reader the lines through itertools.chain, so reading a line costs no
    Python call; ``csv.reader.line_num`` then says how many of them the records took.
    """

    __slots__ = ("_handle", "lines", "dropped")

    def __init__(self, handle: TextIO) -> None:
        self._handle = handle
        self.lines: list[str] = []  # lines read and not yet cut into a chunk
        self.dropped = 0  # lines cut before lines[0]

    def _blocks(self) -> Iterator[list[str]]:
        while True:
            block = self._handle.readlines(_BLOCK_CHARS)
            if not block:
                return
            self.lines.extend(block)
            yield block

    def stream(self) -> Iterator[str]:
        return chain.from_iterable(self._blocks())

    def cut(self, line_count: int) -> str:
        """The text of the file's lines up to ``line_count`` (counted from the file's start)
        that were not cut yet."""
        text = "".join(self.lines[: line_count - self.dropped])
        self.drop(line_count)
        return text

    def drop(self, line_count: int) -> None:
        """Forget the lines up to ``line_count`` (lines of a resumed run's committed chunks)."""
        del self.lines[: line_count - self.dropped]
        self.dropped = line_count


class CsvChunker:
    """Reads a CSV file (opened with ``newline=""``) record by record into ``ChunkTask``s.

    Records are cut exactly as csv.reader cuts them (quoted fields may hold newlines). A chunk
    never splits a parcel: it ends before a record that starts a new parcel, so parcels given
    one row per item stay whole. Only records at a chunk's end are looked into; the others
    cost csv.reader's own work and a few comparisons.
    """

    def __init__(self, handle: TextIO) -> None:
        self._lines = _BufferedLines(handle)
        self._reader = csv.reader(self._lines.stream())

    def header(self) -> list[str] | None:
        row = next(self._reader, None)
        self._lines.drop(self._reader.line_num)
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
        reader, lines = self._reader, self._lines
        reference_at = layout.index["reference"]
        known = tuple(layout.index.values())
        row_number, first, count = 1, 0, 0
        last_reference = ""
        end_of_previous = reader.line_num  # physical lines taken by the records before this one
        started = clock.timer() if clock else 0.0
        for record in reader:
            row_number += 1
            if row_number <= resume_after:
                end_of_previous = reader.line_num
                if row_number % chunk_rows == 0 or row_number == resume_after:
                    lines.drop(end_of_previous)
                continue
            reference = record[reference_at] if reference_at < len(record) else ""
            if count >= chunk_rows:
                reference = reference.strip()
                blank = not reference and not any(
                    record[i].strip() for i in known if i < len(record)
                )
                # A blank record or another row of the same parcel stays in this chunk.
                if not blank and reference != last_reference:
                    text = lines.cut(end_of_previous)
                    if clock:
                        clock.add("parse", clock.timer() - started)
                    yield ChunkTask(first, row_number - 1, text, utc_now())
                    started = clock.timer() if clock else 0.0
                    count = 0
            if count == 0:
                first = row_number
            count += 1
            end_of_previous = reader.line_num
            if reference:
                # Only compared for equality at a chunk's end: a record without a reference
                # keeps the last one, which at worst lets a chunk take one parcel more.
                last_reference = reference.strip()
        if count:
            text = lines.cut(reader.line_num)
            if clock:
                clock.add("parse", clock.timer() - started)
            yield ChunkTask(first, row_number, text, utc_now())
