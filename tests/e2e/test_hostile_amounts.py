"""Hostile numbers answer 422 problem+json naming the field, at once (issue 10, build point 1).

Before: "1E999990" kept the event loop busy 33 s on /v1/rates and 52 s on /v1/shipments;
1E999999999 and 1E5000 answered 500; 1e308, full-width and Arabic-Indic digits, 1_000 and
10^30 were accepted; /v1/rates took a negative declared value; true passed as an integer.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.builders import TSHIRT, shipment_body
from tests.e2e.conftest import auth

RATES: dict[str, Any] = {
    "origin": {"country": "CN", "postal_code": "518057"},
    "destination": {"country": "US", "postal_code": "78701"},
    "parcel": {"weight_g": 500, "length_mm": 200, "width_mm": 150, "height_mm": 50},
    "declared_value": {"amount": "20.00", "currency": "USD"},
    "incoterm": "DDU",
}
NOT_PLAIN = (
    'is not a plain decimal amount such as "9.90" (ASCII digits and an optional point; '
    "no exponent, sign, spaces or separators)"
)
# (amount as it appears in the JSON text, the message the API answers)
HOSTILE_AMOUNTS = [
    ('"1E999990"', f"'1E999990' {NOT_PLAIN}"),
    ('"1E999999999"', f"'1E999999999' {NOT_PLAIN}"),
    ('"1E5000"', f"'1E5000' {NOT_PLAIN}"),
    ('"1e308"', f"'1e308' {NOT_PLAIN}"),
    ('"1E400"', f"'1E400' {NOT_PLAIN}"),
    ('"１２３"', f"'１２３' {NOT_PLAIN}"),
    ('"١٢٣"', f"'١٢٣' {NOT_PLAIN}"),
    ('"1_000"', f"'1_000' {NOT_PLAIN}"),
    ('" 20.00"', f"' 20.00' {NOT_PLAIN}"),
    ('"1000000000000000000000000000000"', "'100000000000000000000000'... is too long for an "
     "amount (at most 24 characters)"),
    ('"1000000000.01"', "'1000000000.01' is above the maximum amount of 1000000000"),
    ('"-1.00"', "'-1.00' is negative; amounts start at 0"),
    ('"9.999"', "'9.999' has more than 2 decimals for USD"),
    # JSON numbers: accepted for convenience only when they read as plain decimals too.
    ("1E999990", f"'inf' {NOT_PLAIN}"),
    ("1e308", f"'1e+308' {NOT_PLAIN}"),
    ("1000000000000000000000000000000", "is above the maximum amount of 1000000000"),
    ("-5", "'-5' is negative; amounts start at 0"),
    ("true", 'expected a decimal string such as "9.90"'),
    ("null", 'expected a decimal string such as "9.90"'),
]  # fmt: skip
BOUND_SECONDS = 1.0  # a correctness bound (the freeze was 33 s), not a benchmark


def post_raw(client: TestClient, key: str, path: str, body: dict[str, Any], amount: str) -> Any:
    """POST ``body`` with the string "@AMOUNT@" replaced by raw JSON text ``amount``."""
    text = json.dumps(body, ensure_ascii=False).replace('"@AMOUNT@"', amount)
    started = time.perf_counter()
    response = client.post(
        path,
        content=text.encode(),
        headers={**auth(key), "Content-Type": "application/json"},
    )
    assert time.perf_counter() - started < BOUND_SECONDS
    return response


def only_problem(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "invalid_input"
    [error] = problem["errors"]
    assert problem["detail"] == f"{error['field']}: {error['message']}"
    return dict(error)


@pytest.mark.parametrize(("amount", "message"), HOSTILE_AMOUNTS)
def test_rates_refuse_the_declared_value(
    client: TestClient, merchant_key: str, amount: str, message: str
) -> None:
    body = {**RATES, "declared_value": {"amount": "@AMOUNT@", "currency": "USD"}}
    response = post_raw(client, merchant_key, "/v1/rates", body, amount)
    assert only_problem(response) == {
        "field": "declared_value.amount",
        "code": "invalid_amount",
        "message": message,
    }


@pytest.mark.parametrize(("amount", "message"), HOSTILE_AMOUNTS)
def test_shipments_refuse_the_unit_value(
    client: TestClient, merchant_key: str, amount: str, message: str
) -> None:
    items = [{**TSHIRT, "unit_value": {"amount": "@AMOUNT@", "currency": "USD"}}]
    body = shipment_body(reference="HOSTILE-1", items=items)
    response = post_raw(client, merchant_key, "/v1/shipments", body, amount)
    assert only_problem(response) == {
        "field": "customs.items[0].unit_value.amount",
        "code": "invalid_amount",
        "message": message,
    }


def test_a_plain_json_number_amount_still_books(client: TestClient, merchant_key: str) -> None:
    body = {**RATES, "declared_value": {"amount": "@AMOUNT@", "currency": "USD"}}
    assert post_raw(client, merchant_key, "/v1/rates", body, "20.5").status_code == 200


@pytest.mark.parametrize("value", ["true", "500.0", '"500"', "1e3"])
def test_integers_are_json_integers(client: TestClient, merchant_key: str, value: str) -> None:
    body = {**RATES, "parcel": {**RATES["parcel"], "weight_g": "@AMOUNT@"}}
    response = post_raw(client, merchant_key, "/v1/rates", body, value)
    assert only_problem(response) == {
        "field": "parcel.weight_g",
        "code": "int_type",
        "message": "Input should be a valid integer",
    }


def test_shipment_quantities_are_json_integers(client: TestClient, merchant_key: str) -> None:
    items = [{**TSHIRT, "quantity": "@AMOUNT@"}]
    body = shipment_body(reference="HOSTILE-2", items=items)
    response = post_raw(client, merchant_key, "/v1/shipments", body, "true")
    assert only_problem(response) == {
        "field": "customs.items[0].quantity",
        "code": "int_type",
        "message": "Input should be a valid integer",
    }


AMOUNT_TEXT = st.one_of(
    st.text(max_size=40),
    st.from_regex(r"-?[0-9]{0,40}(\.[0-9]{0,8})?([eE][-+]?[0-9]{1,9})?", fullmatch=True),
    st.text(alphabet="0123456789.,_ eE+-\u0660\u0661\uff11\u00a0\x00", max_size=30),
)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(amount=AMOUNT_TEXT)
def test_any_amount_text_answers_200_or_422_naming_the_field(
    client: TestClient, merchant_key: str, amount: str
) -> None:
    body = {**RATES, "declared_value": {"amount": amount, "currency": "USD"}}
    started = time.perf_counter()
    response = client.post("/v1/rates", json=body, headers=auth(merchant_key))
    assert time.perf_counter() - started < BOUND_SECONDS
    if response.status_code == 200:
        return
    error = only_problem(response)
    assert (error["field"], error["code"]) == ("declared_value.amount", "invalid_amount")
