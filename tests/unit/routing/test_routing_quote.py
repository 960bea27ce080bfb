"""Quotes, prices, promises and the booking choice, on the tiny and the demo networks."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from postbridge.errors import InvalidInput
from postbridge.kit.measures import Dimensions
from postbridge.kit.money import Money
from postbridge.network import ServiceLevel, demo_network, load_network
from postbridge.network.model import Network
from postbridge.routing import (
    DutiesQuery,
    NoServiceAvailable,
    QuoteOption,
    QuoteRequest,
    choose,
    delivery_date,
    quote,
)

TINY = Path(__file__).parents[1] / "network" / "tiny"
MONDAY = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai


@pytest.fixture(scope="module")
def tiny() -> Network:
    return load_network(TINY)


def request(
    *,
    origin: str = "A",
    country: str = "US",
    postal_code: str = "10001",
    weight_g: int = 800,
    dimensions: Dimensions = Dimensions(250, 180, 90),
) -> QuoteRequest:
    return QuoteRequest(origin, country, postal_code, weight_g, dimensions, Money("USD", 3500))


def test_tiny_quote_has_exact_route_price_and_promise(tiny: Network) -> None:
    (option,) = quote(tiny, request(), now=MONDAY)

    assert option.product == "STD"
    assert option.injection_point == "B"
    (leg,) = option.route
    # Ready at A 01:00 UTC (1 h processing) makes the 02:00 UTC drop-off of the 12:00 flight.
    assert leg.latest_dropoff == datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    assert leg.departs_local.isoformat() == "2026-11-30T12:00:00+08:00"
    assert leg.arrives_local.isoformat() == "2026-11-30T13:00:00-05:00"
    # Hand-over after 1 h processing and 10 h customs: Tue 00:00 in New York (p50),
    # 01:00 with the p90 processing; both before the 16:00 cut-off, so day 0 is Tuesday.
    assert option.promise.handover_p50 == datetime(2026, 12, 1, 5, 0, tzinfo=UTC)
    assert option.promise.handover_p90 == datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
    assert option.promise.p50 == date(2026, 12, 3)  # 2 delivery days: Wed, Thu
    assert option.promise.p90 == date(2026, 12, 4)  # 3 delivery days: Wed, Thu, Fri
    assert option.promise.time_zone == "America/New_York"
    assert option.promised_by == date(2026, 12, 11)  # Sun 29 Nov in New York + 12 days
    assert option.within_promise is True
    # 800 g, volumetric 675 g: band 1,000 g = 11.90; fuel 8 % = 0.952 -> 0.95 (half-even).
    assert option.price.to_json() == {
        "total": {"amount": "12.85", "currency": "USD"},
        "base": {"amount": "11.90", "currency": "USD"},
        "volumetric": {"amount": "0.00", "currency": "USD"},
        "fuel": {"amount": "0.95", "currency": "USD"},
        "duties_and_taxes": None,
        "zone": "US",
        "chargeable_weight_g": 800,
    }
    assert option.linehaul_cost == Money("USD", 5 + 240)  # per item + 3.00/kg x 0.8 kg


def test_light_bulky_parcel_pays_volumetric_weight(tiny: Network) -> None:
    (option,) = quote(tiny, request(dimensions=Dimensions(400, 300, 300)), now=MONDAY)

    # 36,000 cm3 / 6,000 = 6 kg chargeable: band 10 kg = 64.00, of which 52.10 volumetric.
    assert option.price.chargeable_weight_g == 6000
    assert option.price.base == Money("USD", 1190)
    assert option.price.volumetric == Money("USD", 5210)
    assert option.price.fuel == Money("USD", 512)
    assert option.price.total == Money("USD", 6912)


def test_ddp_products_need_a_duty_estimate(tiny: Network) -> None:
    seen: list[DutiesQuery] = []

    def estimate(query: DutiesQuery) -> Money:
        seen.append(query)
        return Money("USD", 350)

    with_callback = {o.product: o for o in quote(tiny, request(), now=MONDAY, duties=estimate)}
    with_amount = {
        o.product: o for o in quote(tiny, request(), now=MONDAY, duties=Money("USD", 350))
    }

    assert set(with_callback) == {"STD", "DDP"}
    ddp = with_callback["DDP"].price
    assert ddp.duties_and_taxes == Money("USD", 350)
    assert ddp.total == Money("USD", 1290 + 103 + 350)  # band + 8 % fuel + duties
    assert with_amount["DDP"].price == ddp
    assert with_callback["STD"].price.duties_and_taxes is None
    assert seen == [DutiesQuery("DDP", "US", "10001", Money("USD", 3500), 800, "USD")]
    with pytest.raises(InvalidInput):
        quote(tiny, request(), now=MONDAY, duties=Money("EUR", 350))


def test_parcels_outside_limits_or_tables_get_no_option(tiny: Network) -> None:
    assert quote(tiny, request(weight_g=10_001), now=MONDAY) == []
    assert quote(tiny, request(dimensions=Dimensions(1100, 100, 100)), now=MONDAY) == []
    assert quote(tiny, request(postal_code="20500"), now=MONDAY) == []  # no transit row
    assert quote(tiny, request(country="CA", postal_code="K1A0B1"), now=MONDAY) == []


def test_invalid_requests_name_their_fields(tiny: Network) -> None:
    with pytest.raises(InvalidInput) as caught:
        quote(tiny, request(country="Atlantis", weight_g=0), now=MONDAY)
    assert [p.field for p in caught.value.problems] == ["destination.country", "weight_g"]
    with pytest.raises(InvalidInput) as unknown:
        quote(tiny, request(origin="Paris"), now=MONDAY)
    assert unknown.value.problems[0].field == "origin"


def test_origin_can_be_named_by_id_iata_or_city(tiny: Network) -> None:
    by_id = quote(tiny, request(origin="A"), now=MONDAY)
    assert quote(tiny, request(origin="pvg"), now=MONDAY) == by_id
    assert quote(tiny, request(origin="Alpha"), now=MONDAY) == by_id


def test_delivery_date_skips_sundays_holidays_and_late_handovers(tiny: Network) -> None:
    usps = tiny.partners["USPS"]
    zone = "America/New_York"

    # Thu 24 Dec 15:00 local: before the cut-off, day 0 is Thursday; Fri 25 is a holiday.
    assert delivery_date(usps, datetime(2026, 12, 24, 20, 0, tzinfo=UTC), zone, 1) == date(
        2026, 12, 26
    )
    # 17:00 local is after the 16:00 cut-off: day 0 is Friday (holiday), 1 day -> Saturday.
    assert delivery_date(usps, datetime(2026, 12, 24, 22, 0, tzinfo=UTC), zone, 1) == date(
        2026, 12, 26
    )
    # Saturday + 1 delivery day skips Sunday.
    assert delivery_date(usps, datetime(2026, 12, 26, 15, 0, tzinfo=UTC), zone, 1) == date(
        2026, 12, 28
    )
    # Zero days on a Sunday still needs a delivery day.
    assert delivery_date(usps, datetime(2026, 12, 27, 15, 0, tzinfo=UTC), zone, 0) == date(
        2026, 12, 28
    )


def demo_options(country: str, postal_code: str, origin: str = "Shenzhen") -> list[QuoteOption]:
    parcel = QuoteRequest(
        origin, country, postal_code, 800, Dimensions(250, 180, 90), Money("USD", 3500)
    )
    return quote(demo_network(), parcel, now=datetime(2026, 11, 25, 3, 0, tzinfo=UTC))


def test_demo_cn_to_us_standard_goes_through_at_least_two_iscs() -> None:
    options = demo_options("US", "10001")

    standard = [o for o in options if o.product == "CN-US-STANDARD"]
    iscs = {o.injection_point for o in standard}
    assert len(iscs) >= 2
    assert iscs <= {"JFK-ISC", "ORD-ISC", "MIA-ISC", "LAX-ISC", "SFO-ISC"}
    for option in standard:
        assert option.route[0].origin == "SZX-SC"
        assert option.route[-1].destination == option.injection_point
        assert option.promise.p50 <= option.promise.p90
        for before, after in zip(option.route, option.route[1:], strict=False):
            assert before.destination == after.origin
            assert before.ready <= after.latest_dropoff  # cut-offs respected
        assert set(option.to_json()) >= {"product", "partner", "price", "promise", "route"}


def test_demo_quotes_every_destination_partner() -> None:
    cases = {
        ("SG", "018956"): "SINGPOST",
        ("ES", "28013"): "CORREOS",
        ("BR", "01310100"): "CORREIOS",
        ("CL", "8320000"): "CORREOSCHILE",
        ("MX", "06000"): "CORREOSMX",
        ("CO", "110111"): "4-72",
    }
    for (country, postal_code), partner in cases.items():
        options = demo_options(country, postal_code, origin="Yiwu")
        assert {o.partner for o in options} == {partner}, country


def test_choose_applies_the_documented_rules() -> None:
    options = demo_options("US", "94103")

    premium = choose(options, "premium")
    standard = choose(options, ServiceLevel.STANDARD)
    by_code = choose(options, "cn-us-economy")

    fastest_premium = min(
        (o for o in options if o.service is ServiceLevel.PREMIUM),
        key=lambda o: (o.promise.p50, o.promise.p90),
    )
    assert (premium.promise.p50, premium.promise.p90) == (
        fastest_premium.promise.p50,
        fastest_premium.promise.p90,
    )
    on_time = [o for o in options if o.service is ServiceLevel.STANDARD and o.within_promise]
    assert standard.within_promise
    assert standard.price.total.minor == min(o.price.total.minor for o in on_time)
    assert standard.promise.p90 == min(
        o.promise.p90 for o in on_time if o.price.total == standard.price.total
    )
    assert by_code.product == "CN-US-ECONOMY"
    with pytest.raises(NoServiceAvailable):
        choose(options, "USPS-GA-PACKET")  # DDP: not quoted without a duty estimate


def test_last_mile_days_depend_on_the_isc_distance() -> None:
    options = {
        o.injection_point: o for o in demo_options("US", "94103") if o.product == "CN-US-STANDARD"
    }

    # San Francisco is USPS zone 1 from the SFO ISC and zone 8 from JFK (ZIP3 centroids).
    assert options["SFO-ISC"].promise.transit_days_p50 == 2
    assert options["JFK-ISC"].promise.transit_days_p50 == 5
    assert options["SFO-ISC"].promise.time_zone == "America/Los_Angeles"
