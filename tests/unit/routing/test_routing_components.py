"""Smaller pieces: dwell quantiles, region and zone look-ups, the cached timetable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from postbridge.kit.measures import Dimensions
from postbridge.kit.money import Money
from postbridge.network import demo_network
from postbridge.network.model import CustomsProfile, LastMilePartner, Spread
from postbridge.routing.dwell import customs_quantiles
from postbridge.routing.pricing import price_parcel, price_total, price_zone
from postbridge.routing.promise import find_transit
from postbridge.routing.timetable import timetable_at, to_minute


def test_customs_without_inspections_keeps_the_fitted_median_and_p90() -> None:
    profile = CustomsProfile("X", Spread(600, 2160), Decimal(0), Spread(2880, 8640))

    p50, p90 = customs_quantiles(profile)

    assert abs(p50 - 600) <= 12  # sampling error of a 40,000-draw quantile, under 2 %
    assert abs(p90 - 2160) <= 43


def test_inspections_push_the_p90_out() -> None:
    usual = CustomsProfile("X", Spread(600, 600), Decimal(0), Spread(2880, 2880))
    held = CustomsProfile("X", Spread(600, 600), Decimal("0.2"), Spread(2880, 2880))

    assert customs_quantiles(usual) == (600, 600)
    # One parcel in five waits two more days: the median is unchanged, the p90 is 600 + 2880.
    assert customs_quantiles(held) == (600, 3480)


def test_transit_rows_by_zip3_and_longest_prefix() -> None:
    network = demo_network()
    usps, correos = network.partners["USPS"], network.partners["CORREOS"]

    def days(partner: LastMilePartner, service: str, injection: str, code: str) -> object:
        found = find_transit(partner, service, injection, code)
        return None if found is None else (found.p50_days, found.p90_days, found.time_zone)

    assert days(usps, "packet", "LAX-ISC", "90210-1234") == (2, 3, "America/Los_Angeles")
    assert days(usps, "packet", "LAX-ISC", "9021") is None  # not a ZIP code
    assert days(correos, "tracked", "MAD-OE", "28013") == (1, 2, "Europe/Madrid")
    assert days(correos, "tracked", "MAD-OE", "35 001") == (5, 9, "Atlantic/Canary")
    assert days(correos, "tracked", "MAD-OE", "46001") == (2, 3, "Europe/Madrid")  # "*" row
    assert days(correos, "express", "MAD-OE", "46001") is None


def test_price_zone_prefers_the_longest_postal_prefix() -> None:
    product = demo_network().products["CN-US-STANDARD"]

    assert price_zone(product, "US", "96813") == "US-REMOTE"
    assert price_zone(product, "US", "10001") == "US"
    assert price_zone(product, "PR", "00901") == "US-REMOTE"
    assert price_zone(product, "CA", "K1A 0B1") is None


@settings(max_examples=300)
@given(
    code=st.sampled_from(sorted(demo_network().products)),
    zone_at=st.integers(0, 10),
    weight_g=st.integers(1, 32_000),
    sides=st.tuples(st.integers(1, 1200), st.integers(1, 800), st.integers(1, 800)),
    duties_minor=st.one_of(st.none(), st.integers(0, 50_000)),
)
def test_the_bare_total_is_the_total_of_the_breakdown(
    code: str,
    zone_at: int,
    weight_g: int,
    sides: tuple[int, int, int],
    duties_minor: int | None,
) -> None:
    product = demo_network().products[code]
    zones = sorted(product.prices)
    zone = zones[zone_at % len(zones)]
    dimensions = Dimensions(*sides)
    duties = None if duties_minor is None else Money(product.currency, duties_minor)
    breakdown = price_parcel(
        product, zone=zone, weight_g=weight_g, dimensions=dimensions, duties=duties
    )
    total = price_total(product, zone=zone, weight_g=weight_g, dimensions=dimensions, duties=duties)
    assert total == (breakdown.total if breakdown is not None else None)


def test_timetable_is_cached_per_day_and_covers_three_weeks() -> None:
    network = demo_network()
    now = datetime(2026, 11, 25, 23, 59, tzinfo=UTC)

    timetable = timetable_at(network, now)

    assert timetable_at(network, now - timedelta(hours=23)) is timetable
    assert timetable_at(network, now + timedelta(minutes=1)) is not timetable
    assert timetable.end_minute - to_minute(now) >= 21 * 1440
    assert timetable.dropoff.min() >= timetable.start_minute
