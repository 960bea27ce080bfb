"""Bulk capture, main-process side: a CSV file read into chunks of whole parcels.

Each chunk carries its records' raw text, so workers receive one string per chunk and parse it
themselves; cutting records costs the writer only csv.reader's own work.

Files come as merchants' tools save them: the encoding is detected (UTF-8 with or without a
BOM, UTF-16 with one, or the GBK that Chinese Excel saves, see ``detect_encoding``; any other
is refused with how to save as "CSV UTF-8"), and so is the delimiter (comma, semicolon or tab,
from the header). ``inspect_csv`` makes these checks, and
the header's, once per file before anything is booked.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from pathlib import Path
from typing import BinaryIO, TextIO

import charset_normalizer

from postbridge.bulk.csv_format import SHIPMENT_COLUMNS, CsvHeaderError, Layout
from postbridge.kit.clock import utc_now
from postbridge.kit.timing import StageClock

CHUNK_ROWS = 1000

SAVE_AS_UTF8 = (
    'save it as "CSV UTF-8": in Excel, File > Save As > "CSV UTF-8 (Comma delimited) (*.csv)"; '
    'in WPS or LibreOffice choose the character set "UTF-8"'
)
DELIMITERS = (",", ";", "\t")
# Chinese Excel saves in the system code page, GBK (GB2312 before it): such files are read as
# GB18030, their superset. Other legacy code pages are refused with how to save as UTF-8.
_GB_FAMILY = frozenset({"gb2312", "gbk", "gb18030"})
_SAMPLE_BYTES = 1 << 20
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))  # fmt: skip


def detect_encoding(binary: BinaryIO) -> str:
    """The codec to read ``binary`` (positioned at its start) with; reads it to the end.

    UTF-8 (and UTF-16 or UTF-32 with a BOM, Excel's "Unicode text") is checked over the whole
    file, so a stray byte deep in it cannot surface half-way through booking. Otherwise the
    file is read as GB18030 when, in a megabyte of whole lines around its first byte that is
    not UTF-8, charset-normalizer finds the GB family, or the bytes have GB2312's structure
    (pairs of bytes from 0xA1), which text of a Western code page lacks (an accented letter is
    followed by an ASCII one): charset-normalizer alone takes a file whose only Chinese is a
    few two-character names for Korean or Japanese. CsvHeaderError otherwise, saying how to
    save the file as UTF-8.
    """
    head = binary.read(len(codecs.BOM_UTF32_LE))
    encoding = next((name for bom, name in _BOMS if head.startswith(bom)), "utf-8-sig")
    if encoding != "utf-8-sig":
        _check_decodes(binary, encoding)
        return encoding
    bad = _first_undecodable(binary, "utf-8")
    if bad is None:
        return encoding
    sample = _lines_around(binary, bad)
    best = charset_normalizer.from_bytes(sample).best()
    name = codecs.lookup(best.encoding).name if best is not None else ""
    if name not in _GB_FAMILY and not _gb2312_shaped(sample):
        raise CsvHeaderError(f"the file is neither UTF-8 nor GBK; {SAVE_AS_UTF8}")
    _check_decodes(binary, "gb18030")
    return "gb18030"


def _first_undecodable(binary: BinaryIO, encoding: str) -> int | None:
    """The offset of the first byte of ``binary`` that ``encoding`` cannot decode, or None."""
    binary.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    for block in iter(lambda: binary.read(_SAMPLE_BYTES), b""):
        pending = len(decoder.getstate()[0])  # bytes of a character cut by the last block
        try:
            decoder.decode(block)
        except UnicodeDecodeError as exc:
            return offset - pending + exc.start
        offset += len(block)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return offset
    return None


def _lines_around(binary: BinaryIO, offset: int) -> bytes:
    """About a megabyte of whole lines of ``binary`` from shortly before ``offset``."""
    start = max(offset - 4096, 0)
    binary.seek(start)
    sample = binary.read(_SAMPLE_BYTES)
    if start:
        sample = sample[sample.find(b"\n") + 1 :]
    if len(sample) >= _SAMPLE_BYTES - 4096 and b"\n" in sample:
        sample = sample[: sample.rfind(b"\n") + 1]
    return sample


def _gb2312_shaped(sample: bytes) -> bool:
    try:
        sample.decode("gb2312")
    except UnicodeDecodeError:
        return False
    return True


def _decodes(binary: BinaryIO, encoding: str) -> bool:
    return _first_undecodable(binary, encoding) is None


def _check_decodes(binary: BinaryIO, encoding: str) -> None:
    if not _decodes(binary, encoding):
        raise CsvHeaderError(f"the file is not {encoding.upper()} throughout; {SAVE_AS_UTF8}")


def detect_delimiter(header_line: str) -> str:
    """Comma, semicolon or tab: the one that splits the header into the most known columns
    (a header is column names, so this needs no guess from the data; comma on a tie)."""
    best, known = ",", -1
    for delimiter in DELIMITERS:
        names = next(csv.reader([header_line], delimiter=delimiter), [])
        count = sum(_known_column(name) for name in names)
        if count > known:
            best, known = delimiter, count
    return best


def _known_column(name: str) -> bool:
    name = name.strip().lstrip("\ufeff").lower()
    return name in SHIPMENT_COLUMNS or (name.startswith("item") and "_" in name)


@dataclass(frozen=True, slots=True)
class CsvFile:
    """What ``inspect_csv`` found: how to read the file, and its header's layout."""

    encoding: str
    delimiter: str
    layout: Layout


def inspect_csv(path: Path) -> CsvFile:
    """The file-level checks, once per file and before booking: a known encoding, a header of
    known columns with every required one, and at least one row. CsvHeaderError (an
    InvalidInput naming the column, or ``file``) otherwise."""
    with path.open("rb") as binary:
        if not binary.read(1):
            raise CsvHeaderError("the file is empty: expected a header row")
        binary.seek(0)
        encoding = detect_encoding(binary)
    with path.open(newline="", encoding=encoding) as handle:
        chunker = CsvChunker(handle, encoding=encoding)
        header = chunker.header()
        if header is None:
            raise CsvHeaderError("the file is empty: expected a header row")
        layout = Layout.from_header(header)
        if not chunker.has_rows(layout):
            raise CsvHeaderError("the file has a header but no rows")
    return CsvFile(encoding=encoding, delimiter=chunker.delimiter, layout=layout)


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

    __slots__ = ("_handle", "lines", "dropped", "_first")

    def __init__(self, handle: TextIO) -> None:
        self._handle = handle
        self.lines: list[str] = []  # lines read and not yet cut into a chunk
        self.dropped = 0  # lines cut before lines[0]
        self._first: list[str] | None = None  # the first block, read early by first_line

    def first_line(self) -> str:
        """The file's first line, without consuming it from ``stream``."""
        if self._first is None:
            self._first = self._handle.readlines(_BLOCK_CHARS)
        return self._first[0] if self._first else ""

    def _blocks(self) -> Iterator[list[str]]:
        if self._first:
            self.lines.extend(self._first)
            yield self._first
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

    def __init__(self, handle: TextIO, *, encoding: str | None = None) -> None:
        if encoding is None:
            encoding = _reread_in_its_encoding(handle)
        self.encoding = encoding
        self._lines = _BufferedLines(handle)
        self.delimiter = detect_delimiter(self._lines.first_line())
        self._reader = csv.reader(self._lines.stream(), delimiter=self.delimiter)

    def header(self) -> list[str] | None:
        row = next(self._reader, None)
        self._lines.drop(self._reader.line_num)
        return row

    def has_rows(self, layout: Layout) -> bool:
        """Whether a record with a known cell follows (reads up to it: for ``inspect_csv``)."""
        known = tuple(layout.index.values())
        return any(
            any(record[i].strip() for i in known if i < len(record)) for record in self._reader
        )

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
                    text = self._as_commas(lines.cut(end_of_previous))
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
            text = self._as_commas(lines.cut(reader.line_num))
            if clock:
                clock.add("parse", clock.timer() - started)
            yield ChunkTask(first, row_number, text, utc_now())

    def _as_commas(self, text: str) -> str:
        """A chunk's text as comma-separated records, which workers parse (a second parse,
        for semicolon and tab files only)."""
        if self.delimiter == ",":
            return text
        buffer = io.StringIO()
        records = csv.reader(io.StringIO(text, newline=""), delimiter=self.delimiter)
        csv.writer(buffer, lineterminator="\n").writerows(records)
        return buffer.getvalue()


def _reread_in_its_encoding(handle: TextIO) -> str:
    """Detect the encoding of the file under ``handle`` (a text handle over a seekable file,
    nothing read from it yet) and read it in that encoding from now on."""
    if not isinstance(handle, io.TextIOWrapper) or not handle.buffer.seekable():
        return handle.encoding or "utf-8"
    binary = handle.buffer
    start = binary.tell()
    encoding = detect_encoding(binary)
    binary.seek(start)
    if codecs.lookup(encoding).name != codecs.lookup(handle.encoding).name:
        handle.reconfigure(encoding=encoding)
    return encoding
