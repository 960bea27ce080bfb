"""Every query of tracking: the event store, trackers, unmapped-code counts, and the few
shipment columns tracking reads and moves (number, merchant, booking time, status, promise).

The ingestion path works in whole chunks: one lookup of the fingerprints already stored, one
executemany of the new events (``ON CONFLICT DO NOTHING`` on both databases, so a concurrent
import of the same file cannot fail on the key), one query of the touched trackers and one of
their events, one executemany of the new states. Nothing here builds an ORM object per event.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Dialect, Table, bindparam, delete, or_, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from postbridge.shipments.models import Shipment
from postbridge.tracking.codes import map_event
from postbridge.tracking.model import Location, TrackingEvent
from postbridge.tracking.models import Tracker, TrackingEventRow, UnmappedCode

_events = cast(Table, TrackingEventRow.__table__)
_trackers = cast(Table, Tracker.__table__)
_unmapped = cast(Table, UnmappedCode.__table__)
_shipments = cast(Table, Shipment.__table__)

EVENT_COLUMNS = (
    "fingerprint", "tracking_number", "partner", "code_scheme", "raw_code", "raw_text",
    "occurred_at", "occurred_zone", "facility", "city", "region", "postal_code", "country",
    "received_at",
)  # fmt: skip
_STAGING = "tracking_events_staging"
# Parameters per IN list: well under SQLite's 32,766 and PostgreSQL's 65,535 per statement.
IN_BATCH = 5000


@dataclass(frozen=True, slots=True)
class ShipmentLink:
    shipment_id: str
    merchant_id: str
    tracking_number: str
    partner_tracking_number: str | None
    partner: str | None
    status: str
    booked_at: datetime
    promised_p50: date | None = None
    promised_p90: date | None = None


def _batches(values: Sequence[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), IN_BATCH):
        yield list(values[start : start + IN_BATCH])


@lru_cache(maxsize=8)
def _event_insert(dialect: Dialect) -> str:
    marker = {"qmark": "?", "format": "%s", "pyformat": "%s"}.get(dialect.paramstyle)
    if marker is None:
        raise NotImplementedError(f"parameter style {dialect.paramstyle!r}")
    return (
        f"INSERT INTO {_events.name} ({', '.join(EVENT_COLUMNS)}) "
        f"VALUES ({', '.join([marker] * len(EVENT_COLUMNS))}) "
        "ON CONFLICT (fingerprint) DO NOTHING"
    )


def _dialect_insert(session: Session, table: Table) -> Any:
    """INSERT with ``on_conflict_*`` for the session's database (same SQL on both)."""
    name = session.get_bind().dialect.name
    return (postgresql.insert if name == "postgresql" else sqlite.insert)(table)


def _utc(value: datetime | str) -> datetime:
    """A stored time as aware UTC: SQLite gives text, PostgreSQL an aware datetime."""
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def event_from_values(row: Sequence[Any]) -> TrackingEvent:
    """A stored event (``EVENT_COLUMNS`` order) with its code mapped through today's tables."""
    (_, number, partner, scheme, code, text, occurred_at, zone, facility, city, region,
     postal_code, country) = row[:13]  # fmt: skip
    mapped = map_event(scheme, code)
    return TrackingEvent(
        tracking_number=number,
        partner=partner,
        code_scheme=scheme,
        raw_code=code,
        raw_text=text,
        occurred_at=_utc(occurred_at),
        occurred_zone=zone,
        location=Location(facility, city, region, postal_code, country),
        status=mapped.status,
        reason=mapped.reason,
        milestone=mapped.milestone,
        action=mapped.action,
        is_mapped=mapped.is_mapped,
    )


class TrackingRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- the event store ------------------------------------------------------------------

    def existing_fingerprints(self, fingerprints: Sequence[str]) -> set[str]:
        found: set[str] = set()
        connection = self.session.connection()
        for batch in _batches(fingerprints):
            if connection.dialect.name == "postgresql":
                sql = f"SELECT fingerprint FROM {_events.name} WHERE fingerprint = ANY(%s)"
                rows = connection.exec_driver_sql(sql, (batch,))
            else:
                marks = ", ".join("?" * len(batch))
                sql = f"SELECT fingerprint FROM {_events.name} WHERE fingerprint IN ({marks})"
                rows = connection.exec_driver_sql(sql, tuple(batch))
            found.update(row[0] for row in rows)
        return found

    def append_events(
        self, events: Sequence[tuple[str, TrackingEvent]], *, received_at: datetime
    ) -> list[tuple[str, TrackingEvent]]:
        """Store the (fingerprint, event) pairs not stored yet; returns those it stored.

        PostgreSQL: COPY into a temporary staging table, then one INSERT ... SELECT ... ON
        CONFLICT DO NOTHING RETURNING fingerprint, so the database deduplicates and says what
        was new in one statement (COPY costs a fraction of a pipelined executemany per row).
        SQLite: one lookup of the fingerprints already stored, one executemany of the rest.
        """
        if not events:
            return []
        if self.session.connection().dialect.name == "postgresql":
            return self._append_by_copy(events, received_at=received_at)
        stored = self.existing_fingerprints([key for key, _ in events])
        new = [(key, event) for key, event in events if key not in stored]
        self.insert_events(new, received_at=received_at)
        return new

    def _append_by_copy(
        self, events: Sequence[tuple[str, TrackingEvent]], *, received_at: datetime
    ) -> list[tuple[str, TrackingEvent]]:
        cursor = self.session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
        columns = ", ".join(EVENT_COLUMNS)
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {_STAGING} "
            f"(LIKE {_events.name} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        with cursor.copy(f"COPY {_STAGING} ({columns}) FROM STDIN") as copy:
            for key, e in events:
                place = e.location
                copy.write_row((
                    key, e.tracking_number, e.partner, e.code_scheme, e.raw_code, e.raw_text,
                    e.occurred_at, e.occurred_zone, place.facility, place.city, place.region,
                    place.postal_code, place.country, received_at,
                ))  # fmt: skip
        cursor.execute(
            # In key order: two imports of overlapping files then wait on each other's keys
            # in the same order instead of deadlocking.
            f"INSERT INTO {_events.name} ({columns}) SELECT {columns} FROM {_STAGING} "
            "ORDER BY fingerprint ON CONFLICT (fingerprint) DO NOTHING RETURNING fingerprint"
        )
        stored = {row[0] for row in cursor.fetchall()}
        cursor.execute(f"DELETE FROM {_STAGING}")  # the next chunk of this transaction
        cursor.close()
        return [(key, event) for key, event in events if key in stored]

    def insert_events(
        self, events: Sequence[tuple[str, TrackingEvent]], *, received_at: datetime
    ) -> None:
        """One executemany of (fingerprint, event) pairs; a fingerprint already stored (by a
        concurrent import) is skipped by the database."""
        if not events:
            return
        connection = self.session.connection()
        process = _events.c.occurred_at.type._cached_bind_processor(connection.dialect)
        convert = process or (lambda moment: moment)
        received = convert(received_at)
        rows = [
            (
                key, e.tracking_number, e.partner, e.code_scheme, e.raw_code, e.raw_text,
                convert(e.occurred_at), e.occurred_zone, e.location.facility, e.location.city,
                e.location.region, e.location.postal_code, e.location.country, received,
            )
            for key, e in events
        ]  # fmt: skip
        connection.exec_driver_sql(_event_insert(connection.dialect), rows)

    def events_for_numbers(
        self, numbers: Iterable[str], *, known: Mapping[str, TrackingEvent] | None = None
    ) -> dict[str, list[tuple[str, TrackingEvent]]]:
        """The stored events of ``numbers`` with their fingerprints, by number; rows whose
        fingerprint is in ``known`` (the chunk just inserted) reuse that event.

        Read through the driver, not Core: this is the hot read of every chunk (each touched
        parcel's whole history), and Core's row processing cost more than the query.
        """
        known = known or {}
        by_number: dict[str, list[tuple[str, TrackingEvent]]] = {}
        connection = self.session.connection()
        postgres = connection.dialect.name == "postgresql"
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        columns = ", ".join(EVENT_COLUMNS[:-1])
        for batch in _batches(sorted(set(numbers))):
            if postgres:
                # Naive UTC: cheaper to read than an aware datetime in the session's zone.
                utc_columns = columns.replace(
                    "occurred_at", "occurred_at AT TIME ZONE 'UTC' AS occurred_at"
                )
                sql = f"SELECT {utc_columns} FROM {_events.name} WHERE tracking_number = ANY(%s)"
                cursor.execute(sql, (batch,))
            else:
                marks = ", ".join("?" * len(batch))
                sql = f"SELECT {columns} FROM {_events.name} WHERE tracking_number IN ({marks})"
                cursor.execute(sql, tuple(batch))
            for row in cursor.fetchall():
                event = known.get(row[0]) or event_from_values(row)
                by_number.setdefault(row[1], []).append((row[0], event))
        cursor.close()
        return by_number

    def add_unmapped(
        self, counts: Mapping[tuple[str, str], tuple[str, int, str]], *, now: datetime
    ) -> None:
        """Add to the per (partner, code) counts: ``counts`` maps the pair to (scheme, how
        many new events, an example text)."""
        if not counts:
            return
        insert = _dialect_insert(self.session, _unmapped)
        statement = insert.on_conflict_do_update(
            index_elements=["partner", "code"],
            set_={
                "event_count": _unmapped.c.event_count + insert.excluded.event_count,
                "last_seen_at": insert.excluded.last_seen_at,
            },
        )
        rows = [
            {
                "partner": partner, "code": code, "code_scheme": scheme, "event_count": count,
                "example_text": example[:200], "first_seen_at": now, "last_seen_at": now,
            }
            for (partner, code), (scheme, count, example) in sorted(counts.items())
        ]  # fmt: skip
        self.session.execute(statement, rows)

    def unmapped_codes(self, *, limit: int) -> list[UnmappedCode]:
        query = (
            select(UnmappedCode)
            .order_by(UnmappedCode.event_count.desc(), UnmappedCode.partner, UnmappedCode.code)
            .limit(limit)
        )
        return list(self.session.scalars(query))

    # -- shipments ------------------------------------------------------------------------

    def shipments_for_numbers(self, numbers: Sequence[str]) -> list[ShipmentLink]:
        """Shipments whose tracking number or partner tracking number is among ``numbers``."""
        found: dict[str, ShipmentLink] = {}
        for batch in _batches(numbers):
            query = select(
                _shipments.c.id, _shipments.c.merchant_id, _shipments.c.tracking_number,
                _shipments.c.partner_tracking_number, _shipments.c.partner, _shipments.c.status,
                _shipments.c.created_at, _shipments.c.promised_p50, _shipments.c.promised_p90,
            ).where(
                or_(
                    _shipments.c.tracking_number.in_(batch),
                    _shipments.c.partner_tracking_number.in_(batch),
                )
            )  # fmt: skip
            for row in self.session.execute(query):
                found[row.id] = ShipmentLink(*row)
        return list(found.values())

    def set_shipment_statuses(self, statuses: Mapping[str, str], *, now: datetime) -> None:
        if statuses:
            self.session.connection().execute(
                update(_shipments)
                .where(_shipments.c.id == bindparam("shipment_id"))
                .values(status=bindparam("new_status"), updated_at=now),
                [{"shipment_id": i, "new_status": s} for i, s in sorted(statuses.items())],
            )

    # -- trackers -------------------------------------------------------------------------

    def add_trackers(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert trackers; one that exists (same number and owner) is left as it is."""
        if rows:
            insert = _dialect_insert(self.session, _trackers)
            statement = insert.on_conflict_do_nothing(
                index_elements=["tracking_number", "owner_key"]
            )
            self.session.execute(statement, list(rows))

    def trackers_for_numbers(self, numbers: Sequence[str], *, lock: bool = False) -> list[Any]:
        """Trackers whose tracking or partner number is among ``numbers``, in id order.

        ``lock`` takes their rows FOR UPDATE on PostgreSQL (in id order, so two imports never
        deadlock): the second of two concurrent imports touching one parcel waits, then reads
        the first one's events, so neither overwrites the state with a partial history.
        """
        found: dict[str, Any] = {}
        for batch in _batches(numbers):
            query = (
                select(_trackers)
                .where(
                    or_(
                        _trackers.c.tracking_number.in_(batch),
                        _trackers.c.partner_tracking_number.in_(batch),
                    )
                )
                .order_by(_trackers.c.id)
            )
            if lock:
                query = query.with_for_update()
            for row in self.session.execute(query):
                found[row.id] = row
        return [found[key] for key in sorted(found)]

    def delete_trackers(self, tracker_ids: Sequence[str]) -> None:
        if tracker_ids:
            self.session.execute(delete(_trackers).where(_trackers.c.id.in_(list(tracker_ids))))

    def update_trackers(self, rows: Sequence[dict[str, Any]]) -> None:
        """One executemany; each row has ``tracker_id`` and every state column."""
        if not rows:
            return
        names = [name for name in rows[0] if name != "tracker_id"]
        self.session.connection().execute(
            update(_trackers)
            .where(_trackers.c.id == bindparam("tracker_id"))
            .values({name: bindparam(f"new_{name}") for name in names}),
            [
                {"tracker_id": row["tracker_id"], **{f"new_{n}": row[n] for n in names}}
                for row in rows
            ],
        )

    def tracker(
        self, tracking_number: str, *, merchant_id: str | None, tracked_only: bool = False
    ) -> Any | None:
        """The caller's tracker of a number (tracking or partner number); an operator
        (``merchant_id`` None) gets the booked one first, then a tracked one, then the
        untracked one (unless ``tracked_only``)."""
        query = select(_trackers).where(
            or_(
                _trackers.c.tracking_number == tracking_number,
                _trackers.c.partner_tracking_number == tracking_number,
            )
        )
        if merchant_id is not None:
            query = query.where(_trackers.c.merchant_id == merchant_id)
        elif tracked_only:
            query = query.where(_trackers.c.merchant_id.is_not(None))
        rows = list(self.session.execute(query))
        rows.sort(key=lambda r: (r.shipment_id is None, r.merchant_id is None, r.id))
        return rows[0] if rows else None

    def page(
        self,
        *,
        merchant_id: str | None,
        status: str | None,
        partner: str | None,
        updated_since: datetime | None,
        after: tuple[datetime, str] | None,
        limit: int,
    ) -> list[Any]:
        """Oldest change first, so a client polling with ``updated_since`` never skips one."""
        query = select(_trackers).where(_trackers.c.merchant_id.is_not(None))
        if merchant_id is not None:
            query = query.where(_trackers.c.merchant_id == merchant_id)
        if status:
            query = query.where(_trackers.c.status == status)
        if partner:
            query = query.where(_trackers.c.partner == partner)
        if updated_since:
            query = query.where(_trackers.c.updated_at >= updated_since)
        if after is not None:
            query = query.where(tuple_(_trackers.c.updated_at, _trackers.c.id) > tuple_(*after))
        query = query.order_by(_trackers.c.updated_at, _trackers.c.id).limit(limit)
        return list(self.session.execute(query))

    def exception_candidates(
        self, *, statuses: Sequence[str], reasons: Sequence[str], silent_before: datetime,
        terminal: Sequence[str], after: str | None, limit: int, promised_before: date | None = None,
    ) -> list[Any]:  # fmt: skip
        """Tracked, non-terminal trackers in one of ``statuses``, with one of ``reasons``,
        silent since before ``silent_before`` (the shortest threshold), or booked with a p90
        before ``promised_before`` (late against the promise), in id order."""
        late = select(_shipments.c.id).where(_shipments.c.promised_p90 < promised_before)
        query = select(_trackers).where(
            _trackers.c.merchant_id.is_not(None),
            _trackers.c.status.not_in(list(terminal)),
            or_(
                _trackers.c.status.in_(list(statuses)),
                _trackers.c.reason.in_(list(reasons)),
                _trackers.c.last_event_at < silent_before,
                *([_trackers.c.shipment_id.in_(late)] if promised_before else []),
            ),
        )
        if after is not None:
            query = query.where(_trackers.c.id > after)
        return list(self.session.execute(query.order_by(_trackers.c.id).limit(limit)))

    def promises(self, shipment_ids: Sequence[str]) -> dict[str, tuple[date | None, date | None]]:
        if not shipment_ids:
            return {}
        query = select(_shipments.c.id, _shipments.c.promised_p50, _shipments.c.promised_p90).where(
            _shipments.c.id.in_(list(shipment_ids))
        )
        return {row.id: (row.promised_p50, row.promised_p90) for row in self.session.execute(query)}

    def shipment_for(self, tracking_number: str, *, merchant_id: str | None) -> ShipmentLink | None:
        links = self.shipments_for_numbers([tracking_number])
        mine = [s for s in links if merchant_id is None or s.merchant_id == merchant_id]
        return mine[0] if mine else None
