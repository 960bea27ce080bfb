"""``postbridge worker`` and ``postbridge jobs list|retry``: the durable worker and its queue."""

from __future__ import annotations

import typer

from postbridge.cli.common import one_line_errors, platform, stdout
from postbridge.config import get_settings
from postbridge.jobs.operations import list_jobs, retry_job
from postbridge.kit.structured_logs import configure_logging
from postbridge.worker.roles import WorkerRole

jobs_app = typer.Typer(
    help="Durable jobs: list them, retry dead ones (operator).", no_args_is_help=True
)


@one_line_errors
def worker(
    once: bool = typer.Option(False, "--once", help="Run until idle, then exit."),
    role: WorkerRole = typer.Option(
        WorkerRole.ALL.value,
        "--role",
        help="all; jobs (the durable jobs); events (the outbox relay and webhook deliveries).",
    ),
) -> None:
    """Run jobs (uploaded batches, ...), relay outbox events to their consumers, deliver
    webhooks."""
    from postbridge.worker.loop import Worker

    configure_logging(get_settings().log_level)
    running = Worker(platform(), role=role)
    if once:
        running.drain()
    else:
        running.run()


@jobs_app.command("list")
@one_line_errors
def jobs_list(
    status: str = typer.Option(None, "--status", help="queued, running, done or dead."),
    kind: str = typer.Option(None, "--kind", help="e.g. bulk.run_batch"),
    limit: int = typer.Option(50, "--limit", min=1, max=1000),
) -> None:
    """Jobs, newest first: id, kind, status, attempts, when it runs next, last error."""
    jobs = list_jobs(database=platform().database, status=status, kind=kind, limit=limit)
    for job in jobs:
        error = (job.last_error or "").splitlines()[0][:80] if job.last_error else ""
        # typer.echo: one line per job, never wrapped at the terminal's width.
        typer.echo(
            f"{job.id}  {job.kind}  {job.status}  {job.attempts}/{job.max_attempts}  "
            f"{job.run_after.isoformat(timespec='seconds')}  {error}".rstrip()
        )
    if not jobs:
        typer.echo("no jobs")


@jobs_app.command("retry")
@one_line_errors
def jobs_retry(job_id: str = typer.Argument(..., help="A dead job's id (job_...).")) -> None:
    """Queue a dead job again with fresh attempts."""
    job = retry_job(database=platform().database, job_id=job_id)
    stdout.print(f"{job.id} queued again ({job.kind})")
