"""Durable jobs on SQLite and PostgreSQL: claim, lease expiry, retry with backoff, dead letters,
and concurrent claimers that never share a job. Each test uses its own job kind: the database
is shared by the whole session."""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest

from postbridge.errors import Conflict, PartnerUnavailable
from postbridge.jobs.models import JobStatus
from postbridge.jobs.operations import list_jobs, retry_job
from postbridge.jobs.repository import ClaimedJob, JobRepository, NewJob
from postbridge.jobs.retry import retry_delay
from postbridge.jobs.runner import JobContext, JobHandler, JobRunner, PermanentFailure
from postbridge.kit.clock import utc_now
from postbridge.storage.unit_of_work import Database

LEASE = timedelta(seconds=30)


class Clock:
    def __init__(self) -> None:
        self.now = utc_now().replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now


def enqueue(
    db: Database, kind: str, *, now: datetime, max_attempts: int = 3, **payload: int
) -> str:
    with db.unit_of_work() as uow:
        job = JobRepository(uow.session).enqueue(
            kind=kind, payload=dict(payload), now=now, max_attempts=max_attempts
        )
        uow.commit()
    return job.id


def runner(
    db: Database, kind: str, handler: JobHandler, clock: Clock, owner: str = "w1", seed: int = 1
) -> JobRunner:
    return JobRunner(
        db, {kind: handler}, owner=owner, lease=LEASE, clock=clock, rng=random.Random(seed)
    )


def job_row(db: Database, job_id: str) -> tuple[str, int, datetime, str | None]:
    with db.unit_of_work() as uow:
        job = JobRepository(uow.session).get(job_id)
        assert job is not None
        return job.status, job.attempts, job.run_after, job.last_error


def test_a_job_runs_once_when_due(db: Database) -> None:
    kind, clock, seen = f"test.{uuid.uuid4().hex[:8]}", Clock(), []
    later = enqueue(db, kind, now=clock.now + timedelta(minutes=5), n=2)
    now = enqueue(db, kind, now=clock.now, n=1)
    work = runner(db, kind, lambda job, _: seen.append(job.payload["n"]), clock)

    assert work.run_next() is not None
    assert work.run_next() is None  # the other is not due yet
    assert seen == [1]
    assert job_row(db, now)[:2] == (JobStatus.DONE, 1)
    assert job_row(db, later)[:2] == (JobStatus.QUEUED, 0)


def test_an_expired_lease_is_claimed_again(db: Database) -> None:
    kind, clock = f"test.{uuid.uuid4().hex[:8]}", Clock()
    job_id = enqueue(db, kind, now=clock.now)
    lost = runner(db, kind, lambda *_: None, clock, owner="killed")
    first = lost.claim()  # ... and the worker dies holding it
    assert first is not None
    assert first.attempts == 1
    other = runner(db, kind, lambda *_: None, clock, owner="w2")
    assert other.claim() is None  # leased

    clock.now += LEASE + timedelta(seconds=1)
    again = other.claim()

    assert again is not None
    assert (again.id, again.attempts) == (job_id, 2)
    with db.unit_of_work() as uow:
        repo = JobRepository(uow.session)
        assert not repo.finish(job_id, owner="killed", now=clock.now)  # not its job any more
        assert repo.finish(job_id, owner="w2", now=clock.now)
        uow.commit()
    assert job_row(db, job_id)[:2] == (JobStatus.DONE, 2)


