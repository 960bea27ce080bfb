"""POST /v1/rates declares RatesResponse, and what it renders (through orjson) is exactly that."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from postbridge.quotes.schemas import RatesResponse
from tests.e2e.conftest import auth

RATES: dict[str, Any] = {
    "origin": {"country": "CN", "postal_code": "518057"},
    "destination": {"country": "US", "postal_code": "78701"},
    "parcel": {"weight_g": 500, "length_mm": 200, "width_mm": 150, "height_mm": 50},
    "declared_value": {"amount": "20.00", "currency": "USD"},
}


# US import charges after 24 Jul 2026 are not recorded, so DDP is priced to Spain.
@pytest.mark.parametrize(
    ("incoterm", "destination"),
    [
        ("DDU", {"country": "US", "postal_code": "78701"}),
        ("DDP", {"country": "ES", "postal_code": "28014"}),
    ],
)
def test_rendered_options_validate_against_the_declared_model(
    client: TestClient, merchant_key: str, incoterm: str, destination: dict[str, str]
) -> None:
    response = client.post(
        "/v1/rates",
        json={**RATES, "incoterm": incoterm, "destination": destination, "alternatives": True},
        headers=auth(merchant_key),
    )

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    document = response.json()
    parsed = RatesResponse.model_validate(document)  # extra fields would fail: closed models
    assert parsed.options
    # Nothing is lost or reshaped on the way through the model: the JSON is the model.
    assert parsed.model_dump(mode="json", by_alias=True) == document


def test_openapi_declares_the_rates_response(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/v1/rates"]["post"]
    content = operation["responses"]["200"]["content"]["application/json"]
    assert content["schema"] == {"$ref": "#/components/schemas/RatesResponse"}
