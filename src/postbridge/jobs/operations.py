"""Operators' use cases on jobs: list them (dead letters first of all), retry a dead one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from postbridge.errors import Conflict, InvalidInput, NotFound
from postbridge.jobs.models import Job, JobStatus
from postbridge.jobs.repository import JobRepository
from postbridge.kit.clock import utc_now
from postbridge.storage.unit_of_work import Database


@dataclass(frozen=True, slots=True)
class JobView:
    id: str
    kind: str
    status: str
    attempts: int
    max_attempts: int
    run_after: datetime
    lease_owner: str | None
    lease_expires_at: datetime | None
    last_error: str | None
    dedupe_key: str | None
    payload: dict[str, Any]
    created_at: datetime
    finished_at: datetime | None

    @classmethod
    def of(cls, job: Job) -> JobView:
        return cls(
            job.id, job.kind, job.status, job.attempts, job.max_attempts, job.run_after,
            job.lease_owner, job.lease_expires_at, job.last_error, job.dedupe_key, job.payload,
            job.created_at, job.finished_at,
        )  # fmt: skip


def list_jobs(
    *, database: Database, status: str | None = None, kind: str | None = None, limit: int = 50
) -> list[JobView]:
    if status is not None and status not in JobStatus.ALL:
        raise InvalidInput.for_field("status", f"expected one of {', '.join(JobStatus.ALL)}")
    with database.unit_of_work() as uow:
        jobs = JobRepository(uow.session).listing(status=status, kind=kind, limit=limit)
        return [JobView.of(job) for job in jobs]


def retry_job(*, database: Database, job_id: str) -> JobView:
    """Queue a dead job again with fresh attempts; other states are left as they are."""
    with database.unit_of_work() as uow:
        job = JobRepository(uow.session).retry(job_id, now=utc_now())
        if job is None:
            raise NotFound(f"job {job_id} does not exist")
        if job.status not in (JobStatus.QUEUED, JobStatus.DEAD):
            raise Conflict(
                f"job {job_id} is {job.status}: only dead jobs are retried", code="job_not_dead"
            )
        view = JobView.of(job)
        uow.commit()
    return view
