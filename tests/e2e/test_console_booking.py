"""The console's New shipment form through HTTP, on SQLite and on PostgreSQL: it books as the
API does (same body, same messages, same idempotency), shows each problem on its own input and
keeps what was typed, checks the form as JSON for the page's script (field messages and quote
options), and refuses a post without the session's CSRF token."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from postbridge.app import create_app
from postbridge.bootstrap import Platform, build_platform
from postbridge.shipments.models import Shipment
from postbridge.shipments.reading import list_shipments
from postbridge.shipments.repository import ShipmentFilter
from postbridge.web.booking_form import booking_body
from tests.conftest import BACKENDS, make_merchant, settings_for
from tests.console_builders import csrf_token, make_user, sign_in
from tests.e2e.conftest import auth

ZIP_MESSAGE = "expected a 5-digit ZIP code such as 78701, or ZIP+4 such as 78701-1234; got 'ABCDE'"
US_PRODUCTS = ["CN-US-PREMIUM", "CN-US-ECONOMY", "CN-US-STANDARD"]

# The form as a merchant user fills it in: the input names are the API's field paths.
ADDRESSES: dict[str, str] = {
    "sender.name": "Li Wei",
    "sender.company": "Shenzhen Gadgets Co",
    "sender.street_lines[0]": "No. 8 Keji Road, Nanshan",
    "sender.city": "Shenzhen",
    "sender.region": "Guangdong",
    "sender.postal_code": "518057",
    "sender.country": "CN",
    "sender.phone": "+86 755 8888 8888",
    "sender.email": "ops@example.cn",
    "recipient.name": "Jane Doe",
    "recipient.street_lines[0]": "100 Congress Ave",
    "recipient.city": "Austin",
    "recipient.region": "Texas",
    "recipient.postal_code": "78701",
    "recipient.country": "US",
    "recipient.phone": "512-555-0100",
    "recipient.email": "jane@example.com",
    "parcel.weight_g": "450",
    "parcel.length_mm": "200",
    "parcel.width_mm": "150",
    "parcel.height_mm": "50",
}
ITEM: dict[str, str] = {
    "customs.items[0].description": "Cotton T-shirt",
    "customs.items[0].hs_code": "610910",
    "customs.items[0].quantity": "2",
    "customs.items[0].unit_value.amount": "9.90",
    "customs.items[0].unit_value.currency": "USD",
    "customs.items[0].origin_country": "CN",
    "customs.items[0].unit_weight_g": "180",
}
BLANK_ROWS = {"customs.items[1].unit_value.currency": "USD",
              "customs.items[2].unit_value.currency": "USD"}  # fmt: skip


def filled_form(reference: str, **changes: str) -> dict[str, str]:
    return {"reference": reference, "incoterm": "DDU", "customs.category": "sale_of_goods",
            **ADDRESSES, **ITEM, **BLANK_ROWS, **changes}  # fmt: skip


@pytest.fixture(scope="module", params=BACKENDS)
def platform(request: pytest.FixtureRequest) -> Iterator[Platform]:
    """This module's platform, once on each storage backend."""
    plat = build_platform(settings_for(str(request.getfixturevalue(f"{request.param}_url"))))
    yield plat
    plat.database.dispose()


@pytest.fixture(scope="module")
def app(platform: Platform) -> FastAPI:
    return create_app(platform=platform)


