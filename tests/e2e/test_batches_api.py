from __future__ import annotations

import csv
import io
import uuid

from fastapi.testclient import TestClient

from postbridge.bulk.csv_format import template_header
from postbridge.identifiers.s10 import is_valid_s10
from postbridge.worker.loop import Worker
from tests.csv_builders import RECIPIENT_BR, csv_row, csv_text
from tests.e2e.conftest import auth


def upload(client: TestClient, key: str, text: str, batch_key: str | None = None) -> dict:
    data = {"batch_key": batch_key} if batch_key else {}
    response = client.post(
        "/v1/shipment-batches",
        files={"file": ("orders.csv", text.encode(), "text/csv")},
        data=data,
        headers=auth(key),
    )
    assert response.status_code == 202, response.text
    # The API only queues the batch; the worker books it (postbridge serve runs one beside it).
    Worker(client.app.state.platform).drain()  # type: ignore[attr-defined]
    return response.json()


def results(client: TestClient, key: str, batch_id: str) -> list[dict[str, str]]:
    response = client.get(f"/v1/shipment-batches/{batch_id}/results", headers=auth(key))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def mixed_file() -> str:
    tag = uuid.uuid4().hex[:6]
    return csv_text(
        [
            csv_row(f"{tag}-1"),
            csv_row(f"{tag}-2", recipient_postal_code="10001"),  # NY ZIP with TX
            csv_row(f"{tag}-3", recipient=RECIPIENT_BR),
            csv_row(f"{tag}-4", items=[{"hs_code": "6109"}]),
            csv_row(f"{tag}-5", weight_g="heavy"),
            csv_row(
                f"{tag}-6",
                items=[
                    {},
                    {"description": "Phone case", "unit_value": "4.50", "unit_weight_g": "60"},
                ],
                weight_g="600",
            ),
        ]
    )


def test_good_rows_are_booked_and_bad_rows_reported(client: TestClient, merchant_key: str) -> None:
    batch = upload(client, merchant_key, mixed_file())
    polled = client.get(f"/v1/shipment-batches/{batch['id']}", headers=auth(merchant_key)).json()
    assert polled["status"] == "completed"
    assert (polled["rows_total"], polled["rows_booked"], polled["rows_failed"]) == (6, 3, 3)
    outcome = results(client, merchant_key, batch["id"])
    assert [(r["row"], r["status"], r["field"]) for r in outcome] == [
        ("2", "booked", ""),
        ("3", "rejected", "recipient_postal_code"),
        ("4", "booked", ""),
        ("5", "rejected", "item1_hs_code"),
        ("6", "rejected", "weight_g"),
        ("7", "booked", ""),
    ]
    assert "NY" in outcome[1]["message"]
    assert all(is_valid_s10(r["tracking_number"]) for r in outcome if r["status"] == "booked")
    shipment = client.get(f"/v1/shipments/{outcome[5]['shipment_id']}", headers=auth(merchant_key))
    assert len(shipment.json()["customs"]["items"]) == 2


def test_same_batch_key_books_nothing_twice(client: TestClient, merchant_key: str) -> None:
    text = mixed_file()
    first = upload(client, merchant_key, text, batch_key="nightly-1")
    again = upload(client, merchant_key, text, batch_key="nightly-1")
    assert again["id"] == first["id"]
    assert again["rows_booked"] == 3
    reference = next(csv.DictReader(io.StringIO(text)))["reference"]
    listing = client.get(f"/v1/shipments?reference={reference}", headers=auth(merchant_key)).json()
    assert len(listing["items"]) == 1
    other = client.post(
        "/v1/shipment-batches",
        files={"file": ("other.csv", mixed_file().encode(), "text/csv")},
        data={"batch_key": "nightly-1"},
        headers=auth(merchant_key),
    )
    assert other.status_code == 409
    assert other.json()["code"] == "batch_key_reused"


def test_rejected_only_as_json(client: TestClient, merchant_key: str) -> None:
    batch = upload(client, merchant_key, mixed_file())
    response = client.get(
        f"/v1/shipment-batches/{batch['id']}/results?format=json&only=rejected",
        headers=auth(merchant_key),
    )
    assert [r["row"] for r in response.json()["results"]] == [3, 5, 6]


def test_a_bad_header_is_refused_at_upload_naming_the_column(
    client: TestClient, merchant_key: str
) -> None:
    folder = client.app.state.platform.settings.var_dir / "batches"  # type: ignore[attr-defined]
    stored_before = set(folder.glob("*.csv"))
    response = client.post(
        "/v1/shipment-batches",
        files={"file": ("orders.csv", b"reference,colour\nA,red\n", "text/csv")},
        headers=auth(merchant_key),
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    message = "unknown column(s) 'colour'; see docs/csv-format.md"
    assert response.json()["errors"] == [
        {"field": "colour", "code": "invalid_csv", "message": message}
    ]
    assert set(folder.glob("*.csv")) <= stored_before  # the refused file is not kept


def test_a_header_only_upload_is_refused(client: TestClient, merchant_key: str) -> None:
    header = ",".join(template_header(items=1)).encode()
    response = client.post(
        "/v1/shipment-batches",
        files={"file": ("orders.csv", header + b"\n", "text/csv")},
        headers=auth(merchant_key),
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "file", "code": "invalid_csv", "message": "the file has a header but no rows"}
    ]


def test_empty_upload_names_the_field(client: TestClient, merchant_key: str) -> None:
    response = client.post(
        "/v1/shipment-batches",
        files={"file": ("empty.csv", b"", "text/csv")},
        headers=auth(merchant_key),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"


def test_other_merchants_batch_is_404(
    client: TestClient, merchant_key: str, other_merchant_key: str
) -> None:
    batch = upload(client, merchant_key, mixed_file())
    for path in (
        f"/v1/shipment-batches/{batch['id']}",
        f"/v1/shipment-batches/{batch['id']}/results",
    ):
        assert client.get(path, headers=auth(other_merchant_key)).status_code == 404


def test_a_batch_key_with_a_control_character_names_the_field(
    client: TestClient, merchant_key: str
) -> None:
    response = client.post(
        "/v1/shipment-batches",
        files={"file": ("orders.csv", csv_text([csv_row("NUL-1")]).encode(), "text/csv")},
        data={"batch_key": "key\x00one"},
        headers=auth(merchant_key),
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["batch_key"]
