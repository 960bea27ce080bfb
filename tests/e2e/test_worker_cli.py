"""``postbridge worker --once`` and ``postbridge jobs list|retry`` through the real command."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from postbridge.jobs.models import JobStatus
from postbridge.jobs.repository import JobRepository
from postbridge.kit.clock import utc_now
from postbridge.storage.engine import make_engine
from postbridge.storage.unit_of_work import Database
from tests.csv_builders import csv_row, csv_text
from tests.e2e.test_cli import run_cli


def test_worker_relays_what_the_cli_booked(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'worker.db'}"
    assert run_cli("db", "upgrade", db_url=url).returncode == 0
    merchant = run_cli("merchants", "create", "Relay Co", db_url=url).stdout.split()[-1]
    assert merchant.startswith("pb_")
    orders = tmp_path / "orders.csv"
    orders.write_text(csv_text([csv_row("W-1"), csv_row("W-2"), csv_row("W-3", weight_g="x")]))
    booked = run_cli("book", str(orders), "--merchant", "Relay Co", db_url=url)
    assert booked.returncode == 0, booked.stderr

    drained = run_cli("worker", "--once", db_url=url)

    assert drained.returncode == 0, drained.stderr
    with sqlite3.connect(tmp_path / "worker.db") as database:
        outbox = database.execute(
            "SELECT type, relayed_at IS NOT NULL FROM outbox_events ORDER BY position"
        ).fetchall()
        activity = database.execute(
            "SELECT destination_country, booked, labelled, cancelled FROM merchant_daily_activity"
        ).fetchall()
    assert outbox == [("shipment.booked", 1), ("shipment.booked", 1), ("batch.completed", 1)]
    assert activity == [("US", 2, 0, 0)]


def test_operators_list_and_retry_dead_jobs(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    assert run_cli("db", "upgrade", db_url=url).returncode == 0
    database = Database(make_engine(url))
    with database.unit_of_work() as uow:
        job = JobRepository(uow.session).enqueue(kind="test.cli", payload={}, now=utc_now())
        job.status, job.attempts, job.last_error = JobStatus.DEAD, 5, "OSError: disk full"
        uow.commit()
    database.dispose()

    listing = run_cli("jobs", "list", "--status", "dead", db_url=url)
    assert listing.returncode == 0, listing.stderr
    (line,) = listing.stdout.strip().splitlines()
    assert line.startswith(f"{job.id}  test.cli  dead  5/5  ")
    assert line.endswith("OSError: disk full")
    retried = run_cli("jobs", "retry", job.id, db_url=url)
    assert retried.stdout.strip() == f"{job.id} queued again (test.cli)"
    assert run_cli("jobs", "list", "--status", "dead", db_url=url).stdout.strip() == "no jobs"
    missing = run_cli("jobs", "retry", "job_missing", db_url=url)
    assert (missing.returncode, missing.stderr.strip()) == (
        2,
        "error: job job_missing does not exist",
    )
