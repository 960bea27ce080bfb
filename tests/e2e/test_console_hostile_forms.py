"""Hostile values in the operator console's forms and filters, on SQLite and PostgreSQL: each
is answered by a page (403, 404, 422 or the page itself), never a 500, whatever the database
can store (PostgreSQL refuses NUL in text)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from fastapi.testclient import TestClient

from postbridge.app import create_app
from postbridge.bootstrap import build_platform
from postbridge.migrations import upgrade
from tests.conftest import BACKENDS, fresh_postgres_database, settings_for
from tests.console_builders import csrf_token, make_user, sign_in

HOSTILE = ["\x00", "a\x00b", "\x1b[2J", "²", "١٢٣", "１２", "9" * 60, "-1", "1e9", " ", "😀"]


@pytest.fixture(params=BACKENDS)
def operator(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'console.db'}"
            upgrade(url)
        else:
            url = stack.enter_context(fresh_postgres_database())
        platform = build_platform(settings_for(url))
        stack.callback(platform.database.dispose)
        client = stack.enter_context(
            TestClient(create_app(platform=platform), raise_server_exceptions=False)
        )
        assert sign_in(client, make_user(platform.database)).status_code == 303
        yield client


def test_hostile_values_in_operator_forms_and_filters_answer_a_page(operator: TestClient) -> None:
    token = csrf_token(operator.get("/operations/jobs").text)
    answers = []
    for value in HOSTILE:
        answers += [
            ("cancel", value, operator.post(
                "/network/departures/cancel", data={"csrf_token": token, "departure_id": value})),
            ("delay id", value, operator.post(
                "/network/departures/delay",
                data={"csrf_token": token, "departure_id": value, "minutes": "5"})),
            ("delay minutes", value, operator.post(
                "/network/departures/delay",
                data={"csrf_token": token, "departure_id": "X@2026-12-03T15:00Z",
                      "minutes": value})),
            ("retry", value, operator.post(
                "/operations/jobs/retry", data={"csrf_token": token, "job_id": value})),
            ("network date", value, operator.get("/network", params={"date": value})),
            ("exceptions kind", value, operator.get("/operations/exceptions",
                                                      params={"kind": value})),
            ("jobs status", value, operator.get("/operations/jobs", params={"status": value})),
        ]  # fmt: skip
    server_errors = [
        (what, value, r.status_code) for what, value, r in answers if r.status_code >= 500
    ]
    assert server_errors == [], server_errors
    for what, value, response in answers:
        assert response.status_code in (200, 303, 400, 403, 404, 409, 422), (what, value)
        assert response.headers["content-type"].split(";")[0] in (
            "text/html", "application/problem+json"
        ), (what, value)  # fmt: skip
    minutes = {value: r.status_code for what, value, r in answers if what == "delay minutes"}
    # Only plain ASCII digits are minutes: superscripts and other scripts' digits are refused.
    assert {value: minutes[value] for value in ("²", "١٢٣", "１２")} == {
        "²": 422, "١٢٣": 422, "１２": 422,
    }  # fmt: skip
