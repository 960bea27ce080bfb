"""No personal data in logs: a database error on a row full of a recipient's data leaves a log
line with the request id, the error's type and where it was raised, and none of the data.

The failing insert re-inserts a booked shipment's row with its reference set to NULL: SQLite
answers "NOT NULL constraint failed", PostgreSQL adds "DETAIL: Failing row contains (...)" with
the whole row, and SQLAlchemy would print every parameter unless the engine hides them.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Table, select
from sqlalchemy.exc import IntegrityError

from postbridge.app import create_app
from postbridge.bootstrap import Platform, build_platform
from postbridge.kit.ids import new_id
from postbridge.kit.structured_logs import JsonLineFormatter, error_summary
from postbridge.shipments.models import Shipment
from postbridge.shipments.repository import JSON_COLUMNS, ShipmentRepository, encode_document
from tests.builders import RECIPIENT_BR, shipment_body
from tests.conftest import make_merchant, settings_for

RECIPIENT = {
    **RECIPIENT_BR,
    "name": "Zofia Quibblestone",
    "street_lines": ["Rua Xylofone Obscura, 4471"],
    "email": "zofia.quibblestone@example.com.br",
}


@pytest.fixture(scope="module")
def platform_on(database_url: str) -> Iterator[Platform]:
    platform = build_platform(settings_for(database_url))
    yield platform
    platform.database.dispose()


def reinsert_without_reference(platform: Platform, shipment_id: str) -> None:
    table = Shipment.__table__
    assert isinstance(table, Table)
    with platform.database.unit_of_work() as uow:
        row = uow.session.execute(select(table).where(table.c.id == shipment_id)).one()
        values: dict[str, Any] = dict(row._mapping)
        values.update(id=new_id("shp"), reference=None, tracking_number="ZZ000000000ZZ")
        values["partner_tracking_number"] = None
        encoded = [
            encode_document(value) if name in JSON_COLUMNS else value
            for name, value in values.items()
        ]
        ShipmentRepository(uow.session).insert_encoded([encoded])


def _app_with_failing_route(platform: Platform) -> FastAPI:
    app = create_app(platform=platform)
    app.add_api_route(
        "/test/reinsert/{shipment_id}",
        lambda shipment_id: reinsert_without_reference(platform, shipment_id),
        methods=["POST"],
    )
    return app


@pytest.fixture
def captured_log() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLineFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    previous_level = root.level
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(previous_level)


def test_a_database_error_logs_ids_and_no_personal_data(
    platform_on: Platform, captured_log: io.StringIO, database_url: str
) -> None:
    merchant = make_merchant(platform_on.database)
    headers = {"Authorization": f"Bearer {merchant.token}"}
    with TestClient(_app_with_failing_route(platform_on), raise_server_exceptions=False) as client:
        booked = client.post(
            "/v1/shipments", json=shipment_body(recipient=RECIPIENT), headers=headers
        )
        assert booked.status_code == 201, booked.text
        shipment_id = booked.json()["id"]
        failed = client.post(
            f"/test/reinsert/{shipment_id}", headers={"X-Request-Id": "req-privacy-test-1"}
        )
    assert failed.status_code == 500
    assert failed.headers["X-Request-Id"] == "req-privacy-test-1"

    with platform_on.database.unit_of_work() as uow:
        stored = ShipmentRepository(uow.session).get(shipment_id, merchant_id=None)
        assert stored is not None
        stored_recipient = dict(stored.recipient)
    personal = {
        RECIPIENT["name"], RECIPIENT["street_lines"][0], RECIPIENT["email"], RECIPIENT["phone"],
        RECIPIENT["tax_id"], "Quibblestone", "Xylofone", "91234", "529.982", "52998224725",
        str(stored_recipient.get("phone")), str(stored_recipient.get("tax_id")),
    }  # fmt: skip
    text = captured_log.getvalue()
    leaked = sorted(value for value in personal if value and value in text)
    assert leaked == []

    lines = [json.loads(line) for line in text.splitlines()]
    error_lines = [line for line in lines if line.get("request_id") == "req-privacy-test-1"]
    unhandled = [line for line in error_lines if line["level"] == "error"]
    assert len(unhandled) == 1
    assert unhandled[0]["logger"] == "postbridge.api"
    assert unhandled[0]["message"] == f"unhandled error on POST /test/reinsert/{shipment_id}"
    chain = unhandled[0]["exception"]
    assert chain[0]["type"] == "sqlalchemy.exc.IntegrityError"
    assert chain[0]["sql"].startswith("INSERT INTO shipments (id, merchant_id, reference,")
    if database_url.startswith("postgresql"):
        assert chain[1]["type"] == "psycopg.errors.NotNullViolation"
        assert (chain[1]["sqlstate"], chain[1]["column_name"]) == ("23502", "reference")
        assert "message" not in chain[1]
    else:
        assert chain[1] == {
            "type": "sqlite3.IntegrityError",
            "message": "NOT NULL constraint failed: shipments.reference",
            "frames": chain[1]["frames"],
        }
    request_lines = [line for line in error_lines if line["logger"] == "postbridge.requests"]
    assert [(line["method"], line["status"]) for line in request_lines] == [("POST", 500)]


def test_a_stored_error_summary_names_the_constraint_not_the_row(
    platform_on: Platform, database_url: str
) -> None:
    """What a failed job stores (``jobs.last_error``, a batch's error, ``batch.failed``)."""
    merchant = make_merchant(platform_on.database)
    with TestClient(create_app(platform=platform_on)) as client:
        booked = client.post(
            "/v1/shipments",
            json=shipment_body(recipient=RECIPIENT),
            headers={"Authorization": f"Bearer {merchant.token}"},
        )
    with pytest.raises(IntegrityError) as raised:
        reinsert_without_reference(platform_on, booked.json()["id"])
    text = str(raised.value)
    assert "[SQL parameters hidden due to hide_parameters=True]" in text
    if database_url.startswith("postgresql"):
        # The driver's own text repeats the failing row: why the summary never uses it.
        assert f'{{"name":"{RECIPIENT["name"]}"' in text
        assert error_summary(raised.value) == (
            "IntegrityError <- NotNullViolation: sqlstate=23502, table_name=shipments, "
            "column_name=reference"
        )
    else:
        assert error_summary(raised.value) == (
            "IntegrityError <- IntegrityError: NOT NULL constraint failed: shipments.reference"
        )
