"""Quoter.rates at a fixed moment: each product's best option, DDP sales with their duties,
disruptions routed around, and the refusals that name their reason (issue 11, points 4-6)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from postbridge.bootstrap import partner_registry
from postbridge.errors import InvalidInput
from postbridge.kit.measures import Dimensions
from postbridge.kit.money import Money
from postbridge.kit.terms import Incoterm
from postbridge.network import Network, demo_network
from postbridge.quotes.model import PlanRequest
from postbridge.quotes.service import Quoter, RateRequest
from postbridge.routing import Disruptions, QuoteOption

PARTNERS = partner_registry()
NOW = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)
# Under the Section 122 surcharge (24 Feb - 24 Jul 2026) US postal imports paid 10 % duty.
SECTION_122 = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)
HKG_LAX = ("HKG-HUB>LAX-ISC", datetime(2026, 12, 3, 15, 0, tzinfo=UTC))


@pytest.fixture(scope="module")
def network() -> Network:
    return demo_network()


def request(**overrides: Any) -> RateRequest:
    fields: dict[str, Any] = {
        "origin_country": "CN",
        "origin_postal_code": "518057",
        "destination_country": "US",
        "destination_postal_code": "78701",
        "weight_g": 500,
        "dimensions": Dimensions(200, 150, 50),
        "declared_value": Money("USD", 2000),
    }
    fields.update(overrides)
    return RateRequest(**fields)


def summary(options: list[QuoteOption]) -> list[tuple[str, ...]]:
    rows = []
    for option in options:
        flight = next(leg for leg in option.route if leg.mode.value == "air")
        rows.append(
            (
                option.product,
                option.injection_point,
                option.incoterm.value,
                option.promise.p50.isoformat(),
                option.promise.p90.isoformat(),
                str(option.price.total),
                str(option.price.duties_and_taxes),
                flight.leg_id,
                flight.departs.strftime("%Y-%m-%dT%H:%MZ"),
            )
        )
    return rows


def test_each_product_answers_its_best_option_and_they_differ(network: Network) -> None:
    quoter = Quoter(network, partners=PARTNERS)

    best = quoter.rates(request(), now=NOW)
    every = quoter.rates(request(alternatives=True), now=NOW)

    # Premium: priority handling and belly space; standard next; economy waits a day at the
    # origin for its consolidated dispatch, then rides a freighter: slower and cheapest.
    assert summary(best) == [
        ("CN-US-PREMIUM", "LAX-ISC", "DDU", "2026-12-08", "2026-12-10", "17.78 USD", "None",
         "HKG-HUB>LAX-ISC", "2026-12-03T15:00Z"),
        ("CN-US-STANDARD", "ORD-ISC", "DDU", "2026-12-09", "2026-12-10", "9.07 USD", "None",
         "HKG-HUB>ORD-ISC", "2026-12-03T19:00Z"),
        ("CN-US-ECONOMY", "ORD-ISC", "DDU", "2026-12-10", "2026-12-12", "4.83 USD", "None",
         "HKG-HUB>ORD-ISC", "2026-12-05T19:00Z"),
    ]  # fmt: skip
    assert len(every) == 12
    assert all(option in every for option in best)


def test_ddp_sells_every_product_with_the_duties_of_the_day(network: Network) -> None:
    quoter = Quoter(network, partners=PARTNERS)

    sold = quoter.rates(request(incoterm="DDP"), now=SECTION_122)

    # 10 % of the declared 20.00 USD; the duties-paid commercial product is quoted too.
    assert summary(sold) == [
        ("CN-US-PREMIUM", "LAX-ISC", "DDP", "2026-03-07", "2026-03-11", "19.78 USD", "2.00 USD",
         "HKG-HUB>LAX-ISC", "2026-03-03T15:00Z"),
        ("CN-US-STANDARD", "LAX-ISC", "DDP", "2026-03-09", "2026-03-12", "11.07 USD", "2.00 USD",
         "HKG-HUB>LAX-ISC", "2026-03-03T15:00Z"),
        ("USPS-GA-PACKET", "USPS-NDC-LA", "DDP", "2026-03-10", "2026-03-12", "9.02 USD",
         "2.00 USD", "HKG-HUB>LAX-CFS", "2026-03-03T12:30Z"),
        ("CN-US-ECONOMY", "ORD-ISC", "DDP", "2026-03-11", "2026-03-12", "6.83 USD", "2.00 USD",
         "HKG-HUB>ORD-ISC", "2026-03-05T19:00Z"),
    ]  # fmt: skip
    for option in sold:
        price = option.price
        assert price.total == price.base + price.volumetric + price.fuel + Money("USD", 200)


def test_ddp_to_spain_adds_vat_on_goods_and_transport(network: Network) -> None:
    sold = Quoter(network, partners=PARTNERS).rates(
        request(incoterm="DDP", destination_country="ES", destination_postal_code="28014"),
        now=NOW,
    )

    assert [(o.product, str(o.price.total), str(o.price.duties_and_taxes)) for o in sold] == [
        ("CN-ES-ECONOMY", "14.29 USD", "8.83 USD"),
        ("CN-ES-STANDARD", "19.57 USD", "9.74 USD"),
    ]


def test_a_cancelled_departure_is_routed_around(network: Network) -> None:
    quoter = Quoter(
        network,
        partners=PARTNERS,
        disruptions=lambda _now: Disruptions(cancelled=frozenset({HKG_LAX})),
    )

    best = quoter.rates(request(), now=NOW)

    assert summary(best)[1] == (
        "CN-US-PREMIUM", "JFK-ISC", "DDU", "2026-12-09", "2026-12-10", "17.78 USD", "None",
        "HKG-HUB>JFK-ISC", "2026-12-03T17:00Z",
    )  # fmt: skip
    every = quoter.rates(request(alternatives=True), now=NOW)
    assert HKG_LAX not in {(leg.leg_id, leg.departs) for o in every for leg in o.route}


def test_a_delayed_departure_is_quoted_at_its_new_time(network: Network) -> None:
    leg, departs = HKG_LAX
    quoter = Quoter(
        network,
        partners=PARTNERS,
        disruptions=lambda _now: Disruptions(delays=((leg, departs, 150),)),
    )

    premium = quoter.rates(request(), now=NOW)[0]

    flight = premium.route[1]
    assert (flight.leg_id, flight.departs, flight.arrives) == (
        leg,
        datetime(2026, 12, 3, 17, 30, tzinfo=UTC),
        datetime(2026, 12, 4, 6, 30, tzinfo=UTC),
    )
    assert flight.latest_dropoff == datetime(2026, 12, 3, 13, 30, tzinfo=UTC)


def test_plans_use_the_disruptions_of_the_booking_moment(network: Network) -> None:
    disruptions = [Disruptions()]
    quoter = Quoter(network, partners=PARTNERS, disruptions=lambda _now: disruptions[0])
    booking = PlanRequest(
        origin_country="CN",
        origin_postal_code="518057",
        destination_country="US",
        destination_postal_code="78701",
        weight_g=450,
        length_mm=200,
        width_mm=150,
        height_mm=50,
        declared_value=Money("USD", 1980),
        service="premium",
        incoterm=Incoterm.DDU,
        booked_at=NOW,
    )
    before = quoter.plan(booking)
    disruptions[0] = Disruptions(cancelled=frozenset({HKG_LAX}))
    after = quoter.plan(booking)  # same minute and group: the memo must not answer

    assert (before.route.legs[1].leg, before.route.legs[1].departs) == HKG_LAX
    assert (after.route.legs[1].leg, after.route.legs[1].departs) == (
        "HKG-HUB>JFK-ISC",
        datetime(2026, 12, 3, 17, 0, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"destination_country": "GB", "destination_postal_code": "SW1A 1AA"},
         "destination.country", "destination_not_served"),
        ({"origin_postal_code": "100000"}, "origin.postal_code", "origin_not_served"),
        ({"incoterm": "DDP"}, "incoterm", "duties_not_estimable"),
    ],
)  # fmt: skip
def test_what_cannot_be_quoted_is_refused_naming_the_field(
    network: Network, changes: dict[str, Any], field: str, code: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        Quoter(network, partners=PARTNERS).rates(request(**changes), now=NOW)

    assert refused.value.code == code
    assert [p.field for p in refused.value.problems] == [field]
