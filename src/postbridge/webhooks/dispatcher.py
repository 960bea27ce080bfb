"""The delivery loop the worker runs: claim due deliveries, send them, log every attempt, settle.

A round claims up to ``batch`` deliveries under a lease (at most one per endpoint and ordering
key, the oldest open one: webhooks.repository), sends them side by side on a thread pool that
lives only for the round (the worker forks bulk pipelines between rounds, and a fork must not
inherit busy threads), then settles them in one transaction: delivered on a 2xx, otherwise
pending again after a backoff (webhooks.backoff) or failed once the three-day window is spent.
A killed worker's deliveries stay ``sending`` until their lease ends and are then sent again
with the same ``webhook-id``: at least once, duplicates only with the same id.

An endpoint that had not one success while a delivery to it spent its whole window is
disabled: the reason is kept on the endpoint, a ``webhook_endpoint.disabled`` event is
recorded, and its open deliveries are failed (the merchant replays the window once the
receiver is fixed).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from postbridge.kit.clock import utc_now
from postbridge.kit.ids import new_ids
from postbridge.storage.unit_of_work import Database, UnitOfWork
from postbridge.webhooks.backoff import RetrySchedule
from postbridge.webhooks.destinations import Resolver, resolve_addresses
from postbridge.webhooks.events import WebhookEndpointDisabled
from postbridge.webhooks.models import WebhookEndpoint
from postbridge.webhooks.repository import ClaimedDelivery, WebhookRepository
from postbridge.webhooks.sealing import SecretSealer
from postbridge.webhooks.sending import AttemptOutcome, WebhookSender
from postbridge.webhooks.settings import WebhookSettings
from postbridge.webhooks.signing import signed_headers

log = logging.getLogger(__name__)

RETENTION = timedelta(days=30)
PURGE_EVERY_SECONDS = 3600.0


@dataclass(frozen=True, slots=True)
class _Send:
    claim: ClaimedDelivery
    url: str
    body: str
    secrets: tuple[str, ...]


class WebhookDispatcher:
    def __init__(
        self,
        database: Database,
        sealer: SecretSealer,
        *,
        owner: str,
        settings: WebhookSettings | None = None,
        production: bool = False,
        schedule: RetrySchedule | None = None,
        clock: Callable[[], datetime] = utc_now,
        rng: random.Random | None = None,
        resolve: Resolver = resolve_addresses,
    ) -> None:
        self.database = database
        self.sealer = sealer
        self.owner = owner
        self.settings = settings or WebhookSettings()
        self.production = production
        self.schedule = schedule or RetrySchedule()
        self.clock = clock
        self.rng = rng or random.Random()
        self.resolve = resolve
        self._sender: WebhookSender | None = None
        self._purged_at: float | None = None

    @property
    def sender(self) -> WebhookSender:
        if self._sender is None:
            self._sender = WebhookSender(
                connect_timeout_seconds=self.settings.connect_timeout_seconds,
                timeout_seconds=self.settings.timeout_seconds,
                connections_per_destination=self.settings.concurrency,
                production=self.production,
                resolve=self.resolve,
            )
        return self._sender

    def close(self) -> None:
        if self._sender is not None:
            self._sender.close()
            self._sender = None

    def deliver_due(self) -> int:
        """Rounds until nothing is due or the step's budget is spent; returns the attempts."""
        self._purge_now_and_then()
        deadline = time.monotonic() + self.settings.step_budget_seconds
        total = 0
        while time.monotonic() < deadline:
            sent = self.deliver_round()
            total += sent
            if sent < self.settings.batch:
                break
        return total

    def deliver_round(self) -> int:
        started = self.clock()
        sends = self._claim(started)
        if not sends:
            return 0
        workers = min(self.settings.concurrency, len(sends))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="webhook") as pool:
            outcomes = list(pool.map(self._attempt, sends))
        self._settle(sends, outcomes, attempted_at=started)
        return len(sends)

    def _claim(self, now: datetime) -> list[_Send | ClaimedDelivery]:
        lease = timedelta(seconds=self.settings.lease_seconds)
        with self.database.unit_of_work() as uow:
            repository = WebhookRepository(uow.session)
            claimed = repository.claim(
                owner=self.owner, now=now, lease=lease, limit=self.settings.batch
            )
            if not claimed:
                return []
            endpoints = repository.endpoints_by_id({c.endpoint_id for c in claimed})
            bodies = repository.bodies({c.event_id for c in claimed})
            uow.commit()
        secrets = {e.id: self._live_secrets(e, now) for e in endpoints.values()}
        sends: list[_Send | ClaimedDelivery] = []
        for claim in claimed:
            endpoint, body = endpoints.get(claim.endpoint_id), bodies.get(claim.event_id)
            if endpoint is None or body is None:  # deleted or purged meanwhile
                sends.append(claim)
            else:
                sends.append(_Send(claim, endpoint.url, body, secrets[endpoint.id]))
        return sends

    def _live_secrets(self, endpoint: WebhookEndpoint, now: datetime) -> tuple[str, ...]:
        """The current secret, then the previous one while its overlap lasts."""
        live = [self.sealer.open(endpoint.secret_sealed)]
        expires = endpoint.previous_secret_expires_at
        if endpoint.previous_secret_sealed and expires is not None and expires > now:
            live.append(self.sealer.open(endpoint.previous_secret_sealed))
        return tuple(live)

    def _attempt(self, send: _Send | ClaimedDelivery) -> AttemptOutcome:
        if isinstance(send, ClaimedDelivery):
            return AttemptOutcome.refused("the endpoint or the event no longer exists")
        headers = signed_headers(
            send.secrets,
            message_id=send.claim.event_id,
            timestamp=int(self.clock().timestamp()),
            body=send.body,
        )
        return self.sender.post(send.url, body=send.body.encode(), headers=headers)

    def _settle(
        self,
        sends: list[_Send | ClaimedDelivery],
        outcomes: list[AttemptOutcome],
        *,
        attempted_at: datetime,
    ) -> None:
        now = self.clock()
        claims = [s if isinstance(s, ClaimedDelivery) else s.claim for s in sends]
        with self.database.unit_of_work() as uow:
            repository = WebhookRepository(uow.session)
            ids = new_ids("wha", len(claims))
            repository.add_attempts(
                [
                    _attempt_row(i, c, o, attempted_at)
                    for i, c, o in zip(ids, claims, outcomes, strict=True)
                ]
            )
            health: dict[str, list[tuple[ClaimedDelivery, AttemptOutcome, bool]]] = {}
            delivered: dict[int, list[str]] = {}  # by status code: one UPDATE each
            for claim, outcome in zip(claims, outcomes, strict=True):
                gave_up = False
                if outcome.succeeded:
                    assert outcome.status_code is not None
                    delivered.setdefault(outcome.status_code, []).append(claim.id)
                else:
                    gave_up = self._settle_failure(repository, claim, outcome, now)
                health.setdefault(claim.endpoint_id, []).append((claim, outcome, gave_up))
            for status_code, ids in delivered.items():
                repository.mark_delivered(ids, owner=self.owner, now=now, status_code=status_code)
            endpoints = repository.endpoints_by_id(health)
            for endpoint_id, results in health.items():
                endpoint = endpoints.get(endpoint_id)
                if endpoint is not None:
                    self._note_health(uow, repository, endpoint, results, now)
            uow.commit()

    def _settle_failure(
        self,
        repository: WebhookRepository,
        claim: ClaimedDelivery,
        outcome: AttemptOutcome,
        now: datetime,
    ) -> bool:
        """Pending again after a backoff, or given up (True) once the window is spent."""
        retry_at = self.schedule.next_attempt(
            first_attempted_at=claim.first_attempted_at,
            failed_at=now,
            failed_attempts=claim.attempt,
            rng=self.rng,
        )
        repository.mark_failed_attempt(
            claim.id, owner=self.owner, now=now, status_code=outcome.status_code,
            error=outcome.error or "failed", retry_at=retry_at,
        )  # fmt: skip
        return retry_at is None

    def _note_health(
        self,
        uow: UnitOfWork,
        repository: WebhookRepository,
        endpoint: WebhookEndpoint,
        results: list[tuple[ClaimedDelivery, AttemptOutcome, bool]],
        now: datetime,
    ) -> None:
        """Persistent failure: a delivery was given up after its three days of attempts, and
        the endpoint has not had one success since that delivery's first attempt."""
        if any(outcome.succeeded for _, outcome, _ in results):
            endpoint.failing_since = None
            return
        if endpoint.failing_since is None:
            endpoint.failing_since = min(claim.first_attempted_at for claim, _, _ in results)
        failing_since = endpoint.failing_since
        persistent = any(
            gave_up and failing_since <= claim.first_attempted_at for claim, _, gave_up in results
        )
        if not endpoint.enabled or not persistent:
            return
        last = results[-1][1].error or "failed"
        reason = (
            f"no successful delivery since {endpoint.failing_since.isoformat()} "
            f"(last attempt: {last})"
        )
        endpoint.enabled = False
        endpoint.disabled_at = now
        endpoint.disabled_reason = reason
        endpoint.updated_at = now
        repository.fail_open_deliveries(endpoint.id, now=now, reason="endpoint disabled")
        uow.record(
            WebhookEndpointDisabled(
                merchant_id=endpoint.merchant_id, endpoint_id=endpoint.id, url=endpoint.url,
                reason=reason, occurred_at=now,
            )
        )  # fmt: skip
        log.warning("webhook endpoint %s disabled: %s", endpoint.id, reason)

    def _purge_now_and_then(self) -> None:
        """Events (with their deliveries and attempts) are kept 30 days."""
        moment = time.monotonic()
        if self._purged_at is not None and moment - self._purged_at < PURGE_EVERY_SECONDS:
            return
        self._purged_at = moment
        cutoff = self.clock() - RETENTION
        while True:
            with self.database.unit_of_work() as uow:
                purged = WebhookRepository(uow.session).purge_events_before(cutoff, limit=2000)
                uow.commit()
            if purged < 2000:
                return


def _attempt_row(
    attempt_id: str, claim: ClaimedDelivery, outcome: AttemptOutcome, now: datetime
) -> dict[str, object]:
    return {
        "id": attempt_id,
        "delivery_id": claim.id,
        "endpoint_id": claim.endpoint_id,
        "event_id": claim.event_id,
        "attempt": claim.attempt,
        "attempted_at": now,
        "succeeded": outcome.succeeded,
        "status_code": outcome.status_code,
        "latency_ms": outcome.latency_ms,
        "error": outcome.error,
        "response_excerpt": outcome.excerpt,
    }
