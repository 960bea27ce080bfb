"""Text a database cannot store is refused as input, on SQLite and PostgreSQL alike.

Before, on PostgreSQL, a NUL byte answered 500 on nine inputs (psycopg refuses NUL in text):
shipment, batch and departure ids in the path, ``?reference=``, the ``reference`` field,
``shipment_ids`` and ``batch_id`` of /v1/labels, and the departures ``lane`` filter.
Now an id in the path names nothing (404), and a query or body field answers 422 naming it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from postbridge.app import create_app
from postbridge.bootstrap import build_platform
from postbridge.merchants.models import Role
from tests.builders import TSHIRT, shipment_body
from tests.conftest import make_merchant, settings_for

ODD_IDS = ["%00x", "shp_%00", "a%01b", "x%1B", "x%7F"]


@pytest.fixture(scope="module")
def http(database_url: str) -> Iterator[tuple[TestClient, dict[str, str], dict[str, str]]]:
    platform = build_platform(settings_for(database_url))
    merchant = make_merchant(platform.database).token
    operator = make_merchant(platform.database, role=Role.OPERATOR).token
    with TestClient(create_app(platform=platform), raise_server_exceptions=False) as client:
        yield (
            client,
            {"Authorization": f"Bearer {merchant}"},
            {"Authorization": f"Bearer {operator}"},
        )
    platform.database.dispose()


def control(code_point: str, position: int) -> str:
    return f"must not contain control characters (U+{code_point} at position {position})"


def only_error(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    return dict(error)


@pytest.mark.parametrize("odd", ODD_IDS)
def test_odd_ids_in_the_path_name_nothing(http: Any, odd: str) -> None:
    client, merchant, operator = http
    for method, path, headers in [
        ("GET", f"/v1/shipments/{odd}", merchant),
        ("POST", f"/v1/shipments/{odd}/cancel", merchant),
        ("GET", f"/v1/shipments/{odd}/label", merchant),
        ("GET", f"/v1/shipment-batches/{odd}", merchant),
        ("GET", f"/v1/shipment-batches/{odd}/results", merchant),
        ("POST", f"/v1/departures/{odd}/cancel", operator),
        ("POST", f"/v1/jobs/{odd}/retry", operator),
        ("GET", f"/v1/no-such-route/{odd}", merchant),
    ]:
        response = client.request(method, path, headers=headers)
        assert response.status_code == 404, (method, path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "not_found"
    response = client.patch(f"/v1/departures/{odd}", json={"capacity_items": 1}, headers=operator)
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    response = client.post(f"/v1/departures/{odd}/delay", json={"minutes": 5}, headers=operator)
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    # The connection is still good for the next request.
    assert client.get("/v1/shipments?limit=1", headers=merchant).status_code == 200


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("/v1/shipments?reference=ORDER%00", "reference", control("0000", 5)),
        ("/v1/shipments?reference=%01", "reference", control("0001", 0)),
        ("/v1/shipments?cursor=abc%00", "cursor", control("0000", 3)),
        ("/v1/shipments?destination=U%00", "destination", control("0000", 1)),
        ("/v1/shipments?limit=5&reference=A%7F", "reference", control("007F", 1)),
        ("/v1/jobs?kind=%00", "kind", control("0000", 0)),
    ],
)
def test_query_parameters_name_the_field(http: Any, query: str, field: str, message: str) -> None:
    client, merchant, operator = http
    headers = operator if query.startswith("/v1/jobs") else merchant
    assert only_error(client.get(query, headers=headers)) == {
        "field": field,
        "code": "control_character",
        "message": message,
    }


def test_percent_signs_and_plain_text_pass(http: Any) -> None:
    client, merchant, _ = http
    for query in ("reference=%2500", "reference=100%25", "reference=A%20B"):
        response = client.get(f"/v1/shipments?{query}", headers=merchant)
        assert (response.status_code, response.json()["items"]) == (200, [])


def test_departures_lane_filter_names_the_field(http: Any) -> None:
    client, _, operator = http
    response = client.get("/v1/departures?date=2026-12-01&lane=HKG%00", headers=operator)
    assert only_error(response) == {
        "field": "lane",
        "code": "control_character",
        "message": control("0000", 3),
    }


def _with(body: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    target: Any = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return body


@pytest.mark.parametrize(
    ("path", "value", "field", "message"),
    [
        (("reference",), "ORDER\x00-1", "reference", control("0000", 5)),
        (("service",), "standard\x00", "service", control("0000", 8)),
        (("recipient", "name"), "Jane\x01Doe", "recipient.name", control("0001", 4)),
        (("recipient", "street_lines", 0), "1 Main\x00", "recipient.street_lines[0]",
         control("0000", 6)),
        (("recipient", "postal_code"), "787\x0001", "recipient.postal_code", control("0000", 3)),
        (("sender", "phone"), "+86\x1b1", "sender.phone", control("001B", 3)),
        (("customs", "items", 0, "description"), "T-shirt\x7f",
         "customs.items[0].description", control("007F", 7)),
        (("customs", "items", 0, "hs_code"), "6109\x00", "customs.items[0].hs_code",
         control("0000", 4)),
        (("customs", "category"), "gift\x00", "customs.category", control("0000", 4)),
        (("customs", "explanation"), "see\x00attached", "customs.explanation",
         control("0000", 3)),
        (("customs", "items", 0, "unit_value", "currency"), "US\x00",
         "customs.items[0].unit_value.currency", control("0000", 2)),
    ],
)  # fmt: skip
def test_shipment_body_fields_name_the_field(
    http: Any, path: tuple[str | int, ...], value: str, field: str, message: str
) -> None:
    client, merchant, _ = http
    body = _with(shipment_body(reference="ODD-1", items=[dict(TSHIRT)]), path, value)
    errors = client.post("/v1/shipments", json=body, headers=merchant)
    assert only_error(errors) == {"field": field, "code": "control_character", "message": message}


def test_free_text_keeps_line_breaks(http: Any) -> None:
    client, merchant, _ = http
    body = shipment_body(reference="ODD-2", items=[dict(TSHIRT)])
    body["customs"]["explanation"] = "first line\nsecond\tline"
    response = client.post("/v1/shipments", json=body, headers=merchant)
    assert response.status_code == 201, response.text
    # Accepted; the declaration then folds its whitespace for the CN23 box.
    assert response.json()["customs"]["explanation"] == "first line second line"


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"shipment_ids": ["shp_1", "shp_\x00"]}, "shipment_ids[1]", control("0000", 4)),
        ({"batch_id": "bat_\x00"}, "batch_id", control("0000", 4)),
    ],
)
def test_label_batch_ids_name_the_field(
    http: Any, body: dict[str, Any], field: str, message: str
) -> None:
    client, merchant, _ = http
    assert only_error(client.post("/v1/labels", json=body, headers=merchant)) == {
        "field": field,
        "code": "control_character",
        "message": message,
    }


def test_rates_fields_name_the_field(http: Any) -> None:
    client, merchant, _ = http
    body = {
        "origin": {"country": "CN", "postal_code": "518057"},
        "destination": {"country": "US", "postal_code": "787\x0001"},
        "parcel": {"weight_g": 500, "length_mm": 200, "width_mm": 150, "height_mm": 50},
        "declared_value": {"amount": "20.00", "currency": "USD"},
    }
    assert only_error(client.post("/v1/rates", json=body, headers=merchant)) == {
        "field": "destination.postal_code",
        "code": "control_character",
        "message": control("0000", 3),
    }