def test_failures_back_off_then_go_dead_and_an_operator_retries(db: Database) -> None:
    kind, clock = f"test.{uuid.uuid4().hex[:8]}", Clock()
    job_id = enqueue(db, kind, now=clock.now, max_attempts=3)

    def broken(job: ClaimedJob, _: JobContext) -> None:
        raise ValueError(f"attempt {job.attempts} failed")

    work = runner(db, kind, broken, clock, seed=5)
    expected = random.Random(5)
    for attempt in (1, 2):
        assert work.run_next() is not None
        status, attempts, run_after, error = job_row(db, job_id)
        assert (status, attempts, error) == (
            "queued",
            attempt,
            f"ValueError: attempt {attempt} failed",
        )
        delay = retry_delay(attempt, rng=expected)
        assert run_after == clock.now + delay
        assert timedelta(seconds=2**attempt * 0.5) <= delay < timedelta(seconds=2**attempt * 1.5)
        assert work.run_next() is None  # not before its backoff
        clock.now = run_after
    assert work.run_next() is not None

    assert job_row(db, job_id)[:2] == (JobStatus.DEAD, 3)
    dead = [job.id for job in list_jobs(database=db, status="dead", kind=kind)]
    assert dead == [job_id]
    retried = retry_job(database=db, job_id=job_id)
    assert (retried.status, retried.attempts, retried.last_error) == (
        "queued", 0, "ValueError: attempt 3 failed"
    )  # fmt: skip
    runner(db, kind, lambda *_: None, clock).run_next()
    assert job_row(db, job_id)[:2] == (JobStatus.DONE, 1)
    with pytest.raises(Conflict, match="only dead jobs are retried"):
        retry_job(database=db, job_id=job_id)


def test_a_permanent_failure_goes_dead_at_once(db: Database) -> None:
    kind, clock = f"test.{uuid.uuid4().hex[:8]}", Clock()
    job_id = enqueue(db, kind, now=clock.now, max_attempts=5)

    def hopeless(*_: object) -> None:
        raise PermanentFailure("the file is gone")

    runner(db, kind, hopeless, clock).run_next()
    assert job_row(db, job_id) == ("dead", 1, clock.now, "PermanentFailure: the file is gone")


def test_a_lost_worker_on_its_last_attempt_leaves_a_dead_job(db: Database) -> None:
    kind, clock = f"test.{uuid.uuid4().hex[:8]}", Clock()
    job_id = enqueue(db, kind, now=clock.now, max_attempts=1)
    assert runner(db, kind, lambda *_: None, clock, owner="killed").claim() is not None
    clock.now += LEASE * 2
    ran: list[str] = []
    runner(db, kind, lambda job, _: ran.append(job.id), clock, owner="w2").run_next()
    assert ran == []
    assert job_row(db, job_id)[:2] == ("dead", 2)


def test_the_dead_letter_hook_runs_once_when_a_job_goes_dead(db: Database) -> None:
    kind, clock = f"test.{uuid.uuid4().hex[:8]}", Clock()
    job_id = enqueue(db, kind, now=clock.now, max_attempts=2)
    closed: list[tuple[str, str]] = []

    def broken(*_: object) -> None:
        raise RuntimeError("disk full")

    def run_once() -> None:
        JobRunner(
            db, {kind: broken}, owner="w1", lease=LEASE, clock=clock, rng=random.Random(1),
            on_dead={kind: lambda job, error: closed.append((job.id, error))},
        ).run_next()  # fmt: skip

    run_once()
    assert closed == []  # retried later: nothing to close yet
    clock.now += timedelta(days=1)
    run_once()
    assert job_row(db, job_id)[:2] == ("dead", 2)
    assert closed == [(job_id, "RuntimeError: disk full")]


def test_a_stopping_worker_gives_its_job_back_uncounted(db: Database) -> None:
    kind, clock = f"test.{uuid.uuid4().hex[:8]}", Clock()
    job_id = enqueue(db, kind, now=clock.now)
    stopping = threading.Event()

    def long_job(_: ClaimedJob, context: JobContext) -> None:
        stopping.set()  # SIGTERM arrives mid-job
        context.heartbeat()

    work = JobRunner(db, {kind: long_job}, owner="w1", lease=LEASE, clock=clock,
                     stopping=stopping.is_set)  # fmt: skip
    work.run_next()
    assert job_row(db, job_id)[:2] == ("queued", 0)


