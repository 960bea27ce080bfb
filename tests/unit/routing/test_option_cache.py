"""Remembered quote options: reused between the instants that change them, never across one.

Each quote here is compared with a quote of the same moment whose memo was emptied first, so a
stale reuse would show as a difference.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from postbridge.kit.measures import Dimensions
from postbridge.kit.money import Money
from postbridge.network import demo_network
from postbridge.routing import (
    NO_DISRUPTIONS,
    Disruptions,
    DutiesQuery,
    QuoteOption,
    QuoteRequest,
    disrupted,
    quote,
    timetable_at,
)
from postbridge.routing.option_cache import forget

NOW = datetime(2026, 12, 3, 6, 0, 17, tzinfo=UTC)
NETWORK = demo_network()
REQUEST = QuoteRequest(
    origin="PVG-SC",
    destination_country="US",
    destination_postal_code="10001",
    weight_g=999,
    dimensions=Dimensions(200, 150, 50),
    declared_value=Money("USD", 2000),
)


def transport_only(query: DutiesQuery) -> Money:
    return Money.zero(query.currency)


def remembered_quote(
    now: datetime, disruptions: Disruptions = NO_DISRUPTIONS, request: QuoteRequest = REQUEST
) -> list[QuoteOption]:
    return quote(NETWORK, request, now=now, duties=transport_only, disruptions=disruptions)


def first_time_quote(
    now: datetime, disruptions: Disruptions = NO_DISRUPTIONS, request: QuoteRequest = REQUEST
) -> list[QuoteOption]:
    forget(disrupted(timetable_at(NETWORK, now), disruptions))
    return quote(NETWORK, request, now=now, duties=transport_only, disruptions=disruptions)


def test_a_later_minute_before_the_next_cut_off_reuses_the_options() -> None:
    first = remembered_quote(NOW)
    again = remembered_quote(NOW + timedelta(minutes=1, seconds=20))
    assert len(first) == 11
    assert all(a is b for a, b in zip(first, again, strict=True))  # the same objects: reused


def test_the_options_change_when_the_origin_cut_off_passes_and_not_before() -> None:
    remembered_quote(NOW)
    minute = NOW
    previous = remembered_quote(minute)
    for _ in range(24 * 60):
        minute += timedelta(minutes=1)
        current = remembered_quote(minute)
        if current != previous:
            break
        previous = current
    else:
        pytest.fail("no option changed in 24 hours")
    before = minute - timedelta(minutes=1)
    assert previous == first_time_quote(before)
    assert current == first_time_quote(minute)
    # What changed is the first departure from the origin of some options: one minute later
    # the parcel is ready after its cut-off, so they leave on a later one.
    first_legs_before = {(o.product, o.injection_point): o.route[0] for o in previous}
    first_legs_after = {(o.product, o.injection_point): o.route[0] for o in current}
    assert first_legs_before.keys() == first_legs_after.keys()
    moved = [
        (first_legs_before[key], leg)
        for key, leg in first_legs_after.items()
        if leg != first_legs_before[key]
    ]
    assert moved
    assert all(after.departs > before.departs for before, after in moved)


def test_a_cancelled_departure_is_never_quoted_from_the_memo() -> None:
    scheduled = remembered_quote(NOW)
    first_leg = scheduled[0].route[0]
    cancelled = Disruptions(cancelled=frozenset({(first_leg.leg_id, first_leg.departs)}))

    rerouted = remembered_quote(NOW, cancelled)

    assert rerouted == first_time_quote(NOW, cancelled)
    taken = {(leg.leg_id, leg.departs) for option in rerouted for leg in option.route}
    assert (first_leg.leg_id, first_leg.departs) not in taken
    assert rerouted != scheduled
    # Delayed: the departure is still taken, at its new time.
    delayed = Disruptions(delays=((first_leg.leg_id, first_leg.departs, 45),))
    late = remembered_quote(NOW, delayed)
    assert late == first_time_quote(NOW, delayed)
    assert scheduled[0].route[0].departs + timedelta(minutes=45) in {
        leg.departs for option in late for leg in option.route if leg.leg_id == first_leg.leg_id
    }
    # Lifted: the scheduled answer again.
    assert remembered_quote(NOW) == scheduled


@pytest.mark.parametrize("seed", [1, 2])
def test_remembered_options_equal_first_time_options_over_two_days(seed: int) -> None:
    chance = random.Random(seed)
    origins = ["PVG-SC", "SZX-SC", "HKG-HUB"]
    destinations = [("US", "78701"), ("US", "99501"), ("BR", "01310-100"), ("ES", "28001")]
    requests = [
        QuoteRequest(
            origin=chance.choice(origins),
            destination_country=country,
            destination_postal_code=postal_code,
            weight_g=chance.choice([120, 500, 1500, 4000]),
            dimensions=Dimensions(200, 150, 50),
            declared_value=Money("USD", 2000),
        )
        for country, postal_code in destinations
    ]
    moment = NOW + timedelta(minutes=chance.randrange(7 * 24 * 60))
    for _ in range(48 * 60 // 37):  # every 37 minutes: through cut-offs and local midnights
        moment += timedelta(minutes=37, seconds=chance.randrange(60))
        for request in requests:
            assert remembered_quote(moment, request=request) == first_time_quote(
                moment, request=request
            )
