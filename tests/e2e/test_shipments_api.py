from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from postbridge.bootstrap import Platform
from postbridge.identifiers.s10 import is_valid_s10
from postbridge.shipments.models import Shipment
from tests.builders import RECIPIENT_BR, RECIPIENT_US, TSHIRT, shipment_body
from tests.e2e.conftest import auth


def book(client: TestClient, key: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post("/v1/shipments", json=body, headers={**auth(key), **headers})


def field_errors(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def test_booking_returns_number_addresses_form_and_duties(
    client: TestClient, merchant_key: str
) -> None:
    response = book(client, merchant_key, shipment_body(reference="ORDER-1001"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["id"].startswith("shp_")
    assert response.headers["location"].endswith(f"/v1/shipments/{body['id']}")
    assert body["status"] == "booked"
    assert body["reference"] == "ORDER-1001"
    assert is_valid_s10(body["tracking_number"])
    assert body["tracking_number"].endswith("CN")
    assert body["recipient"]["region"] == "TX"
    assert body["recipient"]["phone"] == "+15125550100"
    assert body["sender"]["phone"] == "+8675588888888"
    assert body["customs_form"] == "CN22"
    assert body["customs"]["declared_value"] == {"amount": "19.80", "currency": "USD"}
    assert body["duties"]["payer"] == "buyer"


def test_wrong_zip_for_the_state_names_the_field(client: TestClient, merchant_key: str) -> None:
    recipient = {**RECIPIENT_US, "postal_code": "10001"}
    errors = field_errors(book(client, merchant_key, shipment_body(recipient=recipient)))
    assert list(errors) == ["recipient.postal_code"]
    assert "NY" in errors["recipient.postal_code"]


def test_brazil_requires_a_cpf(client: TestClient, merchant_key: str) -> None:
    recipient = {k: v for k, v in RECIPIENT_BR.items() if k != "tax_id"}
    errors = field_errors(book(client, merchant_key, shipment_body(recipient=recipient)))
    assert list(errors) == ["recipient.tax_id"]
    assert "CPF" in errors["recipient.tax_id"]


def test_brazil_refuses_a_wrong_cpf_check_digit(client: TestClient, merchant_key: str) -> None:
    recipient = {**RECIPIENT_BR, "tax_id": "529.982.247-26"}
    errors = field_errors(book(client, merchant_key, shipment_body(recipient=recipient)))
    assert list(errors) == ["recipient.tax_id"]
    assert "check digit" in errors["recipient.tax_id"]


def test_brazil_postal_code_format(client: TestClient, merchant_key: str) -> None:
    recipient = {**RECIPIENT_BR, "postal_code": "1310-200"}
    errors = field_errors(book(client, merchant_key, shipment_body(recipient=recipient)))
    assert list(errors) == ["recipient.postal_code"]


def test_brazil_booking_with_valid_cpf(client: TestClient, merchant_key: str) -> None:
    response = book(client, merchant_key, shipment_body(recipient=RECIPIENT_BR))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["recipient"]["postal_code"] == "01310-200"
    assert body["recipient"]["region"] == "SP"
    assert body["recipient"]["tax_id_kind"] == "CPF"
    assert "tax_id" not in body["recipient"]


def test_hs_code_of_four_digits(client: TestClient, merchant_key: str) -> None:
    items = [{**TSHIRT, "hs_code": "6109"}]
    errors = field_errors(book(client, merchant_key, shipment_body(items=items)))
    assert list(errors) == ["customs.items[0].hs_code"]


def test_items_heavier_than_the_parcel(client: TestClient, merchant_key: str) -> None:
    items = [{**TSHIRT, "unit_weight_g": 300}]
    errors = field_errors(book(client, merchant_key, shipment_body(items=items)))
    assert list(errors) == ["customs.items"]
    assert "600 g" in errors["customs.items"]


def test_shape_errors_name_the_nested_field(client: TestClient, merchant_key: str) -> None:
    body = shipment_body()
    body["parcel"]["weight_g"] = "heavy"
    del body["recipient"]["country"]
    errors = field_errors(book(client, merchant_key, body))
    assert set(errors) == {"parcel.weight_g", "recipient.country"}


def test_unknown_field_is_refused(client: TestClient, merchant_key: str) -> None:
    errors = field_errors(book(client, merchant_key, shipment_body(colour="red")))
    assert list(errors) == ["colour"]


def test_malformed_json_is_400_problem(client: TestClient, merchant_key: str) -> None:
    response = client.post(
        "/v1/shipments",
        content=b'{"reference": "x",',
        headers={**auth(merchant_key), "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "malformed_json"


def test_idempotency_key_replays_and_refuses_another_body(
    client: TestClient, merchant_key: str
) -> None:
    key = uuid.uuid4().hex
    body = shipment_body()
    first = book(client, merchant_key, body, **{"Idempotency-Key": key})
    again = book(client, merchant_key, body, **{"Idempotency-Key": key})
    assert first.status_code == 201
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["tracking_number"] == first.json()["tracking_number"]
    changed = book(
        client, merchant_key, shipment_body(reference="OTHER"), **{"Idempotency-Key": key}
    )
    assert changed.status_code == 409
    assert changed.json()["code"] == "idempotency_key_reused"
    listing = client.get(f"/v1/shipments?reference={body['reference']}", headers=auth(merchant_key))
    assert len(listing.json()["items"]) == 1


def test_another_merchants_shipment_is_404(
    client: TestClient, merchant_key: str, other_merchant_key: str, operator_key: str
) -> None:
    created = book(client, merchant_key, shipment_body()).json()
    for path in (f"/v1/shipments/{created['id']}",):
        response = client.get(path, headers=auth(other_merchant_key))
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    cancel = client.post(f"/v1/shipments/{created['id']}/cancel", headers=auth(other_merchant_key))
    assert cancel.status_code == 404
    as_operator = client.get(f"/v1/shipments/{created['id']}", headers=auth(operator_key))
    assert as_operator.status_code == 200


def test_listing_filters_and_paginates(
    client: TestClient, merchant_key: str, other_merchant_key: str
) -> None:
    ids = [book(client, merchant_key, shipment_body()).json()["id"] for _ in range(5)]
    book(client, merchant_key, shipment_body(recipient=RECIPIENT_BR))
    book(client, other_merchant_key, shipment_body())
    seen: list[str] = []
    cursor = None
    while True:
        query = "destination=US&limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(f"/v1/shipments?{query}", headers=auth(merchant_key)).json()
        seen.extend(item["id"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(ids))
    bad = client.get("/v1/shipments?cursor=garbage", headers=auth(merchant_key))
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "cursor"
    bad_status = client.get("/v1/shipments?status=flying", headers=auth(merchant_key))
    assert bad_status.status_code == 422
    assert bad_status.json()["errors"][0]["field"] == "status"


def test_cancel_before_hand_over(client: TestClient, merchant_key: str) -> None:
    created = book(client, merchant_key, shipment_body()).json()
    cancelled = client.post(f"/v1/shipments/{created['id']}/cancel", headers=auth(merchant_key))
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    listing = client.get("/v1/shipments?status=cancelled", headers=auth(merchant_key)).json()
    assert [item["id"] for item in listing["items"]] == [created["id"]]


@pytest.mark.parametrize(
    ("amount", "field", "fragment"),
    [
        ("9.999", "customs.items[0].unit_value.amount", "more than 2 decimals"),
        ("-1.00", "customs.items[0].unit_value.amount", "is negative"),
        ("0.00", "customs.items[0].unit_value", "more than 0"),
    ],
)
def test_bad_money_names_the_field(
    client: TestClient, merchant_key: str, amount: str, field: str, fragment: str
) -> None:
    items = [{**TSHIRT, "unit_value": {"amount": amount, "currency": "USD"}}]
    errors = field_errors(book(client, merchant_key, shipment_body(items=items)))
    assert list(errors) == [field]
    assert fragment in errors[field]


def test_cancel_after_hand_over_is_409(
    client: TestClient, merchant_key: str, platform: Platform
) -> None:
    created = book(client, merchant_key, shipment_body()).json()
    with platform.database.unit_of_work() as uow:
        uow.session.execute(
            update(Shipment).where(Shipment.id == created["id"]).values(status="handed_over")
        )
        uow.commit()
    response = client.post(f"/v1/shipments/{created['id']}/cancel", headers=auth(merchant_key))
    assert response.status_code == 409
    assert response.json()["code"] == "not_cancellable"
