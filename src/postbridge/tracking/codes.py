"""Partner event codes mapped to the status model, from the code tables shipped as data.

One CSV per code scheme under ``tracking/data/code_tables/`` (``upu.csv``: UPU EMSEVT item
events used by every post; ``usps.csv``: USPS Pub 199 scan events). Each row gives the code,
its status, reason, milestone, who must act, the partner's own wording and the source of the
row. A new scheme is a new file; nothing in this module names a scheme.

An unmapped code is never guessed: ``map_event`` answers ``unknown`` with ``is_mapped`` False
and the raw code kept, so the pipeline stores it, counts it and shows it to operators
(turning what we do not know into "in transit" would hide exactly the events that need a
human). A row that names a status, reason, milestone or action outside the vocabulary fails
the load, so a typo in a table is a startup error and not a silently wrong status.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

from postbridge.tracking.model import (
    ActionRequired,
    MappedCode,
    Milestone,
    Reason,
    TrackingStatus,
)

_TABLES = ("data", "code_tables")
_COLUMNS = ("code", "status", "reason", "milestone", "action", "description", "source")


class CodeTableError(ValueError):
    """A code table row that does not fit the vocabulary (a packaging bug, not user input)."""


@dataclass(frozen=True, slots=True)
class CodeRow:
    scheme: str
    code: str
    status: TrackingStatus
    reason: Reason | None
    milestone: Milestone | None
    action: ActionRequired
    description: str
    source: str


def normalize_code(code: str) -> str:
    """Codes compare without surrounding blanks and case: ``" ema"`` is ``EMA``."""
    return code.strip().upper()


@cache
def code_schemes() -> tuple[str, ...]:
    """Names of the packaged schemes (file names without ``.csv``), sorted."""
    folder = resources.files("postbridge.tracking").joinpath(*_TABLES)
    return tuple(sorted(item.name[:-4] for item in folder.iterdir() if item.name.endswith(".csv")))


@cache
def load_code_table(scheme: str) -> dict[str, CodeRow]:
    """The rows of one scheme keyed by normalised code.

    Raises:
        KeyError: no table for ``scheme``.
        CodeTableError: a malformed row, a duplicate code or a value outside the vocabulary.
    """
    if scheme not in code_schemes():
        raise KeyError(f"no code table for scheme {scheme!r}; known: {', '.join(code_schemes())}")
    text = (
        resources.files("postbridge.tracking")
        .joinpath(*_TABLES, f"{scheme}.csv")
        .read_text(encoding="utf-8")
    )
    return parse_code_table(scheme, text)


def parse_code_table(scheme: str, text: str) -> dict[str, CodeRow]:
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != _COLUMNS:
        raise CodeTableError(f"{scheme}: columns must be {', '.join(_COLUMNS)}")
    rows: dict[str, CodeRow] = {}
    for line_number, record in enumerate(reader, start=2):
        where = f"{scheme}.csv line {line_number}"
        try:
            row = CodeRow(
                scheme=scheme,
                code=normalize_code(record["code"]),
                status=TrackingStatus(record["status"]),
                reason=Reason(record["reason"]) if record["reason"] else None,
                milestone=Milestone(record["milestone"]) if record["milestone"] else None,
                action=ActionRequired(record["action"]),
                description=record["description"].strip(),
                source=record["source"].strip(),
            )
        except (ValueError, AttributeError) as exc:
            raise CodeTableError(f"{where}: {exc}") from exc
        if not row.code or not row.source:
            raise CodeTableError(f"{where}: code and source are required")
        if row.status is TrackingStatus.UNKNOWN:
            raise CodeTableError(f"{where}: a table maps codes; 'unknown' is for absent codes")
        if row.code in rows:
            raise CodeTableError(f"{where}: duplicate code {row.code}")
        rows[row.code] = row
    return rows


def map_event(scheme: str, code: str) -> MappedCode:
    """Our meaning of a partner code; unknown codes (or schemes) come back unmapped.

    An unknown scheme is treated like an unknown code rather than an error: the event is
    still worth storing, and the operator view shows which scheme lacks a table.
    """
    normalized = normalize_code(code)
    table = load_code_table(scheme) if scheme in code_schemes() else {}
    row = table.get(normalized)
    if row is None:
        return MappedCode(
            scheme=scheme,
            code=normalized,
            status=TrackingStatus.UNKNOWN,
            reason=None,
            milestone=None,
            action=ActionRequired.OPERATOR,
            is_mapped=False,
        )
    return MappedCode(
        scheme=scheme,
        code=normalized,
        status=row.status,
        reason=row.reason,
        milestone=row.milestone,
        action=row.action,
        is_mapped=True,
    )
