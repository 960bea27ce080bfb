from __future__ import annotations

import io

import pypdfium2
import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image

from postbridge.identifiers.impb import is_valid_impb, parse_impb_barcode
from tests.builders import RECIPIENT_BR, shipment_body
from tests.e2e.conftest import auth

RATES = {
    "origin": {"country": "CN", "postal_code": "518057"},
    "destination": {"country": "US", "postal_code": "78701"},
    "parcel": {"weight_g": 500, "length_mm": 200, "width_mm": 150, "height_mm": 50},
    "declared_value": {"amount": "20.00", "currency": "USD"},
    "incoterm": "DDU",
}


def test_rates_quote_standard_through_two_iscs(client: TestClient, merchant_key: str) -> None:
    response = client.post(
        "/v1/rates", json={**RATES, "alternatives": True}, headers=auth(merchant_key)
    )
    assert response.status_code == 200, response.text
    options = response.json()["options"]
    standard = [o for o in options if o["service"] == "standard"]
    iscs = {o["injection_point"] for o in standard}
    assert len(iscs) >= 2
    assert iscs <= {"JFK-ISC", "ORD-ISC", "MIA-ISC", "LAX-ISC", "SFO-ISC"}
    first = standard[0]
    assert first["partner"] == "USPS"
    assert set(first["price"]) >= {"total", "base", "volumetric", "fuel", "duties_and_taxes"}
    assert first["promise"]["p50"] <= first["promise"]["p90"]
    assert first["route"][0]["from"] == "SZX-SC"
    assert first["route"][-1]["to"] == first["injection_point"]
    departs = [leg["departs"] for leg in first["route"]]
    assert departs == sorted(departs)


def test_rates_errors_name_the_field(client: TestClient, merchant_key: str) -> None:
    bad_country = {**RATES, "destination": {"country": "ZZ", "postal_code": "1"}}
    response = client.post("/v1/rates", json=bad_country, headers=auth(merchant_key))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "destination.country"
    not_served = {**RATES, "origin": {"country": "DE", "postal_code": "10115"}}
    response = client.post("/v1/rates", json=not_served, headers=auth(merchant_key))
    assert response.status_code == 422
    assert response.json()["code"] == "origin_not_served"
    assert response.json()["errors"][0]["field"] == "origin.country"
    bad_zip = {**RATES, "destination": {"country": "US", "postal_code": "ABCDE"}}
    response = client.post("/v1/rates", json=bad_zip, headers=auth(merchant_key))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["destination.postal_code"]
    assert "5-digit ZIP" in response.json()["errors"][0]["message"]
    assert client.post("/v1/rates", json=RATES).status_code == 401


def test_booking_stores_product_route_promise_and_impb(
    client: TestClient, merchant_key: str
) -> None:
    response = client.post("/v1/shipments", json=shipment_body(), headers=auth(merchant_key))
    body = response.json()
    assert body["product"] == "CN-US-STANDARD"
    assert body["partner"] == "USPS"
    assert body["price"]["currency"] == "USD"
    assert body["promise"]["p50"] <= body["promise"]["p90"]
    assert body["route"]["office_of_exchange"] in {"USJFKA", "USORDA", "USMIAA", "USLAXA", "USSFOA"}
    assert body["route"]["legs"][0]["from"] == "SZX-SC"
    pic = body["partner_tracking_number"]
    assert pic is not None
    assert len(pic) == 22
    assert is_valid_impb(pic)


def test_us_label_carries_decodable_s10_and_impb(client: TestClient, merchant_key: str) -> None:
    body = client.post("/v1/shipments", json=shipment_body(), headers=auth(merchant_key)).json()
    png = client.get(f"/v1/shipments/{body['id']}/label?format=png", headers=auth(merchant_key))
    pdf = client.get(f"/v1/shipments/{body['id']}/label?format=pdf", headers=auth(merchant_key))
    page = pypdfium2.PdfDocument(pdf.content)[0].render(scale=300 / 72).to_pil()
    for image in (Image.open(io.BytesIO(png.content)), page):
        texts = [r.text for r in zxingcpp.read_barcodes(image)]
        assert body["tracking_number"] in texts
        impb = [parse_impb_barcode(t) for t in texts if t.lstrip("(").startswith("420")]
        assert len(impb) == 1
        assert impb[0].tracking_number.digits == body["partner_tracking_number"]
        assert impb[0].routing_zip == "78701"


def test_brazil_booking_routes_through_gru(client: TestClient, merchant_key: str) -> None:
    body = client.post(
        "/v1/shipments", json=shipment_body(recipient=RECIPIENT_BR), headers=auth(merchant_key)
    ).json()
    assert body["product"] == "CN-BR-STANDARD"
    assert body["route"]["office_of_exchange"] == "BRSAOD"
    assert body["partner_tracking_number"] is None


def test_no_service_for_the_parcel_names_the_service(client: TestClient, merchant_key: str) -> None:
    body = shipment_body(service="economy")
    body["parcel"]["weight_g"] = 5000
    response = client.post("/v1/shipments", json=body, headers=auth(merchant_key))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "service"
