"""The PostgreSQL queries of a file import (``tracking.bulk_ingest``): events parsed by the
import's workers copied, already in COPY's text format, into a staging table; the new ones
inserted in one statement that deduplicates within the chunk and against the store; the
stored event counts of the touched numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from postbridge.tracking.models import TrackingEventRow

_events = cast(Table, TrackingEventRow.__table__)

PARSED = "tracking_import_events"
PARSED_COLUMNS = (
    "line_no", "fingerprint", "tracking_number", "partner", "code_scheme", "raw_code",
    "raw_text", "occurred_at", "occurred_zone", "facility", "city", "region", "postal_code",
    "country",
)  # fmt: skip
_EVENT_COLUMNS = PARSED_COLUMNS[1:]

# The staging table empties itself at each commit: a chunk is one transaction.
_CREATE = (
    f"CREATE TEMPORARY TABLE IF NOT EXISTS {PARSED} (line_no integer, fingerprint text, "
    "tracking_number text, partner text, code_scheme text, raw_code text, raw_text text, "
    "occurred_at timestamptz, occurred_zone text, facility text, city text, region text, "
    "postal_code text, country text) ON COMMIT DELETE ROWS",
)

_INSERT_NEW = f"""
WITH chosen AS (
    SELECT DISTINCT ON (fingerprint) * FROM {PARSED} ORDER BY fingerprint, line_no
), inserted AS (
    -- In key order: two imports of overlapping files then wait on each other's keys in the
    -- same order instead of deadlocking.
    INSERT INTO {_events.name} ({", ".join(_EVENT_COLUMNS)}, received_at)
    SELECT {", ".join(_EVENT_COLUMNS)}, %(received_at)s FROM chosen ORDER BY fingerprint
    ON CONFLICT (fingerprint) DO NOTHING RETURNING fingerprint
)
SELECT {", ".join(_EVENT_COLUMNS).replace("occurred_at", "occurred_at AT TIME ZONE 'UTC'")}
FROM chosen JOIN inserted USING (fingerprint) ORDER BY line_no
"""


class ImportRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._cursor: Any = None

    def _driver_cursor(self) -> Any:
        if self._cursor is None:
            connection = self.session.connection().connection.driver_connection
            self._cursor = connection.cursor()  # type: ignore[union-attr]
            for statement in _CREATE:
                self._cursor.execute(statement)
        return self._cursor

    def stage_parsed(self, copy_text: bytes) -> None:
        """COPY events parsed by ``bulk_ingest.copy_block``: lines of ``PARSED_COLUMNS`` in
        COPY's text format."""
        if copy_text:
            cursor = self._driver_cursor()
            with cursor.copy(f"COPY {PARSED} ({', '.join(PARSED_COLUMNS)}) FROM STDIN") as copy:
                copy.write(copy_text)

    def insert_new_events(self, *, received_at: datetime) -> list[tuple[Any, ...]]:
        """Store the parsed events not stored yet (the first line of each fingerprint); their
        rows in line order (``EVENT_COLUMNS`` without the received time, naive UTC times)."""
        cursor = self._driver_cursor()
        cursor.execute(_INSERT_NEW, {"received_at": received_at})
        rows: list[tuple[Any, ...]] = cursor.fetchall()
        return rows

    def stored_counts(self, numbers: Sequence[str]) -> dict[str, int]:
        """How many events are stored under each of ``numbers`` (absent: none)."""
        cursor = self._driver_cursor()
        cursor.execute(
            f"SELECT tracking_number, count(*) FROM {_events.name} "
            "WHERE tracking_number = ANY(%s) GROUP BY tracking_number",
            (list(numbers),),
        )
        return dict(cursor.fetchall())

    def close(self) -> None:
        if self._cursor is not None:
            self._cursor.close()
            self._cursor = None
