"""The sandbox's own small database (``var/sandbox.db``): SQLAlchemy Core, its own MetaData.

Not the platform's tables or migrations: the sandbox plays other companies' systems, and its
schema is created with ``create_all`` when it starts (delete the file to start a new world).
Times are integer seconds since the epoch (UTC) so that ordering and comparison stay exact.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
)
from sqlalchemy.pool import StaticPool

metadata = MetaData(
    naming_convention={"ix": "ix_%(table_name)s_%(column_0_name)s", "pk": "pk_%(table_name)s"}
)

clock = Table(
    "sandbox_clock", metadata, Column("id", Integer, primary_key=True), Column("now_s", Integer)
)
parcels = Table(
    "sandbox_parcels",
    metadata,
    Column("tracking_number", String(34), primary_key=True),
    Column("partner", String(40), nullable=False),
    Column("partner_number", String(34), nullable=False, index=True),
    Column("plan", JSON, nullable=False),
    Column("fate", String(20), nullable=False),
    Column("created_s", Integer, nullable=False),
    # Arrival at the last-mile partner (None for a parcel lost before it), and whether the
    # partner held it there for want of accepted advance data: none, checked, held, released.
    Column("handover_s", Integer, nullable=True),
    Column("hold", String(10), nullable=False, default="none"),
)
# One row per arrival of a scan in a partner's feed: a duplicate is a second row with the same
# event_id. feed_seq is given when the row is emitted (its reported time has come), in emission
# order, so a cursor never skips a late event that is emitted after it.
scans = Table(
    "sandbox_scans",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(60), nullable=False),
    Column("tracking_number", String(34), nullable=False, index=True),
    Column("partner", String(40), nullable=False),
    Column("partner_number", String(34), nullable=False, index=True),
    Column("occurred_s", Integer, nullable=False),
    Column("reported_s", Integer, nullable=False, index=True),
    Column("upu", JSON, nullable=True),
    Column("usps", JSON, nullable=True),
    Column("feed_seq", Integer, nullable=True, index=True),
    Column("held", Boolean, nullable=False, default=False),  # waits for advance data
)
advance_data = Table(
    "sandbox_advance_data",
    metadata,
    Column("partner", String(40), primary_key=True),
    Column("item_id", String(40), primary_key=True),
    Column("message", JSON, nullable=False),
    Column("result", JSON, nullable=False),
    Column("received_s", Integer, nullable=False),
)
tokens = Table(
    "sandbox_tokens",
    metadata,
    Column("token", String(80), primary_key=True),
    Column("client_id", String(80), nullable=False),
    Column("scopes", String(200), nullable=False),
    Column("expires_s", Integer, nullable=False),
)
labels = Table(
    "sandbox_labels",
    metadata,
    Column("tracking_number", String(34), primary_key=True),
    Column("request", JSON, nullable=False),
    Column("created_s", Integer, nullable=False),
)
subscriptions = Table(
    "sandbox_subscriptions",
    metadata,
    Column("subscription_id", String(40), primary_key=True),
    Column("listener_url", String(200), nullable=False),
    Column("secret", String(64), nullable=False),
    Column("filter", JSON, nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_s", Integer, nullable=False),
    Column("notified_seq", Integer, nullable=False, default=0),  # feed position pushed so far
)
notifications = Table(
    "sandbox_notifications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subscription_id", String(40), nullable=False),
    Column("body", String, nullable=False),  # the exact bytes signed, as text
    Column("attempts", Integer, nullable=False, default=0),
    Column("delivered", Boolean, nullable=False, default=False),
)
Index("ix_sandbox_notifications_pending", notifications.c.delivered)
faults = Table(
    "sandbox_faults",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("partner", String(40), nullable=False),  # "*": every partner
    Column("status", Integer, nullable=False),
    Column("retry_after_s", Integer, nullable=True),
    Column("starts_s", Integer, nullable=False),
    Column("ends_s", Integer, nullable=False),
)


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def open_store(url: str) -> Engine:
    """The engine, with the schema created. ``sqlite://`` (memory) serves tests."""
    in_memory = url in ("sqlite://", "sqlite:///:memory:")
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False},
        poolclass=StaticPool if in_memory else None,
        # orjson: several times faster than json on the rendered events (tens per parcel).
        json_serializer=lambda value: orjson.dumps(value).decode(),
        json_deserializer=orjson.loads,
    )
    if not in_memory:
        event.listen(engine, "connect", _on_connect)
    metadata.create_all(engine)
    return engine


def to_seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def from_seconds(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


# One writer at a time: feed positions are "the last one plus one", and SQLite would refuse a
# second deferred transaction that upgrades to a write instead of waiting for the first.
_WRITES = threading.RLock()


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    with _WRITES, engine.begin() as connection:
        yield connection
