"""Uploaded files are kept for the retention period, then removed, unless an unfinished batch
job still names them (it resumes from the file): on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import uuid
from datetime import timedelta
from pathlib import Path

from postbridge.bulk.batches import RUN_BATCH_JOB
from postbridge.bulk.retention import sweep_uploads
from postbridge.jobs.models import JobStatus
from postbridge.jobs.repository import JobRepository
from postbridge.kit.clock import utc_now
from postbridge.storage.unit_of_work import Database

RETENTION = timedelta(days=30)


def upload(folder: Path, *, age: timedelta) -> Path:
    path = folder / f"upl_{uuid.uuid4().hex}.csv"
    path.write_text("reference\nR1\n")
    when = (utc_now() - age).timestamp()
    os.utime(path, (when, when))
    return path


def batch_job(db: Database, source: Path, status: str) -> None:
    now = utc_now()
    with db.unit_of_work() as uow:
        job = JobRepository(uow.session).enqueue(
            kind=RUN_BATCH_JOB, payload={"batch_id": f"bat_{uuid.uuid4().hex}", "source": str(source)},
            now=now,
        )  # fmt: skip
        job.status = status
        uow.commit()


def test_old_uploads_go_unless_an_unfinished_batch_needs_them(db: Database, tmp_path: Path) -> None:
    old_done = upload(tmp_path, age=timedelta(days=31))
    old_orphan = upload(tmp_path, age=timedelta(days=45))
    old_queued = upload(tmp_path, age=timedelta(days=40))
    old_dead = upload(tmp_path, age=timedelta(days=60))
    recent = upload(tmp_path, age=timedelta(days=29))
    other = tmp_path / "notes.csv"  # not an upload: never touched
    other.write_text("x")
    os.utime(other, (0, 0))
    batch_job(db, old_done, JobStatus.DONE)
    batch_job(db, old_queued, JobStatus.QUEUED)
    batch_job(db, old_dead, JobStatus.DEAD)  # an operator may retry it: it resumes from the file

    removed = sweep_uploads(database=db, folder=tmp_path, retention=RETENTION, now=utc_now())

    assert sorted(removed) == sorted([old_done, old_orphan])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [old_queued.name, old_dead.name, recent.name, other.name]
    )
    assert sweep_uploads(database=db, folder=tmp_path, retention=RETENTION, now=utc_now()) == []
