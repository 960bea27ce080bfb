"""The operator console pages through HTTP: merchants are refused, a cancelled departure lists
the parcels it moved, a dead job is retried, a form post without the CSRF token is refused."""

from __future__ import annotations

import html
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from postbridge import capacity
from postbridge.app import create_app
from postbridge.bootstrap import Platform, build_platform
from postbridge.jobs.models import JobStatus
from postbridge.jobs.repository import JobRepository
from postbridge.kit.clock import utc_now
from postbridge.migrations import upgrade
from tests.builders import shipment_body
from tests.conftest import make_merchant, settings_for
from tests.console_builders import csrf_token, make_user, sign_in
from tests.e2e.conftest import auth

OPERATOR_PAGES = ["/network", "/operations/exceptions", "/operations/jobs", "/operations/partners"]
REFUSED = "This form was refused"


@pytest.fixture
def own_platform(tmp_path: Path) -> Iterator[Platform]:
    """A platform of its own: cancelling departures must not change other tests' quotes."""
    url = f"sqlite:///{tmp_path / 'console-ops.db'}"
    upgrade(url)
    plat = build_platform(settings_for(url))
    yield plat
    plat.database.dispose()


@pytest.fixture
def web(own_platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(platform=own_platform), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def operator(own_platform: Platform, web: TestClient) -> TestClient:
    assert sign_in(web, make_user(own_platform.database)).status_code == 303
    return web


def test_merchant_users_get_403_on_operator_pages(own_platform: Platform, web: TestClient) -> None:
    merchant = make_merchant(own_platform.database)
    assert (
        sign_in(web, make_user(own_platform.database, merchant_id=merchant.merchant_id)).status_code
        == 303
    )
    home = web.get("/developers")
    assert 'href="/network"' not in home.text
    for path in OPERATOR_PAGES:
        page = web.get(path)
        assert page.status_code == 403, path
        assert "Operators only" in page.text
    posted = web.post(
        "/operations/jobs/retry", data={"csrf_token": csrf_token(home.text), "job_id": "x"}
    )
    assert posted.status_code == 403


def test_operator_pages_render_with_nav(operator: TestClient) -> None:
    for path in OPERATOR_PAGES:
        page = operator.get(path)
        assert page.status_code == 200, path
        assert page.headers["cache-control"] == "no-store"
        assert 'aria-current="page"' in page.text
    filtered = operator.get("/operations/exceptions?kind=no_scan")
    assert '<option value="no_scan" selected>' in filtered.text


def _booked_flight(own_platform: Platform, web: TestClient) -> tuple[str, str, datetime]:
    key = make_merchant(own_platform.database).token
    booked = web.post(
        "/v1/shipments", json=shipment_body(service="premium"), headers=auth(key)
    ).json()
    air = next(leg for leg in booked["route"]["legs"] if leg["mode"] == "air")
    departs = datetime.fromisoformat(air["departs"].replace("Z", "+00:00"))
    capacity.plan_day(
        database=own_platform.database, network=own_platform.quoter.network,
        plan_date=departs.date(),
    )  # fmt: skip
    return booked["id"], f"{air['leg']}@{departs.strftime('%Y-%m-%dT%H:%MZ')}", departs


def test_cancelling_a_departure_lists_the_moved_parcels(
    own_platform: Platform, operator: TestClient
) -> None:
    shipment_id, departure_id, departs = _booked_flight(own_platform, operator)
    page = operator.get(f"/network?date={departs.date().isoformat()}")
    assert html.escape(departure_id) in page.text
    assert '<label for="minutes-1">Delay (minutes)</label>' in page.text

    refused = operator.post("/network/departures/cancel", data={"departure_id": departure_id})
    assert refused.status_code == 403
    assert REFUSED in refused.text

    result = operator.post(
        "/network/departures/cancel",
        data={"csrf_token": csrf_token(page.text), "departure_id": departure_id},
    )
    assert result.status_code == 200, result.text
    assert f"Departure {html.escape(departure_id)} cancelled" in result.text
    assert shipment_id in result.text.split('id="moves"')[1]
    again = operator.get(f"/network?date={departs.date().isoformat()}")
    assert "cancelled" in again.text


def test_delay_needs_whole_minutes(own_platform: Platform, operator: TestClient) -> None:
    page = operator.get("/network")
    token = csrf_token(page.text)
    bad = operator.post(
        "/network/departures/delay",
        data={"csrf_token": token, "departure_id": "x", "minutes": "-5"},
    )
    assert bad.status_code == 422
    missing = operator.post(
        "/network/departures/delay", data={"csrf_token": token, "departure_id": "x", "minutes": "5"}
    )
    assert missing.status_code == 404


def test_an_operator_retries_a_dead_job(own_platform: Platform, operator: TestClient) -> None:
    with own_platform.database.unit_of_work() as uow:
        job = JobRepository(uow.session).enqueue(kind="test.console", payload={}, now=utc_now())
        job.status = JobStatus.DEAD
        job.last_error = "RuntimeError: boom"
        job_id = job.id
        uow.commit()
    page = operator.get("/operations/jobs?status=dead")
    assert "RuntimeError: boom" in page.text
    assert f'aria-label="Retry job {job_id}"' in page.text
    partners = operator.get("/operations/partners")
    assert "test.console" in partners.text

    refused = operator.post("/operations/jobs/retry", data={"job_id": job_id})
    assert refused.status_code == 403
    retried = operator.post(
        "/operations/jobs/retry", data={"csrf_token": csrf_token(page.text), "job_id": job_id},
        follow_redirects=False,
    )  # fmt: skip
    assert (retried.status_code, retried.headers["location"]) == (
        303, f"/operations/jobs?retried={job_id}",
    )  # fmt: skip
    listed = operator.get(f"/operations/jobs?retried={job_id}&status=queued")
    assert 'id="retried-notice"' in listed.text
    assert job_id in listed.text.split('id="jobs"')[1]
    # Retrying a job that is queued again is the same answer (jobs.operations.retry_job).
    again = operator.post(
        "/operations/jobs/retry", data={"csrf_token": csrf_token(page.text), "job_id": job_id},
        follow_redirects=False,
    )  # fmt: skip
    assert (again.status_code, again.headers["location"]) == (
        303, f"/operations/jobs?retried={job_id}",
    )  # fmt: skip
