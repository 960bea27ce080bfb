from __future__ import annotations

import io

import pypdfium2
import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image

from postbridge.identifiers.s10 import is_valid_s10
from tests.builders import shipment_body
from tests.e2e.conftest import auth


def book(client: TestClient, key: str, **overrides: object) -> dict:
    response = client.post("/v1/shipments", json=shipment_body(**overrides), headers=auth(key))
    assert response.status_code == 201, response.text
    return response.json()


def decoded(image: Image.Image) -> set[str]:
    return {result.text for result in zxingcpp.read_barcodes(image)}


def test_png_label_decodes_to_the_tracking_number(client: TestClient, merchant_key: str) -> None:
    shipment = book(client, merchant_key)
    response = client.get(
        f"/v1/shipments/{shipment['id']}/label?format=png", headers=auth(merchant_key)
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.size == (812, 1218)
    texts = decoded(image)
    assert shipment["tracking_number"] in texts
    assert is_valid_s10(shipment["tracking_number"])
    after = client.get(f"/v1/shipments/{shipment['id']}", headers=auth(merchant_key)).json()
    assert after["status"] == "label_created"


def test_pdf_label_rasterised_decodes(client: TestClient, merchant_key: str) -> None:
    shipment = book(client, merchant_key)
    response = client.get(f"/v1/shipments/{shipment['id']}/label", headers=auth(merchant_key))
    assert response.headers["content-type"] == "application/pdf"
    document = pypdfium2.PdfDocument(response.content)
    assert len(document) == 1
    page = document[0].render(scale=300 / 72).to_pil()
    assert shipment["tracking_number"] in decoded(page)
    text = document[0].get_textpage().get_text_range()
    assert "CN 22" in text
    assert "Cotton T-shirt" in text


def test_cn23_shipment_has_a_customs_page(client: TestClient, merchant_key: str) -> None:
    items = [{
        "description": "Smartphone", "quantity": 1, "unit_value": {"amount": "650.00", "currency": "USD"},
        "hs_code": "851713", "origin_country": "CN", "unit_weight_g": 300,
    }]  # fmt: skip
    shipment = book(client, merchant_key, items=items)
    assert shipment["customs_form"] == "CN23"
    response = client.get(f"/v1/shipments/{shipment['id']}/label", headers=auth(merchant_key))
    document = pypdfium2.PdfDocument(response.content)
    assert len(document) == 2
    assert "CUSTOMS DECLARATION CN 23" in document[1].get_textpage().get_text_range()


def test_documents_only_label_has_no_item_table(client: TestClient, merchant_key: str) -> None:
    body = shipment_body(items=[])
    body["customs"] = {"category": "documents", "items": []}
    response = client.post("/v1/shipments", json=body, headers=auth(merchant_key))
    assert response.status_code == 201, response.text
    document = pypdfium2.PdfDocument(
        client.get(
            f"/v1/shipments/{response.json()['id']}/label", headers=auth(merchant_key)
        ).content
    )
    text = document[0].get_textpage().get_text_range()
    assert "Documents" in text
    assert "Cotton T-shirt" not in text


def test_merged_zpl_for_several_shipments(client: TestClient, merchant_key: str) -> None:
    ids = [book(client, merchant_key)["id"] for _ in range(3)]
    response = client.post(
        "/v1/labels", json={"shipment_ids": ids, "format": "zpl"}, headers=auth(merchant_key)
    )
    assert response.status_code == 200
    stream = response.text
    assert stream.count("^XA") == 3
    assert stream.count("^XZ") == 3
    for shipment_id in ids:
        number = client.get(f"/v1/shipments/{shipment_id}", headers=auth(merchant_key)).json()[
            "tracking_number"
        ]
        assert number in stream


def test_label_errors(client: TestClient, merchant_key: str, other_merchant_key: str) -> None:
    shipment = book(client, merchant_key)
    other = client.get(f"/v1/shipments/{shipment['id']}/label", headers=auth(other_merchant_key))
    assert other.status_code == 404
    bad_format = client.get(
        f"/v1/shipments/{shipment['id']}/label?format=gif", headers=auth(merchant_key)
    )
    assert bad_format.status_code == 422
    assert bad_format.json()["errors"][0]["field"] == "format"
    both = client.post(
        "/v1/labels",
        json={"shipment_ids": [shipment["id"]], "batch_id": "bat_x"},
        headers=auth(merchant_key),
    )
    assert both.status_code == 422
    client.post(f"/v1/shipments/{shipment['id']}/cancel", headers=auth(merchant_key))
    cancelled = client.get(f"/v1/shipments/{shipment['id']}/label", headers=auth(merchant_key))
    assert cancelled.status_code == 422
    assert "cancelled" in cancelled.json()["detail"]
