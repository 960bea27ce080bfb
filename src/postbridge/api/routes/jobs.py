"""Operator API on the worker's durable jobs: list them (dead letters), retry a dead one."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from postbridge.api.deps import OperatorDep, PlatformDep
from postbridge.jobs.operations import JobView, list_jobs, retry_job

router = APIRouter(prefix="/jobs", tags=["jobs"])

JOB_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing or invalid API key (problem+json)."},
    403: {"description": "The key is a merchant key; these routes need an operator key."},
    404: {"description": "No such job (problem+json)."},
    409: {"description": "The job is not dead: only dead jobs are retried."},
    422: {"description": "Invalid query parameters; `errors` names each field."},
}


class JobRead(BaseModel):
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


class JobList(BaseModel):
    items: list[JobRead]


def job_read(job: JobView) -> JobRead:
    return JobRead.model_validate(job, from_attributes=True)


@router.get("", response_model=JobList, summary="Jobs, newest first", responses=JOB_RESPONSES)
def read_jobs(
    platform: PlatformDep,
    _: OperatorDep,
    status: Annotated[Literal["queued", "running", "done", "dead"] | None, Query()] = None,
    kind: Annotated[str | None, Query(max_length=60)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> JobList:
    jobs = list_jobs(database=platform.database, status=status, kind=kind, limit=limit)
    return JobList(items=[job_read(job) for job in jobs])


@router.post(
    "/{job_id}/retry",
    response_model=JobRead,
    summary="Queue a dead job again with fresh attempts",
    responses=JOB_RESPONSES,
)
def retry(job_id: str, platform: PlatformDep, _: OperatorDep) -> JobRead:
    return job_read(retry_job(database=platform.database, job_id=job_id))
