"""The outbox relay: hand committed events to their consumers, at least once, then mark them.

``relay_once`` reads a page of unrelayed outbox rows in order of arrival (on PostgreSQL locked
with SKIP LOCKED, so several workers relay side by side), gives each consumer the events it
wants in the consumer's own unit of work, and marks the page relayed. A crash between a
consumer's commit and the mark delivers the events again; each consumer's inbox
(``consumer_inbox``, written in the same transaction as its effects) makes the second delivery
a no-op. A consumer that fails is retried event by event, so one bad event does not hold back
the others; that event stays unrelayed (``relay_attempts``, ``last_error``) and is retried on
later passes, up to ``max_attempts``.

Consumers change the database only (a projection, a job to enqueue); anything that talks to
the outside world is a job a consumer enqueues, so the relay never waits on the network.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from sqlalchemy.exc import IntegrityError

from postbridge.jobs.repository import InboxRepository
from postbridge.kit.clock import utc_now
from postbridge.kit.events import EventEnvelope
from postbridge.kit.structured_logs import error_summary
from postbridge.storage.outbox import OutboxRepository
from postbridge.storage.unit_of_work import Database, UnitOfWork

log = logging.getLogger(__name__)

RELAY_PAGE = 500
MAX_RELAY_ATTEMPTS = 10


class EventConsumer(Protocol):
    """Applies events to the database inside the unit of work it is given (never commits)."""

    @property
    def name(self) -> str: ...  # the inbox key: never rename a consumer that has run

    @property
    def event_types(self) -> frozenset[str]: ...

    def apply(self, uow: UnitOfWork, events: Sequence[EventEnvelope]) -> None: ...


class OutboxRelay:
    def __init__(
        self,
        database: Database,
        consumers: Sequence[EventConsumer],
        *,
        page: int = RELAY_PAGE,
        max_attempts: int = MAX_RELAY_ATTEMPTS,
    ) -> None:
        self.database = database
        self.consumers = list(consumers)
        self.page = page
        self.max_attempts = max_attempts

    def relay_once(self) -> int:
        """Relay one page; returns how many events it marked relayed (0: nothing to do, or
        only events that keep failing, which wait for the next pass)."""
        with self.database.unit_of_work() as uow:
            outbox = OutboxRepository(uow.session)
            events = outbox.unrelayed(self.page, max_attempts=self.max_attempts)
            if not events:
                return 0
            failures: dict[int, str] = {}
            for consumer in self.consumers:
                wanted = [e for e in events if e.type in consumer.event_types]
                if wanted:
                    failures.update(self._deliver(consumer, wanted))
            relayed = [e.position for e in events if e.position not in failures]
            outbox.mark_relayed(relayed, now=utc_now())
            for position, error in failures.items():
                outbox.note_failure(position, error)
            uow.commit()
        return len(relayed)

    def relay_all(self) -> int:
        """Relay until a page relays nothing (tests, ``postbridge worker --once``)."""
        total = 0
        while relayed := self.relay_once():
            total += relayed
        return total

    def _deliver(self, consumer: EventConsumer, events: list[EventEnvelope]) -> dict[int, str]:
        try:
            self.apply(consumer, events)
            return {}
        except IntegrityError:
            # Two relays read the same page (SQLite has no SKIP LOCKED) and the other applied
            # it first: its inbox rows (or the rows it wrote) refuse ours. Event by event below,
            # the inbox then says each was applied, and nothing is applied twice.
            log.info("consumer %s: a page applied meanwhile by another relay", consumer.name)
        except Exception:  # a consumer's bug must not stop the relay: isolate the event
            log.exception("consumer %s failed on a page of %d events", consumer.name, len(events))
        failures = {}
        for event in events:
            try:
                self.apply(consumer, [event])
            except Exception as exc:
                failures[event.position] = f"{consumer.name}: {error_summary(exc)}"
        return failures

    def apply(self, consumer: EventConsumer, events: Sequence[EventEnvelope]) -> int:
        """Apply the events this consumer has not applied yet, and remember them, in one unit
        of work; returns how many were new."""
        with self.database.unit_of_work() as uow:
            inbox = InboxRepository(uow.session)
            unseen = inbox.unseen(consumer.name, [e.event_id for e in events])
            fresh = [e for e in events if e.event_id in unseen]
            if not fresh:
                return 0
            consumer.apply(uow, fresh)
            inbox.add(consumer.name, [e.event_id for e in fresh], now=utc_now())
            uow.commit()
        return len(fresh)