def test_concurrent_claimers_never_share_a_job(db: Database) -> None:
    kind, clock = f"test.{uuid.uuid4().hex[:8]}", Clock()
    count = 60 if db.dialect == "postgresql" else 20
    ids = {enqueue(db, kind, now=clock.now) for _ in range(count)}
    claimed: list[str] = []
    lock = threading.Lock()

    def claimer(owner: str) -> Callable[[], None]:
        def claim_all() -> None:
            work = runner(db, kind, lambda *_: None, clock, owner=owner)
            while (job := work.claim()) is not None:
                with lock:
                    claimed.append(job.id)

        return claim_all

    with ThreadPoolExecutor(max_workers=6) as pool:
        for future in [pool.submit(claimer(f"w{n}")) for n in range(6)]:
            future.result()
    assert sorted(claimed) == sorted(ids)  # each job exactly once
    with db.unit_of_work() as uow:
        owners = {JobRepository(uow.session).get(i).lease_owner for i in ids}  # type: ignore[union-attr]
    assert len(owners) > 1 or db.dialect == "sqlite"


def test_a_dedupe_key_queues_one_job(db: Database) -> None:
    kind, clock = f"test.{uuid.uuid4().hex[:8]}", Clock()
    key = f"{kind}:once"
    ids = []
    for _ in range(2):
        with db.unit_of_work() as uow:
            job = JobRepository(uow.session).enqueue(
                kind=kind, payload={}, now=clock.now, dedupe_key=key
            )
            ids.append(job.id)
            uow.commit()
    assert ids[0] == ids[1]
    assert [job.id for job in list_jobs(database=db, kind=kind)] == [ids[0]]


def test_enqueue_many_adds_each_dedupe_key_once_across_and_within_calls(db: Database) -> None:
    kind = f"test.many.{uuid.uuid4().hex[:8]}"
    now = utc_now().replace(microsecond=0)
    tag = uuid.uuid4().hex[:8]
    with db.unit_of_work() as uow:
        JobRepository(uow.session).enqueue(
            kind=kind, payload={"n": 0}, now=now, dedupe_key=f"{tag}:a"
        )
        uow.commit()
    batch = [
        NewJob(kind=kind, payload={"n": 1}, dedupe_key=f"{tag}:a"),  # taken by the first call
        NewJob(kind=kind, payload={"n": 2}, dedupe_key=f"{tag}:b", max_attempts=9),
        NewJob(kind=kind, payload={"n": 3}, dedupe_key=f"{tag}:b"),  # repeated in the call
        NewJob(kind=kind, payload={"n": 4}, run_after=now + timedelta(minutes=5)),
        NewJob(kind=kind, payload={"n": 5}),  # no key: always added
    ]
    with db.unit_of_work() as uow:
        assert JobRepository(uow.session).enqueue_many(batch, now=now) == 3
        uow.commit()
    with db.unit_of_work() as uow:
        assert JobRepository(uow.session).enqueue_many(batch[:3], now=now) == 0
        uow.commit()
    with db.unit_of_work() as uow:
        by_n = {
            job.payload["n"]: (job.status, job.max_attempts, job.run_after, job.dedupe_key)
            for job in JobRepository(uow.session).listing(status=None, kind=kind, limit=10)
        }
    assert by_n == {
        0: (JobStatus.QUEUED, 5, now, f"{tag}:a"),
        2: (JobStatus.QUEUED, 9, now, f"{tag}:b"),
        4: (JobStatus.QUEUED, 5, now + timedelta(minutes=5), None),
        5: (JobStatus.QUEUED, 5, now, None),
    }


def test_a_partners_retry_after_delays_the_retry_past_the_backoff(db: Database) -> None:
    kind, clock = f"test.{uuid.uuid4().hex[:8]}", Clock()
    job_id = enqueue(db, kind, now=clock.now, max_attempts=3)

    def throttled(_job: ClaimedJob, _: JobContext) -> None:
        raise PartnerUnavailable(
            "USPS: the tracking request answered HTTP 429", partner="USPS", status=429,
            retry_after_s=600.0,
        )  # fmt: skip

    work = runner(db, kind, throttled, clock, seed=5)
    assert work.run_next() is not None
    status, attempts, run_after, error = job_row(db, job_id)
    assert (status, attempts) == ("queued", 1)
    assert run_after == clock.now + timedelta(seconds=600)  # not the ~1 s backoff
    assert error == "PartnerUnavailable: USPS: the tracking request answered HTTP 429"
    clock.now += timedelta(seconds=599)
    assert work.run_next() is None
