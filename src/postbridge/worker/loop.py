"""The worker's loop: relay a page of outbox events, run one due job, deliver due webhooks,
sleep when idle.

A worker has a role: ``all`` of that (``postbridge worker``), ``jobs`` (the durable jobs) or
``events`` (the outbox relay and webhook deliveries). ``postbridge serve`` starts one of each:
a job can run for minutes (a bulk batch) or wait on a partner's retries, and events must not
wait behind it, so the relay and the deliveries keep their own process, and their own core for
delivery's CPU-bound HTTP (signing, sending, parsing answers). Delivery claims and relay pages
never overlap on PostgreSQL, and the consumers' inbox absorbs SQLite's overlaps, so any number
of ``events`` workers can run side by side.

One thread: bulk batches fork their pipeline processes, and forking a process that runs other
threads risks children inheriting a lock held mid-operation. The relay therefore waits while a
long job runs; start more workers (``postbridge worker`` as many times as wanted: claims and
relay pages never overlap on PostgreSQL, and the consumers' inbox absorbs SQLite's overlaps)
for fresher events under heavy load. SIGTERM and SIGINT stop the loop after the current step;
a running batch gives its job back at its next chunk.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import time
from datetime import timedelta
from types import FrameType

from postbridge.bootstrap import Platform, event_consumers
from postbridge.bulk.retention import sweep_uploads
from postbridge.handover.tracking_push import queue_subscriptions
from postbridge.jobs.relay import OutboxRelay
from postbridge.jobs.runner import JobRunner
from postbridge.kit.clock import utc_now
from postbridge.kit.ids import new_id
from postbridge.webhooks.dispatcher import WebhookDispatcher
from postbridge.webhooks.sealing import SecretSealer
from postbridge.worker.handlers import dead_job_hooks, job_handlers
from postbridge.worker.roles import WorkerRole
from postbridge.worker.settings import WorkerSettings

log = logging.getLogger(__name__)

UPLOAD_SWEEP_EVERY_SECONDS = 3600.0


class Worker:
    def __init__(
        self,
        platform: Platform,
        settings: WorkerSettings | None = None,
        *,
        role: WorkerRole = WorkerRole.ALL,
    ) -> None:
        self.settings = settings or WorkerSettings()
        self.role = role
        self.platform = platform
        self._swept_at: float | None = None
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{new_id('wkr')[-6:]}"
        self._stopping = False  # a plain flag: the signal handler only sets it
        self.relay = OutboxRelay(
            platform.database, event_consumers(), page=self.settings.relay_page
        )
        self.runner = JobRunner(
            platform.database,
            job_handlers(platform),
            owner=self.owner,
            lease=timedelta(seconds=self.settings.lease_seconds),
            stopping=lambda: self._stopping,
            on_dead=dead_job_hooks(platform),
        )
        # Webhook deliveries: claimed rows sent with a timeout each, at most a step's budget
        # per step, so a slow receiver delays neither the relay nor the jobs for long.
        self.webhooks = WebhookDispatcher(
            platform.database,
            SecretSealer.from_server_secret(
                platform.settings.secret_key, platform.settings.previous_peppers
            ),
            owner=self.owner,
            production=platform.settings.env == "production",
        )

    def step(self) -> bool:
        """One relay page, one job and a round of webhook deliveries; False when there was
        nothing to do."""
        relayed, ran, delivered = 0, False, 0
        if self.role is not WorkerRole.JOBS:
            relayed = self.relay.relay_once()
        if self.role is not WorkerRole.EVENTS:
            ran = self.runner.run_next() is not None
            self._sweep_uploads_now_and_then()
        if self.role is not WorkerRole.JOBS:
            delivered = self.webhooks.deliver_due()
        return bool(relayed) or ran or bool(delivered)

    @property
    def idle_seconds(self) -> float:
        """How long to sleep after a step that found nothing to do."""
        if self.role is WorkerRole.EVENTS:
            return self.settings.events_poll_seconds
        return self.settings.poll_seconds

    def drain(self) -> None:
        """Step until idle (``postbridge worker --once``, tests)."""
        while self.step():
            pass

    def stop(self) -> None:
        self._stopping = True

    def run(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)
        log.info("worker %s started (%s)", self.owner, self.role)
        if self.role is not WorkerRole.EVENTS:
            self._queue_subscriptions()
        failures = 0
        while not self._stopping:
            try:
                busy = self.step()
                failures = 0
            except Exception:  # the database restarting must not end the worker
                failures += 1
                log.exception("worker step failed (%d in a row); pausing", failures)
                busy = False
            if not busy:
                # Poll when idle; back off (up to a minute) while the database keeps failing.
                time.sleep(min(60.0, self.idle_seconds * 2 ** min(failures, 7)))
        log.info("worker %s stopped", self.owner)

    def _sweep_uploads_now_and_then(self) -> None:
        """Uploads past their retention are removed, at most once an hour (bulk.retention)."""
        moment = time.monotonic()
        if self._swept_at is not None and moment - self._swept_at < UPLOAD_SWEEP_EVERY_SECONDS:
            return
        self._swept_at = moment
        settings = self.platform.settings
        folder = settings.var_dir / "batches"
        if folder.is_dir():
            sweep_uploads(
                database=self.platform.database, folder=folder,
                retention=timedelta(days=settings.upload_retention_days), now=utc_now(),
            )  # fmt: skip

    def _queue_subscriptions(self) -> None:
        """Partners that push tracking get a subscription to our listener, once per URL."""
        clients = self.platform.partner_clients
        if clients is None:
            return
        try:
            queue_subscriptions(
                database=self.platform.database, clients=clients,
                public_base_url=self.platform.settings.public_base_url,
            )  # fmt: skip
        except Exception:  # the database may not answer yet: the loop starts all the same
            log.exception("could not queue the partners' tracking subscriptions")

    def _on_signal(self, _signum: int, _frame: FrameType | None) -> None:
        self._stopping = True
