"""Hostile cells in an uploaded CSV are their row's error; the batch completes (issue 10).

Before: "1E999990" in ``item1_unit_value`` left the batch ``processing`` forever with nothing
booked, and NUL in a cell failed the whole chunk on PostgreSQL. Runs on both databases.
"""

from __future__ import annotations

import csv
import io
import time
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from postbridge.app import create_app
from postbridge.bootstrap import build_platform
from postbridge.worker.loop import Worker
from tests.conftest import make_merchant, settings_for
from tests.csv_builders import csv_row, csv_text
from tests.e2e.conftest import auth

NOT_PLAIN = (
    'is not a plain decimal amount such as "9.90" (ASCII digits and an optional point; '
    "no exponent, sign, spaces or separators)"
)


@pytest.fixture(scope="module")
def backend(database_url: str) -> Iterator[tuple[TestClient, str]]:
    platform = build_platform(settings_for(database_url))
    key = make_merchant(platform.database).token
    with TestClient(create_app(platform=platform), raise_server_exceptions=False) as client:
        yield client, key
    platform.database.dispose()


def test_each_hostile_cell_rejects_its_row_only(backend: tuple[TestClient, str]) -> None:
    client, merchant_key = backend
    tag = uuid.uuid4().hex[:6]
    text = csv_text(
        [
            csv_row(f"{tag}-1"),
            csv_row(f"{tag}-2", items=[{"unit_value": "1E999990"}]),
            csv_row(f"{tag}-3", items=[{"unit_value": "1e308"}]),
            csv_row(f"{tag}-4", items=[{"unit_value": "١٢٣"}]),
            csv_row(f"{tag}-5", items=[{"unit_value": "1_000"}]),
            csv_row(f"{tag}-6", items=[{"unit_value": "1000000000000000000000000000000"}]),
            csv_row(f"{tag}-7", weight_g="１２３"),
            csv_row(f"{tag}-8", recipient_name="Jane\x00Doe"),
            csv_row(f"{tag}-9"),
            csv_row(f"{tag}\x00-10"),
        ]
    )
    started = time.perf_counter()
    response = client.post(
        "/v1/shipment-batches",
        files={"file": ("hostile.csv", text.encode(), "text/csv")},
        headers=auth(merchant_key),
    )
    assert time.perf_counter() - started < 5  # a bound, not a benchmark
    assert response.status_code == 202, response.text
    # Booking used to hang on "1E999990": the batch must end, with every row accounted for.
    Worker(client.app.state.platform).drain()  # type: ignore[attr-defined]

    batch_id = response.json()["id"]
    batch = client.get(f"/v1/shipment-batches/{batch_id}", headers=auth(merchant_key)).json()
    assert (batch["status"], batch["rows_booked"], batch["rows_failed"]) == ("completed", 2, 8)
    outcome = client.get(f"/v1/shipment-batches/{batch_id}/results", headers=auth(merchant_key))
    rows = [
        (r["row"], r["status"], r["field"], r["message"])
        for r in csv.DictReader(io.StringIO(outcome.text))
    ]
    assert rows == [
        ("2", "booked", "", ""),
        ("3", "rejected", "item1_unit_value", f"'1E999990' {NOT_PLAIN}"),
        ("4", "rejected", "item1_unit_value", f"'1e308' {NOT_PLAIN}"),
        ("5", "rejected", "item1_unit_value", f"'١٢٣' {NOT_PLAIN}"),
        ("6", "rejected", "item1_unit_value", f"'1_000' {NOT_PLAIN}"),
        (
            "7",
            "rejected",
            "item1_unit_value",
            "'100000000000000000000000'... is too long for an amount (at most 24 characters)",
        ),
        ("8", "rejected", "weight_g", "expected a whole number, not '１２３'"),
        (
            "9",
            "rejected",
            "recipient_name",
            "must not contain control characters (U+0000 at position 4)",
        ),
        ("10", "booked", "", ""),
        (
            "11",
            "rejected",
            "reference",
            f"must not contain control characters (U+0000 at position {len(tag)})",
        ),
    ]
    references = [r["reference"] for r in csv.DictReader(io.StringIO(outcome.text))]
    assert references[-1] == f"{tag}\ufffd-10"  # echoed back as text the database can store