@pytest.fixture
def browser(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def api(app: FastAPI) -> Iterator[TestClient]:
    """A program calling the API with a key (no console session)."""
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def merchant_user(platform: Platform, browser: TestClient) -> tuple[str, str]:
    """A signed-in merchant user: (merchant id, the page's CSRF token)."""
    merchant = make_merchant(platform.database)
    user = make_user(platform.database, merchant_id=merchant.merchant_id)
    assert sign_in(browser, user).status_code == 303
    page = browser.get("/shipments/new")
    assert page.status_code == 200
    return merchant.merchant_id, csrf_token(page.text)


def booked(platform: Platform, merchant_id: str | None, reference: str) -> list[Shipment]:
    return list_shipments(
        database=platform.database,
        spec=ShipmentFilter(merchant_id=merchant_id, reference=reference),
        cursor=None,
        limit=10,
    ).items


def idempotency_key(html: str) -> str:
    found = re.search(r'name="idempotency_key" value="([^"]+)"', html)
    assert found is not None
    return found[1]


def field_message(html: str, field_id: str) -> str:
    found = re.search(rf'<p class="field-error" id="{field_id}-error"[^>]*>([^<]*)</p>', html)
    assert found is not None, f"no message slot for {field_id}"
    return found[1]


def check(browser: TestClient, token: str, form: dict[str, str]) -> Any:
    answer = browser.post("/shipments/new/check", json=form, headers={"X-CSRF-Token": token})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_the_form_has_a_label_and_a_message_slot_for_every_input(
    browser: TestClient, merchant_user: tuple[str, str]
) -> None:
    page = browser.get("/shipments/new")
    html = page.text
    assert page.headers["cache-control"] == "no-store"
    assert '<a href="/shipments/new" aria-current="page">New shipment</a>' in html
    names = re.findall(r'<input id="([^"]+)" name="([^"]+)"', html)
    assert len(names) == 11 + 12 + 4 + 1 + 3 * 7  # sender, recipient (tax id), parcel, ref, items
    for input_id, name in names:
        assert f'<label for="{input_id}">' in html, name
        assert f'aria-describedby="{input_id}-error"' in html, name
        assert field_message(html, input_id) == ""
    assert 'name="customs.items[2].unit_weight_g"' in html
    assert 'value="USD"' in html
    assert len(idempotency_key(html)) == 32
    assert idempotency_key(browser.get("/shipments/new").text) != idempotency_key(html)
    assert '<script src="/console/assets/new_shipment.js" defer></script>' in html
    assert "<script>" not in html
    assert " onclick=" not in html
    script = browser.get("/console/assets/new_shipment.js")
    assert (script.status_code, script.headers["content-type"]) == (
        200, "text/javascript; charset=utf-8",
    )  # fmt: skip


def test_a_valid_form_books_one_shipment_even_when_sent_twice(
    browser: TestClient, platform: Platform, merchant_user: tuple[str, str]
) -> None:
    merchant_id, token = merchant_user
    key = idempotency_key(browser.get("/shipments/new").text)
    form = filled_form("FORM-BOOK-1", service="CN-US-PREMIUM", csrf_token=token,
                       idempotency_key=key, action="book")  # fmt: skip
    first = browser.post("/shipments/new", data=form, follow_redirects=False)
    assert first.status_code == 303, first.text
    second = browser.post("/shipments/new", data=form, follow_redirects=False)
    assert second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    shipments = booked(platform, None, "FORM-BOOK-1")
    assert len(shipments) == 1
    shipment = shipments[0]
    assert first.headers["location"] == f"/shipments/{shipment.id}"
    assert re.fullmatch(r"/shipments/shp_[0-9A-Z]{26}", first.headers["location"])
    assert (shipment.merchant_id, shipment.product, shipment.partner) == (
        merchant_id, "CN-US-PREMIUM", "USPS",
    )  # fmt: skip
    assert (shipment.recipient["postal_code"], shipment.weight_g) == ("78701", 450)
    assert shipment.customs["items"][0]["hs_code"] == "610910"


def test_the_same_key_with_another_form_is_refused_until_sent_again(
    browser: TestClient, platform: Platform, merchant_user: tuple[str, str]
) -> None:
    _, token = merchant_user
    form = filled_form("FORM-KEY-1", csrf_token=token, idempotency_key="form-key-1")
    assert browser.post("/shipments/new", data=form, follow_redirects=False).status_code == 303
    changed = {**form, "reference": "FORM-KEY-2"}
    again = browser.post("/shipments/new", data=changed, follow_redirects=False)
    assert again.status_code == 409
    assert "Idempotency-Key &#39;form-key-1&#39; was already used with a different" in again.text
    assert 'value="FORM-KEY-2"' in again.text
    assert "This page already booked a shipment with other values." in again.text
    assert booked(platform, None, "FORM-KEY-2") == []
    fresh_key = idempotency_key(again.text)
    assert fresh_key != "form-key-1"
    resent = {**changed, "idempotency_key": fresh_key}
    assert browser.post("/shipments/new", data=resent, follow_redirects=False).status_code == 303
    assert len(booked(platform, None, "FORM-KEY-2")) == 1


def test_a_wrong_postal_code_shows_on_its_field_keeps_the_values_and_books_nothing(
    browser: TestClient, platform: Platform, merchant_user: tuple[str, str]
) -> None:
    _, token = merchant_user
    form = filled_form("FORM-ZIP-1", csrf_token=token, idempotency_key="zip-1")
    form["recipient.postal_code"] = "ABCDE"
    page = browser.post("/shipments/new", data=form, follow_redirects=False)
    assert page.status_code == 422
    html = page.text
    assert field_message(html, "recipient-postal_code") == ZIP_MESSAGE.replace("'", "&#39;")
    assert re.search(r'id="recipient-postal_code" name="recipient.postal_code" type="text" '
                     r'value="ABCDE"[^>]*aria-invalid="true"', html)  # fmt: skip
    assert len(re.findall(r'<input [^>]*aria-invalid="true"', html)) == 1
    assert "1 field needs correcting" in html
    for value in ("FORM-ZIP-1", "Jane Doe", "100 Congress Ave", "Cotton T-shirt", "610910"):
        assert f'value="{value}"' in html
    assert idempotency_key(html) == "zip-1"
    assert booked(platform, None, "FORM-ZIP-1") == []


def test_a_blank_item_row_is_left_out_and_messages_stay_on_the_row_typed_in(
    browser: TestClient, merchant_user: tuple[str, str]
) -> None:
    _, token = merchant_user
    third = {"customs.items[2].description": "Mug", "customs.items[2].quantity": "0",
             "customs.items[2].unit_value.amount": "4.00", "customs.items[2].origin_country": "CN",
             "customs.items[2].unit_weight_g": "200", "customs.items[2].hs_code": "691200"}  # fmt: skip
    form = filled_form("FORM-ROWS-1", **third)
    assert len(booking_body(form).body["customs"]["items"]) == 2
    answer = check(browser, token, form)
    assert answer["errors"] == [
        {"field": "customs.items[2].quantity", "id": "customs-items-2-quantity",
         "message": "Input should be greater than or equal to 1"},
    ]  # fmt: skip


def test_the_check_gives_the_apis_own_messages_on_the_fields(
    browser: TestClient, api: TestClient, platform: Platform, merchant_user: tuple[str, str]
) -> None:
    _, token = merchant_user
    form = filled_form("FORM-CHECK-1", **{"recipient.postal_code": "ABCDE",
                                          "parcel.weight_g": "heavy"})  # fmt: skip
    answer = check(browser, token, form)
    assert answer["errors"] == [
        {"field": "parcel.weight_g", "id": "parcel-weight_g",
         "message": "Input should be a valid integer"},
        {"field": "recipient.postal_code", "id": "recipient-postal_code", "message": ZIP_MESSAGE},
    ]  # fmt: skip
    # The API says the same of the same body, field by field; where its schema refuses the
    # body it stops there, while the form still checks the addresses as the booking will.
    merchant = make_merchant(platform.database)
    zip_only = booking_body(filled_form("FORM-CHECK-2", **{"recipient.postal_code": "ABCDE"}))
    for body, form_only in (
        (booking_body(form).body, {("recipient.postal_code", ZIP_MESSAGE)}),
        (zip_only.body, set()),
    ):
        from_api = api.post("/v1/shipments", json=body, headers=auth(merchant.token))
        assert from_api.status_code == 422
        api_messages = {(e["field"], e["message"]) for e in from_api.json()["errors"]}
        as_form = {name: str(value) for name, value in _flat(body).items()}
        form_messages = {
            (e["field"], e["message"]) for e in check(browser, token, as_form)["errors"]
        }
        assert form_messages == api_messages | form_only
        assert api_messages - form_messages == set()
    spain = filled_form("FORM-CHECK-3", **{"recipient.country": "ES", "recipient.postal_code": "1234",
                                            "recipient.region": "Madrid", "recipient.city": "Madrid",
                                            "recipient.phone": "+34 910 12 34 56"})  # fmt: skip
    messages = {e["field"]: e["message"] for e in check(browser, token, spain)["errors"]}
    assert messages == {
        "recipient.postal_code": "expected a 5-digit código postal such as 28013; got '1234'"
    }


def _flat(body: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """An API body back as form fields (the inverse of booking_body)."""
    flat: dict[str, Any] = {}
    for key, value in body.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flat(value, f"{name}."))
        elif isinstance(value, list):
            for index, entry in enumerate(value):
                if isinstance(entry, dict):
                    flat.update(_flat(entry, f"{name}[{index}]."))
                else:
                    flat[f"{name}[{index}]"] = entry
        else:
            flat[name] = value
    return flat


def test_the_check_quotes_the_products_once_addresses_and_parcel_pass(
    browser: TestClient, api: TestClient, platform: Platform, merchant_user: tuple[str, str]
) -> None:
    _, token = merchant_user
    only_addresses = {k: v for k, v in filled_form("FORM-QUOTE-1").items() if k not in ITEM}
    answer = check(
        browser, token, {**only_addresses, "customs.items[0].unit_value.currency": "USD"}
    )
    assert [q["product"] for q in answer["quotes"]] == US_PRODUCTS
    assert {e["field"] for e in answer["errors"]} == {
        "customs.items[0].description", "customs.items[0].quantity",
        "customs.items[0].unit_value.amount", "customs.items[0].origin_country",
        "customs.items[0].unit_weight_g",
    }  # fmt: skip
    merchant = make_merchant(platform.database)
    rates = api.post("/v1/rates", headers=auth(merchant.token), json={
        "origin": {"country": "CN", "postal_code": "518057"},
        "destination": {"country": "US", "postal_code": "78701"},
        "parcel": {"weight_g": 450, "length_mm": 200, "width_mm": 150, "height_mm": 50},
        "declared_value": {"amount": "0", "currency": "USD"}})  # fmt: skip
    assert rates.status_code == 200
    assert [(q["product"], q["total"], q["p50"], q["p90"]) for q in answer["quotes"]] == [
        (o["product"], o["price"]["total"], o["promise"]["p50"], o["promise"]["p90"])
        for o in rates.json()["options"]
    ]
    for product in US_PRODUCTS:
        assert (
            f'<input type="radio" id="quote-{product}" name="service" value="{product}">'
            in (answer["quotes_html"])
        )
    assert answer["quotes_message"] is None
    wrong_zip = check(
        browser, token, filled_form("FORM-QUOTE-2", **{"recipient.postal_code": "ABCDE"})
    )
    assert (wrong_zip["quotes"], wrong_zip["quotes_message"]) == (
        [], "Quotes show once the addresses and the parcel are complete and valid.",
    )  # fmt: skip
    chosen = check(browser, token, filled_form("FORM-QUOTE-3", service="CN-US-ECONOMY"))
    assert 'value="CN-US-ECONOMY" checked>' in chosen["quotes_html"]
    assert chosen["errors"] == []


def test_get_quotes_without_javascript_shows_the_options_and_books_nothing(
    browser: TestClient, platform: Platform, merchant_user: tuple[str, str]
) -> None:
    _, token = merchant_user
    form = filled_form("FORM-NOJS-1", csrf_token=token, idempotency_key="nojs-1", action="quote")
    page = browser.post("/shipments/new", data=form, follow_redirects=False)
    assert page.status_code == 200
    radios = re.findall(r'<input type="radio" id="quote-([^"]+)" name="service"', page.text)
    assert radios == US_PRODUCTS
    assert 'value="FORM-NOJS-1"' in page.text
    assert booked(platform, None, "FORM-NOJS-1") == []


def test_posts_without_the_sessions_token_are_refused(
    browser: TestClient, platform: Platform, merchant_user: tuple[str, str]
) -> None:
    _, token = merchant_user
    form = filled_form("FORM-CSRF-1", idempotency_key="csrf-1")
    refused = browser.post("/shipments/new", data=form, follow_redirects=False)
    assert refused.status_code == 403
    assert "This form was refused" in refused.text
    wrong = browser.post("/shipments/new", data={**form, "csrf_token": token + "x"})
    assert wrong.status_code == 403
    assert booked(platform, None, "FORM-CSRF-1") == []
    for headers in ({}, {"X-CSRF-Token": "not-the-token"}):
        answer = browser.post("/shipments/new/check", json=form, headers=headers)
        assert answer.status_code == 403
        assert answer.headers["content-type"] == "application/json"
        assert answer.json() == {"error": "Refused: the X-CSRF-Token header is not this "
                                          "session's token; reload the page."}  # fmt: skip


def test_a_check_that_is_not_the_forms_fields_is_a_clear_422(
    browser: TestClient, merchant_user: tuple[str, str]
) -> None:
    _, token = merchant_user
    expected = {"error": "body: expected a JSON object of the form's field names and their "
                         "text values"}  # fmt: skip
    headers = {"X-CSRF-Token": token, "Content-Type": "application/json"}
    for content in (b"[1, 2]", b'{"reference": 5}', b"not json", b'{"a": "\xff"}'):
        answer = browser.post("/shipments/new/check", content=content, headers=headers)
        assert (answer.status_code, answer.json()) == (422, expected), content


def test_signed_out_and_operator_users_book_nothing(
    browser: TestClient, platform: Platform
) -> None:
    page = browser.get("/shipments/new", follow_redirects=False)
    assert (page.status_code, page.headers["location"]) == (303, "/login?next=/shipments/new")
    answer = browser.post("/shipments/new/check", json={}, headers={"X-CSRF-Token": "x"})
    assert answer.status_code == 401
    operator = make_user(platform.database)
    sign_in(browser, operator)
    page = browser.get("/shipments/new")
    assert page.status_code == 200
    assert "operators belong to no merchant, so they book none" in page.text
    assert 'name="reference"' not in page.text
    token = csrf_token(page.text)
    answer = browser.post("/shipments/new/check", json={}, headers={"X-CSRF-Token": token})
    assert answer.status_code == 403
    form = filled_form("FORM-OPERATOR-1", csrf_token=token, idempotency_key="operator-1")
    assert browser.post("/shipments/new", data=form).status_code == 200
    assert booked(platform, None, "FORM-OPERATOR-1") == []
