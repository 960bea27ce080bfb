"""Issue 11, points 4 and 6 through HTTP: DDP is duties paid, products sell what they say.

Prices and promises depend on the moment of the request (the API quotes "now"), so exact
amounts are derived from the same inputs by the customs core, and orderings from the API's own
answers; ``tests/unit/quotes/test_quoter_rates.py`` pins exact dates at a fixed moment.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from postbridge.customs import CustomsItem, Incoterm, estimate_duties_and_taxes
from postbridge.kit.money import Money
from tests.builders import RECIPIENT_ES_MADRID as RECIPIENT_ES
from tests.builders import RECIPIENT_MX_CDMX as RECIPIENT_MX
from tests.builders import SENDER_CN, TSHIRT, shipment_body
from tests.e2e.conftest import auth

RATES: dict[str, Any] = {
    "origin": {"country": "CN", "postal_code": "518057"},
    "destination": {"country": "US", "postal_code": "78701"},
    "parcel": {"weight_g": 500, "length_mm": 200, "width_mm": 150, "height_mm": 50},
    "declared_value": {"amount": "20.00", "currency": "USD"},
    "incoterm": "DDU",
}
DECLARED_GOODS = (CustomsItem("declared goods", 1, Money("USD", 2000), "999999", "CN", 500),)


def today() -> date:
    return datetime.now(UTC).date()


def rates(client: TestClient, key: str, **changes: Any) -> Any:
    return client.post("/v1/rates", json={**RATES, **changes}, headers=auth(key))


def amount(money: dict[str, str]) -> Money:
    return Money.parse(money["amount"], money["currency"])


def problem(response: Any) -> tuple[str, list[tuple[str, str, str]]]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    return body["code"], [(e["field"], e["code"], e["message"]) for e in body["errors"]]


# ------------------------------------------------------------------ 4. DDP means duties paid


@pytest.mark.parametrize(("country", "postal_code"), [("ES", "28014"), ("MX", "06600")])
def test_ddp_rates_include_the_duties_the_merchant_pays(
    client: TestClient, merchant_key: str, country: str, postal_code: str
) -> None:
    destination = {"country": country, "postal_code": postal_code}
    ddu = rates(client, merchant_key, destination=destination).json()["options"]
    ddp = rates(client, merchant_key, destination=destination, incoterm="DDP").json()["options"]

    assert [o["product"] for o in ddp] == [o["product"] for o in ddu]
    for sold_ddu, sold_ddp in zip(ddu, ddp, strict=True):
        transport = amount(sold_ddu["price"]["total"])
        expected = estimate_duties_and_taxes(
            destination_country=country,
            items=DECLARED_GOODS,
            shipping_cost=transport,
            incoterm=Incoterm.DDP,
            on_date=today(),
            origin_country="CN",
        )
        assert (sold_ddu["incoterm"], sold_ddu["price"]["duties_and_taxes"]) == ("DDU", None)
        assert sold_ddp["incoterm"] == "DDP"
        assert amount(sold_ddp["price"]["duties_and_taxes"]) == expected.total
        assert amount(sold_ddp["price"]["total"]) == transport + expected.total
        assert sold_ddp["route"] == sold_ddu["route"]


@pytest.mark.parametrize(
    ("destination", "reason"),
    [
        # US postal imports owe duty (de minimis suspended) but no rate after the Section 122
        # surcharge expired on 24 Jul 2026 is recorded: a DDP price would be a guess.
        (
            {"country": "US", "postal_code": "78701"},
            "De minimis suspension continues after the Section 122 surcharge expired; postal "
            "duty rate not recorded",
        ),
        (
            {"country": "SG", "postal_code": "048616"},
            "No duty or tax rules are recorded for SG on {today}; import charges were not "
            "estimated.",
        ),
    ],
    ids=["US", "SG"],
)
def test_ddp_rates_are_refused_where_the_duties_cannot_be_estimated(
    client: TestClient, merchant_key: str, destination: dict[str, str], reason: str
) -> None:
    code, errors = problem(rates(client, merchant_key, destination=destination, incoterm="DDP"))

    assert code == "duties_not_estimable"
    day = today().isoformat()
    assert errors == [
        (
            "incoterm",
            "not_estimable",
            f"import charges to {destination['country']} on {day} cannot be estimated "
            f"completely ({reason.format(today=day)}); a duties-paid price would understate "
            "what the merchant pays: quote or book DDU",
        )
    ]


def test_the_duties_paid_product_is_never_sold_ddu(client: TestClient, merchant_key: str) -> None:
    ddu = rates(client, merchant_key, alternatives=True).json()["options"]
    assert {o["product"] for o in ddu} == {"CN-US-PREMIUM", "CN-US-STANDARD", "CN-US-ECONOMY"}
    assert {o["incoterm"] for o in ddu} == {"DDU"}


@pytest.mark.parametrize("recipient", [RECIPIENT_ES, RECIPIENT_MX], ids=["ES", "MX"])
def test_a_ddp_booking_is_paid_by_the_merchant_and_nothing_is_due_at_the_door(
    client: TestClient, merchant_key: str, recipient: dict[str, Any]
) -> None:
    ddu = client.post(
        "/v1/shipments", json=shipment_body(recipient=recipient), headers=auth(merchant_key)
    )
    ddp = client.post(
        "/v1/shipments",
        json=shipment_body(recipient=recipient, incoterm="DDP"),
        headers=auth(merchant_key),
    )
    assert (ddu.status_code, ddp.status_code) == (201, 201), ddp.text
    ddu_body, ddp_body = ddu.json(), ddp.json()
    transport = amount(ddu_body["price"])
    items = (CustomsItem("Cotton T-shirt", 2, Money("USD", 990), "610910", "CN", 180),)
    expected = estimate_duties_and_taxes(
        destination_country=recipient["country"],
        items=items,
        shipping_cost=transport,
        incoterm=Incoterm.DDP,
        on_date=today(),
        origin_country="CN",
    )

    assert ddp_body["product"] == ddu_body["product"]
    duties = ddp_body["duties"]
    assert (duties["payer"], duties["status"]) == ("merchant", "complete")
    assert duties["due_on_delivery"] == {"amount": "0.00", "currency": "USD"}
    assert amount(duties["total"]) == expected.total
    assert amount(duties["total"]) > Money.zero("USD")
    assert amount(ddp_body["price"]) == transport + expected.total
    # DDU: the buyer pays the same charges at the door, and the price is transport only.
    assert ddu_body["duties"]["payer"] == "buyer"
    assert ddu_body["duties"]["due_on_delivery"] == ddu_body["duties"]["total"]


def test_a_ddp_booking_to_the_us_says_why_it_cannot_be_priced(
    client: TestClient, merchant_key: str
) -> None:
    response = client.post(
        "/v1/shipments", json=shipment_body(incoterm="DDP"), headers=auth(merchant_key)
    )
    code, errors = problem(response)
    assert code == "duties_not_estimable"
    assert [(f, c) for f, c, _ in errors] == [("incoterm", "not_estimable")]
    booked = client.post(
        "/v1/shipments",
        json=shipment_body(service="USPS-GA-PACKET"),
        headers=auth(merchant_key),
    )
    code, errors = problem(booked)
    assert code == "ddp_only_product"
    assert errors == [
        (
            "incoterm",
            "not_offered",
            "USPS-GA-PACKET is sold duties paid only: book it with incoterm DDP",
        )
    ]


# ------------------------------------------------------------------ 6. products sell what they say


@pytest.mark.parametrize(
    ("service", "prefix"),
    [
        ("premium", "EA"),
        ("CN-US-PREMIUM", "EA"),
        ("cn-us-premium", "EA"),
        ("standard", "LX"),
        ("CN-US-STANDARD", "LX"),
        ("economy", "LZ"),
        ("CN-US-ECONOMY", "LZ"),
    ],
)
def test_a_product_code_numbers_like_its_service_level(
    client: TestClient, merchant_key: str, service: str, prefix: str
) -> None:
    response = client.post(
        "/v1/shipments", json=shipment_body(service=service), headers=auth(merchant_key)
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["tracking_number"][:2] == prefix
    assert body["product"] == {"EA": "CN-US-PREMIUM", "LX": "CN-US-STANDARD"}.get(
        prefix, "CN-US-ECONOMY"
    )


def test_rates_answer_one_best_option_per_product_unless_alternatives_are_asked(
    client: TestClient, merchant_key: str
) -> None:
    best = rates(client, merchant_key).json()["options"]
    every = rates(client, merchant_key, alternatives=True).json()["options"]

    assert sorted(o["product"] for o in best) == [
        "CN-US-ECONOMY",
        "CN-US-PREMIUM",
        "CN-US-STANDARD",
    ]
    assert len(every) > len(best)
    assert {o["product"] for o in every} == {o["product"] for o in best}
    by_product = {o["product"]: o for o in best}
    premium, standard, economy = (
        by_product["CN-US-PREMIUM"],
        by_product["CN-US-STANDARD"],
        by_product["CN-US-ECONOMY"],
    )
    # Premium: faster flights and priority handling; economy: consolidated, slower, cheaper.
    assert premium["promise"]["p50"] < economy["promise"]["p50"]
    assert premium["promise"]["p50"] <= standard["promise"]["p50"] <= economy["promise"]["p50"]
    assert economy["promise"]["p90"] >= standard["promise"]["p90"]
    prices = [amount(o["price"]["total"]) for o in (premium, standard, economy)]
    assert prices == sorted(prices, reverse=True)
    # Standard does not sell economy's route and promise at twice the price.
    assert (standard["route"], standard["promise"]) != (economy["route"], economy["promise"])
    # Economy waits a day at the origin for its consolidated dispatch.
    assert economy["route"][0]["departs"] > standard["route"][0]["departs"]


def test_rates_to_a_destination_no_product_serves_say_so(
    client: TestClient, merchant_key: str
) -> None:
    response = rates(client, merchant_key, destination={"country": "GB", "postal_code": "SW1A 1AA"})
    code, errors = problem(response)
    assert code == "destination_not_served"
    assert errors == [
        (
            "destination.country",
            "not_served",
            "no product of the network delivers to GB; products deliver to BR, CL, CO, ES, MX, "
            "PR, SG, US",
        )
    ]


def test_an_origin_outside_the_pick_up_zones_is_refused_with_the_reason(
    client: TestClient, merchant_key: str
) -> None:
    beijing = {"country": "CN", "postal_code": "100000"}
    reason = (
        "100000 is outside postbridge's pick-up zones in CN (collection from Guangzhou, "
        "Hangzhou, Shanghai, Shenzhen, Yiwu and their provinces); the network sells no first "
        "mile from there to a sorting centre"
    )
    code, errors = problem(rates(client, merchant_key, origin=beijing))
    assert (code, errors) == (
        "origin_not_served",
        [("origin.postal_code", "not_served", reason)],
    )
    sender = {**SENDER_CN, "city": "Beijing", "region": "Beijing", "postal_code": "100000"}
    booked = client.post(
        "/v1/shipments",
        json=shipment_body(sender=sender, items=[TSHIRT]),
        headers=auth(merchant_key),
    )
    code, errors = problem(booked)
    assert (code, errors) == ("origin_not_served", [("sender.postal_code", "not_served", reason)])
    # A Foshan sender (528000, Guangdong outside the 51 prefix) is collected by Guangzhou.
    foshan = rates(client, merchant_key, origin={"country": "CN", "postal_code": "528000"})
    assert foshan.status_code == 200, foshan.text
    assert {o["route"][0]["from"] for o in foshan.json()["options"]} == {"CAN-SC"}


@pytest.mark.parametrize(("country", "post"), [("CL", "CORREOSCHILE"), ("CO", "4-72")])
def test_rates_need_no_postal_code_where_the_post_uses_none(
    client: TestClient, merchant_key: str, country: str, post: str
) -> None:
    response = rates(client, merchant_key, destination={"country": country})
    assert response.status_code == 200, response.text
    assert response.json()["options"]
    assert {o["partner"] for o in response.json()["options"]} == {post}


def test_rates_without_a_postal_code_the_country_requires_name_it(
    client: TestClient, merchant_key: str
) -> None:
    code, errors = problem(rates(client, merchant_key, destination={"country": "US"}))
    assert code == "invalid_input"
    assert [(field, kind) for field, kind, _ in errors] == [("destination.postal_code", "required")]
