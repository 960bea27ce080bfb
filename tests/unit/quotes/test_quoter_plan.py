"""Quoter.plan: the booking's route choice, memoised by region group without changing it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

import postbridge.quotes.service as service_module
from postbridge.bootstrap import partner_registry
from postbridge.customs import CustomsItem
from postbridge.errors import InvalidInput
from postbridge.kit.money import Money
from postbridge.network import Network, demo_network
from postbridge.quotes.model import PlanRequest
from postbridge.quotes.service import Quoter

PARTNERS = partner_registry()

BOOKED_AT = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
TSHIRTS = (CustomsItem("Cotton T-shirt", 2, Money("USD", 990), "610910", "CN", 180),)


def request(**overrides: object) -> PlanRequest:
    fields: dict[str, object] = {
        "origin_country": "CN",
        "origin_postal_code": "518057",
        "destination_country": "US",
        "destination_postal_code": "78701",
        "weight_g": 450,
        "length_mm": 200,
        "width_mm": 150,
        "height_mm": 50,
        "declared_value": Money("USD", 1980),
        "service": "standard",
        "incoterm": "DDU",
        "booked_at": BOOKED_AT,
        "items": TSHIRTS,
    }
    fields.update(overrides)
    return PlanRequest(**fields)


@pytest.fixture(scope="module")
def network() -> Network:
    return demo_network()


PARCELS = [
    request(),
    request(destination_postal_code="73301"),  # Texas inside Oklahoma's 73x
    request(destination_postal_code="10001", service="premium"),
    request(destination_postal_code="90012", service="economy", weight_g=1200),
    request(destination_country="MX", destination_postal_code="06600", incoterm="DDP"),
    request(destination_country="BR", destination_postal_code="01310-200"),
    request(destination_country="ES", destination_postal_code="28014", service="economy"),
    request(
        destination_country="SG", destination_postal_code="048616", origin_postal_code="322000"
    ),
]


@pytest.mark.parametrize(
    "parcel", PARCELS, ids=lambda p: f"{p.destination_postal_code}-{p.service}"
)
def test_a_warm_quoter_plans_what_a_fresh_one_plans(network: Network, parcel: PlanRequest) -> None:
    warm = Quoter(network, partners=PARTNERS)
    for other in PARCELS:  # fill every memo with the group's other parcels first
        warm.plan(other)
    assert warm.plan(parcel) == Quoter(network, partners=PARTNERS).plan(parcel)


def test_one_quote_serves_every_service_and_incoterm_of_a_group(
    network: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    real_quote = service_module.quote

    def counting_quote(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[1].destination_postal_code)
        return real_quote(*args, **kwargs)

    monkeypatch.setattr(service_module, "quote", counting_quote)
    quoter = Quoter(network, partners=PARTNERS)
    products = {
        service: quoter.plan(request(service=service)).product
        for service in ("premium", "standard", "economy")
    }
    # US import charges after 24 Jul 2026 are not recorded: no DDP price, from the same quote.
    for service in ("premium", "standard", "economy"):
        with pytest.raises(InvalidInput) as refused:
            quoter.plan(request(service=service, incoterm="DDP"))
        assert refused.value.code == "duties_not_estimable"
        assert refused.value.problems[0].field == "incoterm"
    assert calls == ["78701"]
    assert products == {
        "premium": "CN-US-PREMIUM",
        "standard": "CN-US-STANDARD",
        "economy": "CN-US-ECONOMY",
    }


def test_a_parcel_the_groups_choice_cannot_take_is_planned_on_its_own(network: Network) -> None:
    quoter = Quoter(network, partners=PARTNERS)
    small = request(service="economy")
    assert quoter.plan(small).product == "CN-US-ECONOMY"
    # Same group (ZIP area, weight band, minute) but a side above the small packet's 600 mm.
    with pytest.raises(InvalidInput) as refused:
        quoter.plan(replace(small, length_mm=700))
    assert refused.value.problems[0].field == "service"
    assert "no economy service" in refused.value.problems[0].message


def test_the_price_is_the_parcels_own_within_a_group(network: Network) -> None:
    quoter = Quoter(network, partners=PARTNERS)
    light, heavy = request(weight_g=120), request(weight_g=980)
    assert quoter.plan(light).product == quoter.plan(heavy).product
    assert quoter.plan(light).price < quoter.plan(heavy).price
    assert quoter.plan(heavy).price == Quoter(network, partners=PARTNERS).plan(heavy).price


@pytest.mark.parametrize(
    ("country", "postal_code", "scheme"), [("US", "78701", "impb:748"), ("ES", "28014", None)]
)
def test_the_partner_registry_decides_which_partner_number_a_plan_needs(
    network: Network, country: str, postal_code: str, scheme: str | None
) -> None:
    planned = Quoter(network, partners=PARTNERS).plan(
        request(destination_country=country, destination_postal_code=postal_code)
    )

    assert planned.partner_scheme == scheme
    assert planned.route.partner_numbered is (scheme is not None)
    assert planned.route.to_json()["usps_last_mile"] is (scheme is not None)
