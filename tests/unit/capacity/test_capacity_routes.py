from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from tests.document_builders import leg, route_document

from postbridge.capacity.plan_run import STAGES
from postbridge.capacity.routes import (
    departs_of,
    departure_id,
    planned_flight,
    promise_slack,
    repromised,
    retimed_route,
)
from postbridge.cli.plan import STAGE_LABELS
from postbridge.network import demo_network
from postbridge.quotes.route_document import RouteDocument


def madrid_route(*, p90: str = "2026-12-05") -> RouteDocument:
    return route_document(
        (
            leg("SZX-SC>HKG-HUB", "truck", "2026-11-26T00:00:00Z", "2026-11-26T01:00:00Z",
                "2026-11-26T04:00:00Z", "2026-11-26T09:00:00Z"),
            leg("HKG-HUB>LGG-HUB", "air", "2026-11-26T12:30:00Z", "2026-11-26T16:30:00Z",
                "2026-11-27T05:30:00Z", "2026-11-27T09:00:00Z"),
            leg("LGG-HUB>MAD-HUB", "truck", "2026-11-27T16:00:00Z", "2026-11-27T17:00:00Z",
                "2026-11-28T21:00:00Z", "2026-11-29T01:00:00Z"),
        ),
        p90=p90,
        promised_by="2026-12-08",
    )  # fmt: skip


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_planned_flight_is_the_first_air_leg_ready_when_the_truck_is() -> None:
    flight = planned_flight(madrid_route())
    assert flight is not None
    assert (flight.index, flight.leg_id, flight.origin) == (1, "HKG-HUB>LGG-HUB", "HKG-HUB")
    assert flight.cutoff == timedelta(hours=4)
    assert flight.ready_before == at("2026-11-26T09:00:00Z")
    assert flight.departure_id == "HKG-HUB>LGG-HUB@2026-11-26T16:30Z"
    assert planned_flight(None) is None
    assert planned_flight(route_document(madrid_route().legs[:1])) is None


def test_departure_id_round_trips_its_time() -> None:
    departs = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
    assert departure_id("HKG-HUB>LAX-ISC", departs) == "HKG-HUB>LAX-ISC@2026-11-26T15:00Z"
    assert departs_of("HKG-HUB>LAX-ISC@2026-11-26T15:00Z") == departs


def test_promise_slack_is_whole_days_never_negative() -> None:
    assert promise_slack(madrid_route()) == timedelta(days=3)
    assert promise_slack(madrid_route(p90="2026-12-09")) == timedelta(0)


def test_retimed_route_moves_the_flight_and_shifts_later_legs() -> None:
    route = madrid_route()
    flight = planned_flight(route)
    assert flight is not None
    moved = retimed_route(
        route, flight, departs=at("2026-11-29T16:30:00Z"), arrives=at("2026-11-30T06:00:00Z")
    )
    first, air, truck = (leg.to_json() for leg in moved.legs)
    assert first == route.legs[0].to_json()
    assert (air["latest_dropoff"], air["departs"], air["arrives"], air["ready"]) == (
        "2026-11-29T12:30:00Z", "2026-11-29T16:30:00Z", "2026-11-30T06:00:00Z",
        "2026-11-30T09:30:00Z",
    )  # fmt: skip
    assert air["departs_local"] == "2026-11-30T00:30:00+08:00"
    # Arrival is 3 days 30 minutes later, so is everything after it.
    assert (truck["departs"], truck["ready"]) == ("2026-11-30T17:30:00Z", "2026-12-02T01:30:00Z")
    assert moved.to_json() == {**route.to_json(), "legs": [first, air, truck]}  # only the legs


def test_cli_labels_every_planning_stage() -> None:
    assert set(STAGE_LABELS) == set(STAGES)


def test_a_later_hand_over_gets_a_recomputed_promise() -> None:
    # Booked: handed to USPS at LAX on Mon 30 Nov 07:00 local, 3 (p50) and 4 (p90) delivery
    # days, promised by Tue 8 Dec. USPS delivers Mon-Sat.
    route = route_document(p90="2026-12-05", promised_by="2026-12-08")
    network = demo_network()

    one_day = repromised(route, network, shift=timedelta(days=1))
    six_days = repromised(route, network, shift=timedelta(days=6))

    assert repromised(route, network, shift=timedelta(0)) is route
    assert (one_day.promise.handover_p50, one_day.promise.handover_p90) == (
        at("2026-12-01T15:00:00Z"),
        at("2026-12-01T15:00:00Z"),
    )
    assert (one_day.promise.p50, one_day.promise.p90) == (date(2026, 12, 4), date(2026, 12, 5))
    assert one_day.promise.within_promise is True
    # Handed over on Sunday 6 Dec: counted from Monday, p90 Thu 10 Dec is past the promise.
    assert (six_days.promise.p50, six_days.promise.p90) == (date(2026, 12, 9), date(2026, 12, 10))
    assert six_days.promise.within_promise is False
    assert six_days.promise.promised_by == date(2026, 12, 8)
    assert six_days.legs == route.legs  # the legs are retimed_route's business
