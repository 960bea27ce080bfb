"""Every query on jobs and the consumers' inbox.

Claiming is one conditional ``UPDATE ... WHERE id = (SELECT ... LIMIT 1) RETURNING``: on
PostgreSQL the inner select takes ``FOR UPDATE SKIP LOCKED``, so concurrent workers never get
the same job and never wait for each other; SQLite runs one writer at a time, so the statement
is atomic there by itself.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, insert, or_, select, update
from sqlalchemy.orm import Session

from postbridge.jobs.models import InboxEntry, Job, JobStatus
from postbridge.kit.ids import new_id, new_ids
from postbridge.kit.text import storable

_jobs = cast(Table, Job.__table__)
_inbox = cast(Table, InboxEntry.__table__)
_DEDUPE_LOOKUP_CHUNK = 500


@dataclass(frozen=True, slots=True)
class NewJob:
    kind: str
    payload: dict[str, Any]
    dedupe_key: str | None = None
    max_attempts: int = 5
    run_after: datetime | None = None


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    id: str
    kind: str
    payload: dict[str, Any]
    attempts: int  # this attempt included
    max_attempts: int


class JobRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def enqueue(
        self,
        *,
        kind: str,
        payload: dict[str, Any],
        now: datetime,
        dedupe_key: str | None = None,
        max_attempts: int = 5,
        run_after: datetime | None = None,
    ) -> Job:
        """Add a queued job to the caller's transaction (it runs once that commits). With a
        ``dedupe_key`` already used, the existing job is returned and nothing is added (two
        racing transactions: the second fails on the unique key at commit)."""
        if dedupe_key is not None:
            existing = self.by_dedupe_key(dedupe_key)
            if existing is not None:
                return existing
        job = Job(
            id=new_id("job"),
            kind=kind,
            payload=payload,
            status=JobStatus.QUEUED,
            attempts=0,
            max_attempts=max_attempts,
            run_after=run_after or now,
            dedupe_key=dedupe_key,
            created_at=now,
            updated_at=now,
        )
        self.session.add(job)
        return job

    def enqueue_many(self, new_jobs: Sequence[NewJob], *, now: datetime) -> int:
        """``enqueue`` for many jobs at once: one lookup of the dedupe keys already used per
        500 keys and one multi-row INSERT, instead of a query and an ORM object per job (the
        outbox consumers enqueue a job per booked parcel; this is their hot path). Returns
        how many were added; a key repeated within ``new_jobs`` is added once."""
        keys = [job.dedupe_key for job in new_jobs if job.dedupe_key is not None]
        taken: set[str] = set()
        for start in range(0, len(keys), _DEDUPE_LOOKUP_CHUNK):
            chunk = keys[start : start + _DEDUPE_LOOKUP_CHUNK]
            taken.update(
                self.session.scalars(
                    select(_jobs.c.dedupe_key).where(_jobs.c.dedupe_key.in_(chunk))
                )
            )
        fresh: list[NewJob] = []
        for job in new_jobs:
            if job.dedupe_key is not None:
                if job.dedupe_key in taken:
                    continue
                taken.add(job.dedupe_key)
            fresh.append(job)
        if fresh:
            ids = new_ids("job", len(fresh))
            self.session.execute(
                insert(_jobs),
                [
                    {
                        "id": job_id,
                        "kind": job.kind,
                        "payload": job.payload,
                        "status": JobStatus.QUEUED,
                        "attempts": 0,
                        "max_attempts": job.max_attempts,
                        "run_after": job.run_after or now,
                        "dedupe_key": job.dedupe_key,
                        "created_at": now,
                        "updated_at": now,
                    }  # fmt: skip
                    for job_id, job in zip(ids, fresh, strict=True)
                ],
            )
        return len(fresh)

    def claim(
        self, *, owner: str, kinds: Collection[str], now: datetime, lease: timedelta
    ) -> ClaimedJob | None:
        """Take the next due job (queued and due, or running with an expired lease)."""
        claimable = and_(
            _jobs.c.kind.in_(list(kinds)),
            or_(
                and_(_jobs.c.status == JobStatus.QUEUED, _jobs.c.run_after <= now),
                and_(_jobs.c.status == JobStatus.RUNNING, _jobs.c.lease_expires_at < now),
            ),
        )
        candidate = (
            select(_jobs.c.id)
            .where(claimable)
            .order_by(_jobs.c.run_after, _jobs.c.id)
            .limit(1)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        row = self.session.execute(
            update(_jobs)
            .where(_jobs.c.id == candidate, claimable)
            .values(
                status=JobStatus.RUNNING,
                attempts=_jobs.c.attempts + 1,
                lease_owner=owner,
                lease_expires_at=now + lease,
                updated_at=now,
            )
            .returning(
                _jobs.c.id, _jobs.c.kind, _jobs.c.payload, _jobs.c.attempts, _jobs.c.max_attempts
            )
        ).one_or_none()
        if row is None:
            return None
        return ClaimedJob(row[0], row[1], row[2], int(row[3]), int(row[4]))

    def extend_lease(self, job_id: str, *, owner: str, until: datetime) -> bool:
        """False if the lease was lost (expired and claimed by another worker)."""
        return self._update_owned(job_id, owner, lease_expires_at=until, updated_at=until)

    def finish(self, job_id: str, *, owner: str, now: datetime) -> bool:
        return self._update_owned(
            job_id, owner, status=JobStatus.DONE, finished_at=now, updated_at=now,
            lease_owner=None, lease_expires_at=None,
        )  # fmt: skip

    def fail(
        self, job_id: str, *, owner: str, now: datetime, error: str, retry_at: datetime | None
    ) -> bool:
        """Queue the job again at ``retry_at``, or (None) move it to the dead letters."""
        status = JobStatus.QUEUED if retry_at is not None else JobStatus.DEAD
        return self._update_owned(
            job_id, owner, status=status, run_after=retry_at or now, last_error=error[:4000],
            updated_at=now, lease_owner=None, lease_expires_at=None,
            finished_at=None if retry_at is not None else now,
        )  # fmt: skip

    def release(self, job_id: str, *, owner: str, now: datetime) -> bool:
        """Give the job back without counting the attempt (the worker is stopping)."""
        return self._update_owned(
            job_id, owner, status=JobStatus.QUEUED, attempts=_jobs.c.attempts - 1, run_after=now,
            updated_at=now, lease_owner=None, lease_expires_at=None,
        )  # fmt: skip

    def _update_owned(self, job_id: str, owner: str, **values: Any) -> bool:
        result = self.session.execute(
            update(_jobs)
            .where(
                _jobs.c.id == job_id,
                _jobs.c.lease_owner == owner,
                _jobs.c.status == JobStatus.RUNNING,
            )
            .values(**values)
        )
        return bool(getattr(result, "rowcount", 0))

    def retry(self, job_id: str, *, now: datetime) -> Job | None:
        """A dead job queued again with fresh attempts (its last error is kept)."""
        if not storable(job_id):  # no such id can exist; PostgreSQL would refuse the query
            return None
        job = self.session.get(Job, job_id)
        if job is None:
            return None
        if job.status == JobStatus.DEAD:
            job.status = JobStatus.QUEUED
            job.attempts = 0
            job.run_after = now
            job.finished_at = None
            job.updated_at = now
        return job

    def get(self, job_id: str) -> Job | None:
        return self.session.get(Job, job_id)

    def payload_values(self, kind: str, key: str, *, statuses: Collection[str]) -> set[str]:
        """``payload[key]`` of every job of ``kind`` in ``statuses`` (few: unfinished ones)."""
        rows = self.session.execute(
            select(_jobs.c.payload).where(_jobs.c.kind == kind, _jobs.c.status.in_(list(statuses)))
        )
        return {str(payload[key]) for (payload,) in rows if key in payload}

    def by_dedupe_key(self, dedupe_key: str) -> Job | None:
        return self.session.scalars(select(Job).where(Job.dedupe_key == dedupe_key)).first()

    def listing(self, *, status: str | None, kind: str | None, limit: int) -> list[Job]:
        """Newest first."""
        query = select(Job)
        if status is not None:
            query = query.where(Job.status == status)
        if kind is not None:
            query = query.where(Job.kind == kind)
        return list(self.session.scalars(query.order_by(Job.created_at.desc()).limit(limit)))


class InboxRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def unseen(self, consumer: str, event_ids: Sequence[str]) -> set[str]:
        """The ids of ``event_ids`` this consumer has not applied yet."""
        if not event_ids:
            return set()
        seen = self.session.scalars(
            select(InboxEntry.event_id).where(
                InboxEntry.consumer == consumer, InboxEntry.event_id.in_(list(event_ids))
            )
        )
        return set(event_ids) - set(seen)

    def add(self, consumer: str, event_ids: Sequence[str], *, now: datetime) -> None:
        """Remember the events as applied; a concurrent relay that applied them first makes
        this fail on the primary key, and its transaction rolls back whole."""
        if event_ids:
            self.session.execute(
                insert(_inbox),
                [{"consumer": consumer, "event_id": i, "applied_at": now} for i in event_ids],
            )
