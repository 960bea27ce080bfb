"""Uploaded CSV files are kept for ``POSTBRIDGE_UPLOAD_RETENTION_DAYS`` (they hold buyers'
names, addresses and phones); after that the stored rows (shipments, row errors, results) are
what remains of an upload.

A file an unfinished batch job still names (queued, running, or dead for an operator to retry)
is kept whatever its age: that job resumes from it. The job worker sweeps now and then
(``worker.loop``); a sweep is a directory listing and, when old files are found, one query.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

from postbridge.bulk.batches import RUN_BATCH_JOB
from postbridge.jobs.models import JobStatus
from postbridge.jobs.repository import JobRepository
from postbridge.storage.unit_of_work import Database

log = logging.getLogger(__name__)

UPLOAD_PATTERN = "upl_*.csv"


def sweep_uploads(
    *, database: Database, folder: Path, retention: timedelta, now: datetime
) -> list[Path]:
    """Remove the uploads older than ``retention`` that no unfinished batch job names; the
    files removed."""
    cutoff = (now - retention).timestamp()
    old = [path for path in folder.glob(UPLOAD_PATTERN) if _modified(path) < cutoff]
    if not old:
        return []
    with database.unit_of_work() as uow:
        needed = JobRepository(uow.session).payload_values(
            RUN_BATCH_JOB, "source", statuses=(JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.DEAD)
        )
    removed = []
    for path in old:
        if str(path) in needed:
            continue
        path.unlink(missing_ok=True)
        removed.append(path)
    if removed:
        log.info("removed %d uploaded file(s) older than %s", len(removed), retention)
    return removed


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # removed meanwhile (another worker's sweep)
        return float("inf")
