"""Run one job: claim it under a lease, call its handler, then settle it.

Settling: done; or, on an error, queued again after a backoff (jobs.retry) until
``max_attempts``, then dead (an operator lists and retries dead jobs). A handler that runs
longer than a lease calls ``context.heartbeat()`` now and then (bulk capture does, per
committed chunk): it extends the lease, and raises when the worker is stopping (the job is
given back without counting the attempt) or when the lease was lost to another worker. A job
whose worker was killed keeps its expired lease until another worker claims it again.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from postbridge.errors import PartnerUnavailable
from postbridge.jobs.repository import ClaimedJob, JobRepository
from postbridge.jobs.retry import retry_delay
from postbridge.kit.clock import utc_now
from postbridge.kit.structured_logs import error_summary
from postbridge.storage.unit_of_work import Database

log = logging.getLogger(__name__)


class PermanentFailure(Exception):
    """Raised by a handler when running the job again cannot help: it goes dead at once."""


class LeaseLost(Exception):
    """The lease expired and another worker claimed the job; this run must stop."""


class WorkerStopping(Exception):
    """The worker was asked to stop; the job is given back to the queue."""


class JobContext:
    """What a handler may do besides its work: keep its lease alive."""

    def __init__(self, runner: JobRunner, job: ClaimedJob) -> None:
        self._runner = runner
        self.job = job
        self._last_beat = time.monotonic()

    def heartbeat(self) -> None:
        runner = self._runner
        if runner.stopping():
            raise WorkerStopping()
        # Writing the lease costs a transaction: do it a few times per lease, not per call.
        if time.monotonic() - self._last_beat < runner.lease.total_seconds() / 3:
            return
        with runner.database.unit_of_work() as uow:
            kept = JobRepository(uow.session).extend_lease(
                self.job.id, owner=runner.owner, until=runner.clock() + runner.lease
            )
            uow.commit()
        if not kept:
            raise LeaseLost(f"job {self.job.id}: lease lost to another worker")
        self._last_beat = time.monotonic()


JobHandler = Callable[[ClaimedJob, JobContext], None]
# Called once when a job goes dead, with its last error: a handler's own bookkeeping (a batch
# marked failed), so that nothing waits for a job that will not run again on its own.
DeadJobHook = Callable[[ClaimedJob, str], None]


class JobRunner:
    def __init__(
        self,
        database: Database,
        handlers: Mapping[str, JobHandler],
        *,
        owner: str,
        lease: timedelta,
        clock: Callable[[], datetime] = utc_now,
        rng: random.Random | None = None,
        stopping: Callable[[], bool] = lambda: False,
        on_dead: Mapping[str, DeadJobHook] | None = None,
    ) -> None:
        self.database = database
        self.handlers = dict(handlers)
        self.on_dead = dict(on_dead or {})
        self.owner = owner
        self.lease = lease
        self.clock = clock
        self.rng = rng or random.Random()
        self.stopping = stopping

    def claim(self) -> ClaimedJob | None:
        with self.database.unit_of_work() as uow:
            job = JobRepository(uow.session).claim(
                owner=self.owner, kinds=self.handlers, now=self.clock(), lease=self.lease
            )
            uow.commit()
        return job

    def run_next(self) -> ClaimedJob | None:
        """Claim and run one due job; None when there is none."""
        job = self.claim()
        if job is None:
            return None
        if job.attempts > job.max_attempts:
            # Its last attempt's worker vanished (lease expired): no attempt is left.
            self._settle(job, error="lease expired on the last attempt", retry=False)
            return job
        try:
            self.handlers[job.kind](job, JobContext(self, job))
        except WorkerStopping:
            with self.database.unit_of_work() as uow:
                JobRepository(uow.session).release(job.id, owner=self.owner, now=self.clock())
                uow.commit()
        except LeaseLost:
            log.warning("job %s (%s): lease lost, left to its new owner", job.id, job.kind)
        except PermanentFailure as exc:
            self._settle(job, error=_describe(exc), retry=False)
        except Exception as exc:  # any handler error is the job's failure, not the worker's
            log.exception("job %s (%s) failed, attempt %d", job.id, job.kind, job.attempts)
            self._settle(
                job, error=_describe(exc), retry=job.attempts < job.max_attempts,
                not_before_s=_retry_after(exc),
            )  # fmt: skip
        else:
            with self.database.unit_of_work() as uow:
                JobRepository(uow.session).finish(job.id, owner=self.owner, now=self.clock())
                uow.commit()
        return job

    def _settle(
        self, job: ClaimedJob, *, error: str, retry: bool, not_before_s: float | None = None
    ) -> None:
        """``not_before_s``: a partner's ``Retry-After`` longer than its client waits within a
        call; the retry is not due before it, whatever the backoff says."""
        now = self.clock()
        retry_at = None
        if retry:
            delay = retry_delay(job.attempts, rng=self.rng)
            if not_before_s is not None:
                delay = max(delay, timedelta(seconds=not_before_s))
            retry_at = now + delay
        with self.database.unit_of_work() as uow:
            JobRepository(uow.session).fail(
                job.id, owner=self.owner, now=now, error=error, retry_at=retry_at
            )
            uow.commit()
        hook = self.on_dead.get(job.kind) if retry_at is None else None
        if hook is not None:
            try:
                hook(job, error)
            except Exception:  # the job is dead either way; the hook's failure is only logged
                log.exception("job %s (%s): dead-letter hook failed", job.id, job.kind)


def _describe(exc: BaseException) -> str:
    # Stored and shown (jobs list, a failed batch's error): never a failing row's data.
    return error_summary(exc)


def _retry_after(exc: Exception) -> float | None:
    """The seconds a partner asked to wait (``Retry-After`` on a 429 or 503), if it did."""
    if isinstance(exc, PartnerUnavailable):
        value = exc.extra.get("retry_after_s")
        return float(value) if isinstance(value, int | float) else None
    return None
