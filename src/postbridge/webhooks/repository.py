"""Every query of the webhooks context.

The claim is one ``UPDATE ... WHERE id IN (SELECT ... LIMIT n) RETURNING``; on PostgreSQL the
inner select takes ``FOR UPDATE SKIP LOCKED``, so workers never claim the same delivery, and
SQLite runs one writer at a time. A delivery is claimable when it is open and due, its endpoint
is enabled, and no earlier delivery of its (endpoint, ordering key) is still open: that is what
keeps one shipment's events in order at each endpoint while other shipments go ahead.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    Table,
    and_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.orm import Session, aliased

from postbridge.storage.base import UTCDateTime
from postbridge.webhooks.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

_deliveries = cast(Table, WebhookDelivery.__table__)
_events = cast(Table, WebhookEvent.__table__)
_attempts = cast(Table, WebhookAttempt.__table__)


def _open() -> Any:
    """``IN ('pending', 'sending')`` written out in the SQL, not bound: SQLite uses a partial
    index only when the query repeats its WHERE term, and a bound parameter does not."""
    return bindparam(
        "open_statuses", list(DeliveryStatus.OPEN), expanding=True, literal_execute=True
    )


@dataclass(frozen=True, slots=True)
class ClaimedDelivery:
    id: str
    endpoint_id: str
    event_id: str
    attempt: int  # this attempt included
    created_at: datetime
    first_attempted_at: datetime


class WebhookRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # --- endpoints ---------------------------------------------------------------------------

    def add_endpoint(self, endpoint: WebhookEndpoint) -> None:
        self.session.add(endpoint)

    def endpoint(self, endpoint_id: str, *, merchant_id: str | None) -> WebhookEndpoint | None:
        """The endpoint, if it is ``merchant_id``'s (any merchant's when None)."""
        found = self.session.get(WebhookEndpoint, endpoint_id)
        if found is None or (merchant_id is not None and found.merchant_id != merchant_id):
            return None
        return found

    def endpoints_of(self, merchant_id: str) -> list[WebhookEndpoint]:
        query = select(WebhookEndpoint).where(WebhookEndpoint.merchant_id == merchant_id)
        return list(
            self.session.scalars(query.order_by(WebhookEndpoint.created_at, WebhookEndpoint.id))
        )

    def enabled_endpoints_of(self, merchant_ids: Collection[str]) -> list[WebhookEndpoint]:
        query = select(WebhookEndpoint).where(
            WebhookEndpoint.merchant_id.in_(list(merchant_ids)), WebhookEndpoint.enabled.is_(True)
        )
        return list(self.session.scalars(query.order_by(WebhookEndpoint.id)))

    def endpoints_by_id(self, endpoint_ids: Collection[str]) -> dict[str, WebhookEndpoint]:
        query = select(WebhookEndpoint).where(WebhookEndpoint.id.in_(list(endpoint_ids)))
        return {e.id: e for e in self.session.scalars(query)}

    def delete_endpoint(self, endpoint: WebhookEndpoint) -> None:
        for table in (WebhookAttempt, WebhookDelivery):
            self.session.execute(delete(table).where(table.endpoint_id == endpoint.id))
        self.session.delete(endpoint)

    # --- events ------------------------------------------------------------------------------

    def add_events(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            self.session.execute(insert(_events), list(rows))

    def event(self, event_id: str, *, merchant_id: str) -> WebhookEvent | None:
        found = self.session.get(WebhookEvent, event_id)
        return found if found is not None and found.merchant_id == merchant_id else None

    def events(
        self,
        *,
        merchant_id: str,
        types: Collection[str] | None,
        created_from: datetime | None,
        created_to: datetime | None,
        before_position: int | None,
        limit: int,
    ) -> list[WebhookEvent]:
        """Newest first (by outbox position); ``created_to`` is exclusive."""
        query = select(WebhookEvent).where(WebhookEvent.merchant_id == merchant_id)
        if types:
            query = query.where(WebhookEvent.type.in_(list(types)))
        if created_from is not None:
            query = query.where(WebhookEvent.occurred_at >= created_from)
        if created_to is not None:
            query = query.where(WebhookEvent.occurred_at < created_to)
        if before_position is not None:
            query = query.where(WebhookEvent.position < before_position)
        query = query.order_by(WebhookEvent.position.desc()).limit(limit)
        return list(self.session.scalars(query))

    def events_in_window(
        self,
        *,
        merchant_id: str,
        types: Collection[str],
        since: datetime,
        until: datetime,
        after_position: int,
        limit: int,
    ) -> list[tuple[str, int, str]]:
        """(id, position, ordering key) of events in [since, until), oldest first."""
        query = (
            select(WebhookEvent.id, WebhookEvent.position, WebhookEvent.ordering_key)
            .where(
                WebhookEvent.merchant_id == merchant_id,
                WebhookEvent.type.in_(list(types)),
                WebhookEvent.occurred_at >= since,
                WebhookEvent.occurred_at < until,
                WebhookEvent.position > after_position,
            )
            .order_by(WebhookEvent.position)
            .limit(limit)
        )
        return [(row[0], int(row[1]), row[2]) for row in self.session.execute(query)]

    def bodies(self, event_ids: Collection[str]) -> dict[str, str]:
        query = select(WebhookEvent.id, WebhookEvent.body).where(
            WebhookEvent.id.in_(list(event_ids))
        )
        return {row[0]: row[1] for row in self.session.execute(query)}

    def purge_events_before(self, cutoff: datetime, *, limit: int) -> int:
        """Delete up to ``limit`` events older than ``cutoff`` with their deliveries and
        attempts; returns how many events went."""
        old = list(
            self.session.scalars(
                select(WebhookEvent.id).where(WebhookEvent.occurred_at < cutoff).limit(limit)
            )
        )
        if old:
            for table in (WebhookAttempt, WebhookDelivery):
                self.session.execute(delete(table).where(table.event_id.in_(old)))
            self.session.execute(delete(WebhookEvent).where(WebhookEvent.id.in_(old)))
        return len(old)

    # --- deliveries --------------------------------------------------------------------------

    def add_deliveries(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            self.session.execute(insert(_deliveries), list(rows))

    def deliveries_of_event(self, event_id: str) -> list[WebhookDelivery]:
        query = select(WebhookDelivery).where(WebhookDelivery.event_id == event_id)
        return list(self.session.scalars(query.order_by(WebhookDelivery.created_at)))

    def events_with_cause(self, endpoint_id: str, cause: str, event_ids: Iterable[str]) -> set[str]:
        query = select(WebhookDelivery.event_id).where(
            WebhookDelivery.endpoint_id == endpoint_id,
            WebhookDelivery.cause == cause,
            WebhookDelivery.event_id.in_(list(event_ids)),
        )
        return set(self.session.scalars(query))

    def claim(
        self, *, owner: str, now: datetime, lease: timedelta, limit: int
    ) -> list[ClaimedDelivery]:
        d = _deliveries
        earlier = aliased(WebhookDelivery)
        due = and_(d.c.status.in_(_open()), d.c.next_attempt_at <= now)
        blocked = exists().where(
            earlier.endpoint_id == d.c.endpoint_id,
            earlier.ordering_key == d.c.ordering_key,
            earlier.status.in_(_open()),
            earlier.sequence < d.c.sequence,
        )
        endpoint_enabled = exists().where(
            WebhookEndpoint.id == d.c.endpoint_id, WebhookEndpoint.enabled.is_(True)
        )
        candidates = (
            select(d.c.id)
            .where(due, endpoint_enabled, ~blocked)
            .order_by(d.c.next_attempt_at, d.c.sequence)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        rows = self.session.execute(
            update(d)
            .where(d.c.id.in_(candidates.scalar_subquery()), due)
            .values(
                status=DeliveryStatus.SENDING,
                attempts=d.c.attempts + 1,
                lease_owner=owner,
                next_attempt_at=now + lease,  # the lease: claimable again if this worker dies
                first_attempted_at=func.coalesce(
                    d.c.first_attempted_at, literal(now, UTCDateTime())
                ),
            )
            .returning(
                d.c.id,
                d.c.endpoint_id,
                d.c.event_id,
                d.c.attempts,
                d.c.created_at,
                d.c.first_attempted_at,
            )  # fmt: skip
        ).all()
        return [ClaimedDelivery(r[0], r[1], r[2], int(r[3]), r[4], r[5]) for r in rows]

    def mark_delivered(
        self, delivery_ids: Collection[str], *, owner: str, now: datetime, status_code: int
    ) -> None:
        """One statement for a round's deliveries answered with the same status."""
        self.session.execute(
            update(_deliveries)
            .where(
                _deliveries.c.id.in_(list(delivery_ids)),
                _deliveries.c.lease_owner == owner,
                _deliveries.c.status == DeliveryStatus.SENDING,
            )
            .values(
                status=DeliveryStatus.DELIVERED,
                finished_at=now,
                last_status_code=status_code,
                last_error=None,
                lease_owner=None,
            )  # fmt: skip
        )

    def mark_failed_attempt(
        self,
        delivery_id: str,
        *,
        owner: str,
        now: datetime,
        status_code: int | None,
        error: str,
        retry_at: datetime | None,
    ) -> bool:
        """Back to pending until ``retry_at``, or (None) failed for good."""
        if retry_at is None:
            values: dict[str, Any] = {"status": DeliveryStatus.FAILED, "finished_at": now}
        else:
            values = {"status": DeliveryStatus.PENDING, "next_attempt_at": retry_at}
        return self._settle_owned(
            delivery_id, owner, last_status_code=status_code, last_error=error[:2000],
            lease_owner=None, **values,
        )  # fmt: skip

    def _settle_owned(self, delivery_id: str, owner: str, **values: Any) -> bool:
        result = self.session.execute(
            update(_deliveries)
            .where(
                _deliveries.c.id == delivery_id,
                _deliveries.c.lease_owner == owner,
                _deliveries.c.status == DeliveryStatus.SENDING,
            )
            .values(**values)
        )
        return bool(getattr(result, "rowcount", 0))

    def fail_open_deliveries(self, endpoint_id: str, *, now: datetime, reason: str) -> None:
        self.session.execute(
            update(_deliveries)
            .where(
                _deliveries.c.endpoint_id == endpoint_id,
                _deliveries.c.status.in_(DeliveryStatus.OPEN),
            )
            .values(
                status=DeliveryStatus.FAILED, finished_at=now, last_error=reason, lease_owner=None
            )  # fmt: skip
        )

    # --- attempts ----------------------------------------------------------------------------

    def add_attempts(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            self.session.execute(insert(_attempts), list(rows))

    def attempts_of(
        self, endpoint_id: str, *, before: tuple[datetime, str] | None, limit: int
    ) -> list[WebhookAttempt]:
        """Newest first; ``before`` is the (attempted_at, id) of the last one already seen."""
        query = select(WebhookAttempt).where(WebhookAttempt.endpoint_id == endpoint_id)
        if before is not None:
            at, attempt_id = before
            query = query.where(
                (WebhookAttempt.attempted_at < at)
                | and_(WebhookAttempt.attempted_at == at, WebhookAttempt.id < attempt_id)
            )
        query = query.order_by(WebhookAttempt.attempted_at.desc(), WebhookAttempt.id.desc())
        return list(self.session.scalars(query.limit(limit)))
