"""Sending events again: one event now (``redeliver``), or every event of a time window to one
endpoint (``replay_window``, a job: a window can hold a million events). Either way the new
deliveries carry the events' own ids as ``webhook-id``, so a receiver that already has one
deduplicates it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from postbridge.errors import InvalidInput
from postbridge.jobs.repository import JobRepository
from postbridge.kit.clock import utc_now
from postbridge.kit.ids import new_ids
from postbridge.storage.unit_of_work import Database
from postbridge.webhooks.dispatcher import RETENTION
from postbridge.webhooks.errors import EndpointDisabled, EndpointNotFound, EventNotFound
from postbridge.webhooks.fanout import delivery_row
from postbridge.webhooks.repository import WebhookRepository

REPLAY_JOB = "webhooks.replay"
REPLAY_PAGE = 1000


@dataclass(frozen=True, slots=True)
class QueuedDelivery:
    delivery_id: str
    endpoint_id: str


def redeliver_event(
    *, database: Database, merchant_id: str, event_id: str, endpoint_id: str | None = None
) -> list[QueuedDelivery]:
    """A new delivery of the event to ``endpoint_id``, or to every enabled endpoint of the
    merchant subscribed to its type."""
    now = utc_now()
    with database.unit_of_work() as uow:
        repository = WebhookRepository(uow.session)
        event = repository.event(event_id, merchant_id=merchant_id)
        if event is None:
            raise EventNotFound(f"event {event_id} does not exist (or is older than 30 days)")
        if endpoint_id is not None:
            endpoint = repository.endpoint(endpoint_id, merchant_id=merchant_id)
            if endpoint is None:
                raise EndpointNotFound(f"webhook endpoint {endpoint_id} does not exist")
            if not endpoint.enabled:
                raise EndpointDisabled(
                    f"webhook endpoint {endpoint_id} is disabled; enable it first"
                )
            targets = [endpoint.id]
        else:
            targets = [
                e.id for e in repository.enabled_endpoints_of([merchant_id])
                if event.type in e.event_types
            ]  # fmt: skip
        row = {"id": event.id, "position": event.position, "ordering_key": event.ordering_key}
        queued = [
            QueuedDelivery(delivery_id, target)
            for delivery_id, target in zip(new_ids("whd", len(targets)), targets, strict=True)
        ]
        repository.add_deliveries(
            [
                delivery_row(q.delivery_id, q.endpoint_id, row, cause="redeliver", now=now)
                for q in queued
            ]
        )
        uow.commit()
    return queued


def queue_replay(
    *, database: Database, merchant_id: str, endpoint_id: str, since: datetime, until: datetime
) -> str:
    """Queue the replay of the window [since, until) to the endpoint; returns the job id."""
    now = utc_now()
    if until <= since:
        raise InvalidInput.for_field("until", "must be after since")
    if since < now - RETENTION:
        raise InvalidInput.for_field("since", "events are kept 30 days: start within them")
    with database.unit_of_work() as uow:
        endpoint = WebhookRepository(uow.session).endpoint(endpoint_id, merchant_id=merchant_id)
        if endpoint is None:
            raise EndpointNotFound(f"webhook endpoint {endpoint_id} does not exist")
        if not endpoint.enabled:
            raise EndpointDisabled(f"webhook endpoint {endpoint_id} is disabled; enable it first")
        job = JobRepository(uow.session).enqueue(
            kind=REPLAY_JOB, now=now,
            payload={"merchant_id": merchant_id, "endpoint_id": endpoint_id,
                     "since": since.isoformat(), "until": until.isoformat()},
        )  # fmt: skip
        uow.commit()
    return job.id


def replay_window(
    *, database: Database, job_id: str, payload: dict[str, str], heartbeat: Callable[[], None]
) -> int:
    """The job: add a delivery per event of the window, a page per transaction. Safe to run
    again (a killed worker's job is claimed again): events that already got a delivery from
    this job are skipped. Returns how many deliveries it added."""
    cause = f"replay:{job_id}"
    since, until = (
        datetime.fromisoformat(payload["since"]),
        datetime.fromisoformat(payload["until"]),
    )
    after, added = -1, 0
    while True:
        with database.unit_of_work() as uow:
            repository = WebhookRepository(uow.session)
            endpoint = repository.endpoint(
                payload["endpoint_id"], merchant_id=payload["merchant_id"]
            )
            if endpoint is None or not endpoint.enabled:
                return added  # deleted or disabled meanwhile: nothing left to replay to
            page = repository.events_in_window(
                merchant_id=endpoint.merchant_id, types=endpoint.event_types, since=since,
                until=until, after_position=after, limit=REPLAY_PAGE,
            )  # fmt: skip
            if not page:
                return added
            done = repository.events_with_cause(endpoint.id, cause, [e[0] for e in page])
            todo = [e for e in page if e[0] not in done]
            now = utc_now()
            repository.add_deliveries(
                [
                    delivery_row(
                        d,
                        endpoint.id,
                        {"id": i, "position": p, "ordering_key": k},
                        cause=cause,
                        now=now,
                    )
                    for d, (i, p, k) in zip(new_ids("whd", len(todo)), todo, strict=True)
                ]  # fmt: skip
            )
            uow.commit()
        added += len(todo)
        after = page[-1][1]
        heartbeat()
