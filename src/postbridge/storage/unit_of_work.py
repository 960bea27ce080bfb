"""The unit of work owns the transaction: services flush, only the unit of work commits.

It also carries the transaction's domain events: a use case records them (``uow.record``) and
``commit`` writes them to the outbox in the same transaction as the change, so a committed
change always has its events and a rolled-back one has none.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from postbridge.kit.events import DomainEvent
from postbridge.storage.engine import reading_engine
from postbridge.storage.outbox import OutboxRepository


class UnitOfWork:
    """One transaction. ``with uow: ...; uow.record(event); uow.commit()``; leaving without
    commit rolls back and forgets the recorded events."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory
        self._session: Session | None = None
        self._events: list[DomainEvent] = []

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("unit of work used outside its 'with' block")
        return self._session

    def __enter__(self) -> UnitOfWork:
        self._session = self._session_factory()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._session is not None
        self._events.clear()
        # close() rolls back whatever was not committed and detaches the objects without
        # expiring them, so values read inside the block stay readable after it.
        self._session.close()
        self._session = None

    def record(self, event: DomainEvent) -> None:
        """Keep ``event`` for the outbox; written only if this unit of work commits."""
        self._events.append(event)

    @property
    def recorded(self) -> tuple[DomainEvent, ...]:
        return tuple(self._events)

    def commit(self) -> None:
        if self._events:
            OutboxRepository(self.session).append(self._events)
            self._events.clear()
        self.session.commit()

    def rollback(self) -> None:
        self._events.clear()
        self.session.rollback()


class Database:
    """Engine plus session factory; the composition root creates one per process."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.read_engine = reading_engine(engine)
        self.session_factory = sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory)

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A Core connection for the API's hot reads (issue 16): no Session, no identity map,
        nothing to commit. A Session's set-up, autobegin and close cost a single-shipment
        read about as much as its query; writes and anything that records events still go
        through ``unit_of_work``.

        In autocommit: on PostgreSQL a transaction would cost a BEGIN before the first query
        and a ROLLBACK when the pool takes the connection back, two of the four round trips
        of a one-query read (bench/lookups.py). Each statement still reads one consistent
        snapshot; the reads here are single statements, or add immutable shared documents
        (``storage.engine.reading_engine``)."""
        with self.read_engine.connect() as connection:
            yield connection

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()
