"""The transactional outbox: events written in the same transaction as the change they report.

The unit of work appends the events a use case recorded when it commits; bulk capture appends
its pre-encoded rows in each chunk's transaction. The worker's relay (jobs.relay) reads the
rows not relayed yet in order of arrival, hands them to the consumers and marks them relayed.
One statement per append (an executemany of pre-encoded tuples), and two indexes (the primary
key and a partial index of the unrelayed rows), so the bulk path pays little for its events.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Dialect,
    Index,
    Integer,
    String,
    Table,
    Text,
    select,
    text,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from postbridge.kit.events import DomainEvent, EventEnvelope, encode_payload
from postbridge.storage.base import Base, UTCDateTime

# A row: (event_id, type, aggregate_key, occurred_at, schema_version, payload text).
EncodedEvent = tuple[str, str, str, datetime, int, str]


class OutboxEvent(Base):
    __tablename__ = "outbox_events"
    __table_args__ = (
        # What the relay scans: only the rows still to relay, so it stays small however long
        # the outbox grows.
        Index(
            "ix_outbox_events_unrelayed",
            "position",
            sqlite_where=text("relayed_at IS NULL"),
            postgresql_where=text("relayed_at IS NULL"),
        ),
    )

    position: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    event_id: Mapped[str] = mapped_column(String(40))
    type: Mapped[str] = mapped_column(String(60))
    aggregate_key: Mapped[str] = mapped_column(String(80))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    schema_version: Mapped[int] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    relayed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    relay_attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


def encode_event(event: DomainEvent) -> EncodedEvent:
    return (
        event.event_id,
        event.type,
        event.aggregate_key,
        event.occurred_at,
        event.schema_version,
        encode_payload(event.payload()),
    )


@lru_cache(maxsize=8)
def _append_statement(dialect: Dialect) -> str:
    marker = {"qmark": "?", "format": "%s", "pyformat": "%s"}.get(dialect.paramstyle)
    if marker is None:
        raise NotImplementedError(f"parameter style {dialect.paramstyle!r}")
    columns = "event_id, type, aggregate_key, occurred_at, schema_version, payload, relay_attempts"
    return (
        f"INSERT INTO {OutboxEvent.__tablename__} ({columns}) VALUES ({', '.join([marker] * 6)}, 0)"
    )


_outbox = cast(Table, OutboxEvent.__table__)


class OutboxRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def append(self, events: Sequence[DomainEvent]) -> None:
        self.append_encoded([encode_event(event) for event in events])

    def append_encoded(self, rows: Sequence[EncodedEvent]) -> None:
        """One DBAPI executemany; occurred_at converted once per distinct value (a bulk chunk
        shares one booking time)."""
        if not rows:
            return
        connection = self.session.connection()
        process = _outbox.c.occurred_at.type._cached_bind_processor(connection.dialect)
        converted: dict[datetime, Any] = {}
        params = []
        for event_id, kind, key, occurred_at, version, payload in rows:
            moment = converted.get(occurred_at)
            if moment is None:
                moment = converted[occurred_at] = (
                    process(occurred_at) if process is not None else occurred_at
                )
            params.append((event_id, kind, key, moment, version, payload))
        connection.exec_driver_sql(_append_statement(connection.dialect), params)

    def unrelayed(self, limit: int, *, max_attempts: int) -> list[EventEnvelope]:
        """The oldest rows not relayed yet, locked on PostgreSQL (FOR UPDATE SKIP LOCKED) so
        several relays share the outbox; SQLite ignores the clause (one writer at a time)."""
        query = (
            select(OutboxEvent)
            .where(OutboxEvent.relayed_at.is_(None), OutboxEvent.relay_attempts < max_attempts)
            .order_by(OutboxEvent.position)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [
            EventEnvelope(
                position=row.position,
                event_id=row.event_id,
                type=row.type,
                aggregate_key=row.aggregate_key,
                occurred_at=row.occurred_at,
                schema_version=row.schema_version,
                payload=row.payload,
            )
            for row in self.session.scalars(query)
        ]

    def mark_relayed(self, positions: Sequence[int], *, now: datetime) -> None:
        if positions:
            self.session.execute(
                update(OutboxEvent)
                .where(OutboxEvent.position.in_(list(positions)))
                .values(relayed_at=now)
            )

    def note_failure(self, position: int, error: str) -> None:
        self.session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.position == position)
            .values(relay_attempts=OutboxEvent.relay_attempts + 1, last_error=error[:2000])
        )

    def all_events(self, *, aggregate_key: str | None = None) -> list[OutboxEvent]:
        """Every row in order (tests and operators' diagnosis)."""
        query = select(OutboxEvent).order_by(OutboxEvent.position)
        if aggregate_key is not None:
            query = query.where(OutboxEvent.aggregate_key == aggregate_key)
        return list(self.session.scalars(query))
