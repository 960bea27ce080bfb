from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from postbridge.bootstrap import Platform
from postbridge.jobs.models import JobStatus
from postbridge.jobs.repository import JobRepository
from postbridge.kit.clock import utc_now
from postbridge.worker.loop import Worker
from tests.csv_builders import csv_row, csv_text
from tests.e2e.conftest import auth


def test_an_upload_queues_one_job_that_the_worker_runs(
    client: TestClient, platform: Platform, merchant_key: str, operator_key: str
) -> None:
    text = csv_text([csv_row("JOB-1"), csv_row("JOB-2", weight_g="heavy")])
    files = {"file": ("orders.csv", text.encode(), "text/csv")}
    first = client.post("/v1/shipment-batches", files=files, headers=auth(merchant_key)).json()
    again = client.post("/v1/shipment-batches", files=files, headers=auth(merchant_key)).json()
    assert (first["status"], again["id"]) == ("queued", first["id"])

    listing = client.get("/v1/jobs?kind=bulk.run_batch&limit=500", headers=auth(operator_key))
    ours = [j for j in listing.json()["items"] if j["payload"]["batch_id"] == first["id"]]
    assert [(j["status"], j["dedupe_key"]) for j in ours] == [
        ("queued", f"bulk.run_batch:{first['id']}")
    ]
    Worker(platform).drain()

    polled = client.get(f"/v1/shipment-batches/{first['id']}", headers=auth(merchant_key)).json()
    assert (polled["status"], polled["rows_booked"], polled["rows_failed"]) == ("completed", 1, 1)
    job = client.get("/v1/jobs?kind=bulk.run_batch&limit=500", headers=auth(operator_key))
    (done,) = [j for j in job.json()["items"] if j["id"] == ours[0]["id"]]
    assert (done["status"], done["attempts"], done["lease_owner"]) == ("done", 1, None)


def test_operators_list_and_retry_dead_jobs(
    client: TestClient, platform: Platform, merchant_key: str, operator_key: str
) -> None:
    with platform.database.unit_of_work() as uow:
        job = JobRepository(uow.session).enqueue(
            kind="test.never-handled", payload={}, now=utc_now()
        )
        job.status = JobStatus.DEAD
        job.last_error = "RuntimeError: boom"
        uow.commit()
    assert client.get("/v1/jobs", headers=auth(merchant_key)).status_code == 403

    dead = client.get("/v1/jobs?status=dead", headers=auth(operator_key)).json()["items"]
    assert [(j["kind"], j["last_error"]) for j in dead if j["id"] == job.id] == [
        ("test.never-handled", "RuntimeError: boom")
    ]
    retried = client.post(f"/v1/jobs/{job.id}/retry", headers=auth(operator_key))
    assert (retried.status_code, retried.json()["status"]) == (200, "queued")
    again = client.post(f"/v1/jobs/{job.id}/retry", headers=auth(operator_key))
    assert (again.status_code, again.json()["attempts"]) == (200, 0)  # already queued: no-op
    with platform.database.unit_of_work() as uow:
        JobRepository(uow.session).get(job.id).status = JobStatus.DONE  # type: ignore[union-attr]
        uow.commit()
    done = client.post(f"/v1/jobs/{job.id}/retry", headers=auth(operator_key))
    assert (done.status_code, done.json()["code"]) == (409, "job_not_dead")
    assert client.get("/v1/jobs?status=lost", headers=auth(operator_key)).status_code == 422


def test_a_batch_whose_job_goes_dead_ends_failed_and_an_operator_retry_completes_it(
    client: TestClient, platform: Platform, merchant_key: str, operator_key: str
) -> None:
    text = csv_text([csv_row("DEAD-1"), csv_row("DEAD-2")])
    files = {"file": ("dead.csv", text.encode(), "text/csv")}
    batch = client.post("/v1/shipment-batches", files=files, headers=auth(merchant_key)).json()
    listing = client.get("/v1/jobs?kind=bulk.run_batch&limit=500", headers=auth(operator_key))
    (job,) = [j for j in listing.json()["items"] if j["payload"]["batch_id"] == batch["id"]]
    source = Path(job["payload"]["source"])
    hidden = source.with_suffix(".hidden")
    source.rename(hidden)  # the stored upload is gone: running again cannot help
    Worker(platform).drain()

    failed = client.get(f"/v1/shipment-batches/{batch['id']}", headers=auth(merchant_key)).json()
    assert (failed["status"], failed["rows_booked"]) == ("failed", 0)
    assert failed["error"] == (
        f"the batch could not be completed: PermanentFailure: the uploaded file {source} is gone"
    )
    hidden.rename(source)
    retried = client.post(f"/v1/jobs/{job['id']}/retry", headers=auth(operator_key))
    assert retried.json()["status"] == "queued"
    Worker(platform).drain()
    done = client.get(f"/v1/shipment-batches/{batch['id']}", headers=auth(merchant_key)).json()
    assert (done["status"], done["rows_booked"], done["error"]) == ("completed", 2, None)
