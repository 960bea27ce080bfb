"""Engine factory: SQLite gets WAL and foreign keys; PostgreSQL gets psycopg 3."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import ConnectionPoolEntry

SQLITE_POOL_SIZE = 40


def normalize_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` and pin the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _on_sqlite_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # NORMAL is durable in WAL mode except for the last transactions on power loss.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    # A 64 MiB page cache per connection (the default is 2 MiB): bulk capture's inserts touch
    # seven indexes, and their interior pages then stay in memory.
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


def _json_dumps(value: Any) -> str:
    # orjson is ~6x faster than json.dumps on our documents: it matters in bulk capture.
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _create_private_file(path: Path) -> None:
    """Create the SQLite file 0600 if it is new: it holds addresses and phone numbers. SQLite
    gives its -wal and -shm files the database file's mode; an existing file keeps its own."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def make_engine(url: str, *, echo: bool = False) -> Engine:
    url = normalize_url(url)
    json_options: dict[str, Any] = {
        "json_serializer": _json_dumps,
        "json_deserializer": orjson.loads,
    }
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        pool: dict[str, Any] = {}
        if database and database != ":memory:":
            _create_private_file(Path(database))
            # Connections kept open (issue 16): with the default 5, a 6th concurrent request
            # opened a new connection and closed it after (an overflow one): the connect, its
            # PRAGMAs and a cold 64 MiB page cache, on every such request (profiled: ~10 % of
            # a single read's CPU under 8 concurrent clients). API requests run in the thread
            # pool (40 threads): keep as many open as it can use at once. LIFO: a request
            # takes the connection used last, whose page and statement caches are warm,
            # instead of cycling through all of them (a 20-item page: 3.5 -> 2.3 ms of CPU).
            pool = {
                "pool_size": SQLITE_POOL_SIZE,
                "max_overflow": SQLITE_POOL_SIZE,
                "pool_use_lifo": True,
            }
        engine = create_engine(
            url,
            echo=echo,
            # Parameters are recipients' names, addresses, phones, tax ids: never in a log line
            # or an exception's text (an IntegrityError prints them unless hidden).
            hide_parameters=True,
            connect_args={"check_same_thread": False, "timeout": 10},
            **pool,
            **json_options,
        )
        event.listen(engine, "connect", _on_sqlite_connect)
        return engine
    return _postgres_engine(url, echo=echo)


def _postgres_engine(url: str | URL, *, echo: bool, **options: Any) -> Engine:
    return create_engine(
        url,
        echo=echo,
        hide_parameters=True,  # personal data: see make_engine
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=20,
        json_serializer=_json_dumps,
        json_deserializer=orjson.loads,
        **options,
    )


def reading_engine(engine: Engine) -> Engine:
    """The engine of ``Database.reading``. On PostgreSQL, a pool of its own whose connections
    stay in autocommit: in a transaction, a one-query read costs a BEGIN before it and a
    ROLLBACK when the pool takes the connection back, two of its four round trips, and setting
    autocommit per checkout costs round trips of its own. On SQLite, the same engine (a
    transaction is in-process, and an in-memory database exists in its one pool only)."""
    if engine.dialect.name != "postgresql":
        return engine
    return _postgres_engine(
        engine.url, echo=bool(engine.echo), isolation_level="AUTOCOMMIT", pool_use_lifo=True
    )
