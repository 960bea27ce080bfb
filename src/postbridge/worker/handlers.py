"""The jobs the worker knows how to run, by kind, bound to the platform's collaborators."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from postbridge.bootstrap import Platform
from postbridge.bulk import batches
from postbridge.handover import jobs as handover_jobs
from postbridge.jobs.repository import ClaimedJob
from postbridge.jobs.runner import DeadJobHook, JobContext, JobHandler, PermanentFailure
from postbridge.webhooks import replay


def job_handlers(platform: Platform) -> dict[str, JobHandler]:
    return {
        batches.RUN_BATCH_JOB: partial(run_uploaded_batch, platform),
        replay.REPLAY_JOB: partial(replay_webhook_window, platform),
        **handover_handlers(platform),
    }


def dead_job_hooks(platform: Platform) -> dict[str, DeadJobHook]:
    """What to close when a job goes dead: an uploaded batch ends failed with the error (an
    operator who retries the job books the rest: ``run_uploaded_batch`` re-opens it)."""
    return {batches.RUN_BATCH_JOB: partial(fail_uploaded_batch, platform)}


def fail_uploaded_batch(platform: Platform, job: ClaimedJob, error: str) -> None:
    batches.fail_batch(
        database=platform.database,
        batch_id=job.payload["batch_id"],
        error=f"the batch could not be completed: {error}",
    )


def handover_handlers(platform: Platform) -> dict[str, JobHandler]:
    """Advance data, pre-alerts and tracking pulls (none without partner clients)."""
    if platform.partner_clients is None:
        return {}
    return handover_jobs.job_handlers(
        database=platform.database, clients=platform.partner_clients, registry=platform.partners
    )


def replay_webhook_window(platform: Platform, job: ClaimedJob, context: JobContext) -> None:
    """Queue deliveries of a time window's events to one endpoint (safe to run again)."""
    replay.replay_window(
        database=platform.database, job_id=job.id, payload=job.payload,
        heartbeat=context.heartbeat,
    )  # fmt: skip


def run_uploaded_batch(platform: Platform, job: ClaimedJob, context: JobContext) -> None:
    """Book an uploaded file. A re-run (after a crash, or a retry) resumes after the batch's
    last committed chunk; every committed chunk extends the lease."""
    source = Path(job.payload["source"])
    if not source.is_file():
        raise PermanentFailure(f"the uploaded file {source} is gone")
    # A batch ends failed when its job went dead; the job runs again only when an operator
    # retried it, and then the batch goes on after its last committed chunk.
    batches.reopen_batch(database=platform.database, batch_id=job.payload["batch_id"])
    batches.run_batch(
        deps=platform.booking,
        batch_id=job.payload["batch_id"],
        source=source,
        on_progress=lambda _parcels, _booked, _failed: context.heartbeat(),
    )
