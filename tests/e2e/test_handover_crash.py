"""``kill -9`` of the job worker while it sends advance data, end to end: ``postbridge serve
--demo --sandbox`` (the README's run command) as a subprocess, an uploaded batch of parcels to
Spain whose bookings each queue an advance-data job, the job worker killed while those jobs
run. The server starts a new worker, which claims the killed worker's job once its lease ends:
every parcel's advance data reaches the post and is accepted, each job is done once, and the
post holds one message per parcel."""

from __future__ import annotations

import os
import signal
import sqlite3
from pathlib import Path

import pytest

from tests.csv_builders import csv_row, csv_text
from tests.e2e.test_worker_crash import Running, free_port, gone, wait_until

pytestmark = pytest.mark.slow

PARCELS = 150
RECIPIENT_ES = {
    "name": "Lucia Perez", "street_lines": ["Calle Mayor 1"], "city": "Madrid", "region": "M",
    "postal_code": "28013", "country": "ES", "phone": "+34 600 000 000",
    "email": "lucia@example.es",
}  # fmt: skip


def advance_data_jobs(folder: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(folder / "var" / "postbridge.db") as database:
        return database.execute(
            "SELECT status, attempts FROM jobs WHERE kind = 'handover.advance_data' "
            "AND dedupe_key IN (SELECT 'advance-data:' || id FROM shipments "
            "WHERE reference LIKE 'HANDOVER-KILL-%')"
        ).fetchall()


def accepted_at_the_post(folder: Path) -> list[str]:
    with sqlite3.connect(folder / "var" / "sandbox.db") as database:
        return [
            row[0]
            for row in database.execute(
                "SELECT item_id FROM sandbox_advance_data WHERE partner = 'CORREOS'"
            )
        ]


def test_killing_the_job_worker_mid_hand_over_loses_no_advance_data(tmp_path: Path) -> None:
    running = Running(tmp_path)
    running.arguments.append("--sandbox")
    running.env["POSTBRIDGE_SANDBOX_URL"] = f"http://127.0.0.1:{free_port()}"
    rows = [csv_row(f"HANDOVER-KILL-{n:04d}", recipient=RECIPIENT_ES) for n in range(PARCELS)]
    try:
        running.start()
        batch_id = running.upload(csv_text(rows))
        wait_until(lambda: running.batch(batch_id)["status"] == "completed", 120, "the batch")
        wait_until(
            lambda: 0 < sum(s == "done" for s, _ in advance_data_jobs(tmp_path)) < PARCELS // 2,
            60, "the first advance data sent", every=0.02,
        )  # fmt: skip
        worker = running.worker_pid("jobs")
        os.kill(worker, signal.SIGKILL)
        wait_until(lambda: gone(worker), 10, "the killed worker to go")
        done_at_kill = sum(s == "done" for s, _ in advance_data_jobs(tmp_path))
        running.spawned.add(running.worker_pid("jobs", other_than={worker}))
        jobs = wait_until(
            lambda: (j := advance_data_jobs(tmp_path))
            and len(j) == PARCELS
            and all(s == "done" for s, _ in j)
            and j,
            120, "every advance-data job done",
        )  # fmt: skip
        with sqlite3.connect(tmp_path / "var" / "postbridge.db") as database:
            numbers = {
                row[0]
                for row in database.execute(
                    "SELECT tracking_number FROM shipments WHERE reference LIKE 'HANDOVER-KILL-%'"
                )
            }
            statuses = database.execute(
                "SELECT h.advance_status, count(*) FROM shipment_handover h "
                "JOIN shipments s ON s.id = h.shipment_id "
                "WHERE s.reference LIKE 'HANDOVER-KILL-%' GROUP BY h.advance_status"
            ).fetchall()
    finally:
        running.stop()

    assert 0 < done_at_kill < PARCELS  # the kill landed mid-hand-over
    assert len(numbers) == PARCELS
    assert statuses == [("accepted", PARCELS)]
    # Each job done once; only the one the kill interrupted needed a second attempt.
    assert sum(attempts for _, attempts in jobs) <= PARCELS + 1
    held = accepted_at_the_post(tmp_path)
    assert numbers <= set(held)
    assert len(held) == len(set(held))
