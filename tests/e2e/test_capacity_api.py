"""Capacity plan and disruptions through the operator API, on a platform of its own.

The session platform is shared with every other e2e test, whose US bookings ride the same
flights; each test here books into a fresh database so loads can be asserted exactly.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from postbridge.app import create_app
from postbridge.bootstrap import Platform, build_platform
from postbridge.capacity.routes import departs_of
from postbridge.merchants.models import Role
from postbridge.migrations import upgrade
from postbridge.network import demo_network
from postbridge.routing.promise import delivery_date
from tests.builders import shipment_body
from tests.conftest import make_merchant, settings_for
from tests.e2e.conftest import auth

PARCELS = 6
WEIGHT_G = 450


@pytest.fixture
def own_platform(tmp_path: Path) -> Iterator[Platform]:
    path = tmp_path / "capacity.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    plat = build_platform(settings_for(url))
    yield plat
    plat.database.dispose()


@pytest.fixture
def api(own_platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(platform=own_platform), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def keys(own_platform: Platform) -> dict[str, str]:
    return {
        "merchant": make_merchant(own_platform.database).token,
        "operator": make_merchant(own_platform.database, role=Role.OPERATOR).token,
    }


def flight(route: dict[str, Any]) -> dict[str, Any]:
    return next(leg for leg in route["legs"] if leg["mode"] == "air")


def departure_id(leg: dict[str, Any], departs: datetime) -> str:
    return f"{leg['leg']}@{departs.strftime('%Y-%m-%dT%H:%MZ')}"


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def repromised(booked: dict[str, Any], arrives: datetime) -> dict[str, Any]:
    """The booked route's promise with its hand-overs moved as much as its flight's arrival:
    the same USPS transit days from the later hand-over (what a move must store)."""
    network = demo_network()
    usps = network.partners[booked["partner"]]
    zone = network.facilities[booked["injection_point"]].time_zone
    promise = booked["promise"]
    shift = arrives - parse(flight(booked)["arrives"])
    p50_at, p90_at = parse(promise["handover_p50"]) + shift, parse(promise["handover_p90"]) + shift
    p90 = delivery_date(usps, p90_at, zone, promise["transit_days_p90"])
    return {
        **promise,
        "p50": delivery_date(usps, p50_at, zone, promise["transit_days_p50"]).isoformat(),
        "p90": p90.isoformat(),
        "handover_p50": p50_at.isoformat().replace("+00:00", "Z"),
        "handover_p90": p90_at.isoformat().replace("+00:00", "Z"),
        "within_promise": p90 <= date.fromisoformat(promise["promised_by"]),
    }


def path_id(departure: str) -> str:
    return quote(departure, safe="")


def book_us_parcels(api: TestClient, merchant: str) -> list[dict[str, Any]]:
    booked = []
    for _ in range(PARCELS):
        body = shipment_body()
        body["parcel"]["weight_g"] = WEIGHT_G
        response = api.post("/v1/shipments", json=body, headers=auth(merchant))
        assert response.status_code == 201, response.text
        booked.append(response.json())
    return booked


def lane_departures(api: TestClient, operator: str, lane: str, first: date) -> list[dict[str, Any]]:
    """The lane's stored departures over a plan window from ``first``, in departure order."""
    found = []
    for offset in range(4):
        day = (first + timedelta(days=offset)).isoformat()
        response = api.get(
            "/v1/departures", params={"date": day, "lane": lane}, headers=auth(operator)
        )
        found.extend(response.json()["items"])
    return sorted(found, key=lambda item: item["departs"])


def departure(api: TestClient, operator: str, lane: str, wanted: str) -> dict[str, Any]:
    day = departs_of(wanted).date()
    (found,) = [d for d in lane_departures(api, operator, lane, day) if d["id"] == wanted]
    return found


def test_plan_rolls_over_then_cancellations_move_parcels_until_the_promise_breaks(
    api: TestClient, keys: dict[str, str]
) -> None:
    merchant, operator = keys["merchant"], keys["operator"]
    shipments = book_us_parcels(api, merchant)
    legs = [flight(s["route"]) for s in shipments]
    lane = legs[0]["leg"]
    first_departs = parse(legs[0]["departs"])
    booked_on = departure_id(legs[0], first_departs)
    assert {(leg["leg"], leg["departs"]) for leg in legs} == {(lane, legs[0]["departs"])}
    promise = shipments[0]["route"]["promise"]
    slack = max(
        (date.fromisoformat(promise["promised_by"]) - date.fromisoformat(promise["p90"])).days, 0
    )
    deadline = parse(legs[0]["arrives"]) + timedelta(days=slack)
    plan_date = first_departs.date()

    # Given every parcel on the booked flight, when the plan runs, nothing moves.
    planned = api.post(
        "/v1/capacity-plans", json={"date": plan_date.isoformat()}, headers=auth(operator)
    )
    assert planned.status_code == 201, planned.text
    figures = planned.json()
    assert (figures["parcels"], figures["moved"], figures["at_risk"]) == (PARCELS, 0, 0)
    assert figures["busiest_departures"][0]["id"] == booked_on
    assert figures["busiest_departures"][0]["planned"] == {"parcels": 6, "grams": 6 * WEIGHT_G}
    schedule = lane_departures(api, operator, lane, plan_date)
    assert [d["id"] for d in schedule][:1] == [booked_on]
    following = schedule[1]
    # At risk when the flight lands after the planner's deadline, or when the promise
    # recomputed for the later hand-over delivers after the date promised at booking.
    on_following = repromised(shipments[0]["route"], parse(following["arrives"]))
    late_on_following = parse(following["arrives"]) > deadline or not on_following["within_promise"]

    # When the booked flight can take only 4 parcels, 2 roll over to the lane's next flight.
    # (A merge patch: the weight limit left out keeps the leg's.)
    grams = schedule[0]["capacity"]["grams"]
    shrunk = api.patch(
        f"/v1/departures/{path_id(booked_on)}", json={"capacity_items": 4}, headers=auth(operator)
    )
    assert shrunk.status_code == 200, shrunk.text
    assert shrunk.json()["capacity"] == {"items": 4, "grams": grams}
    again = api.post(
        "/v1/capacity-plans", json={"date": plan_date.isoformat()}, headers=auth(operator)
    )
    figures = again.json()
    assert figures["moved"] == 2
    assert figures["at_risk"] == (2 if late_on_following else 0)
    assert {(m["from"], m["to"]) for m in figures["moves"]} == {(booked_on, following["id"])}
    loads = {
        d["id"]: d["planned"]["parcels"] for d in lane_departures(api, operator, lane, plan_date)
    }
    assert (loads[booked_on], loads[following["id"]]) == (4, 2)
    assert sum(loads.values()) == PARCELS
    moved_ids = {m["shipment_id"] for m in figures["moves"]}
    for shipment in shipments:
        route = api.get(f"/v1/shipments/{shipment['id']}", headers=auth(merchant)).json()["route"]
        if shipment["id"] in moved_ids:
            assert route["capacity"] == {"departure": following["id"], "at_risk": late_on_following}
            assert flight(route)["departs"] == following["departs"]
            assert flight(route)["arrives"] == following["arrives"]
            assert route["promise"] == on_following
        else:
            assert "capacity" not in route
            assert flight(route)["departs"] == legs[0]["departs"]
            assert route["promise"] == promise

    # When the booked flight is cancelled, its 4 parcels join the 2 on the next flight.
    cancelled = api.post(f"/v1/departures/{path_id(booked_on)}/cancel", headers=auth(operator))
    assert cancelled.status_code == 200, cancelled.text
    figures = cancelled.json()
    assert (figures["trigger"], figures["lanes"]) == (f"cancel {booked_on}", [lane])
    assert (figures["parcels"], figures["moved"]) == (PARCELS, 4)
    assert figures["at_risk"] == (PARCELS if late_on_following else 0)
    assert departure(api, operator, lane, booked_on)["planned"]["parcels"] == 0
    assert departure(api, operator, lane, following["id"])["planned"]["parcels"] == PARCELS

    # Each further cancellation moves all 6 to the next flight, until one arrives too late.
    current, late = following, late_on_following
    for _ in range(10):
        if late:
            break
        response = api.post(
            f"/v1/departures/{path_id(current['id'])}/cancel", headers=auth(operator)
        )
        assert response.status_code == 200, response.text
        figures = response.json()
        previous = current["id"]
        upcoming = [
            d for d in lane_departures(api, operator, lane, departs_of(current["id"]).date())
            if d["departs"] > current["departs"]
        ]  # fmt: skip
        current = upcoming[0]
        now_promised = repromised(shipments[0]["route"], parse(current["arrives"]))
        late = parse(current["arrives"]) > deadline or not now_promised["within_promise"]
        assert figures["moved"] == PARCELS
        assert {(m["from"], m["to"]) for m in figures["moves"]} == {(previous, current["id"])}
        assert figures["at_risk"] == (PARCELS if late else 0)
    assert late, "ten cancellations should push the parcels past their promise"
    final = repromised(shipments[0]["route"], parse(current["arrives"]))
    assert final["p90"] > promise["p90"]
    for shipment in shipments:
        route = api.get(f"/v1/shipments/{shipment['id']}", headers=auth(merchant)).json()["route"]
        assert route["capacity"] == {"departure": current["id"], "at_risk": True}
        assert flight(route)["departs"] == current["departs"]
        assert route["promise"] == final


def test_delay_retimes_the_route_of_parcels_on_the_flight(
    api: TestClient, keys: dict[str, str]
) -> None:
    merchant, operator = keys["merchant"], keys["operator"]
    shipment = api.post("/v1/shipments", json=shipment_body(), headers=auth(merchant)).json()
    leg = flight(shipment["route"])
    departs = parse(leg["departs"])
    departure = departure_id(leg, departs)
    api.post(
        "/v1/capacity-plans", json={"date": departs.date().isoformat()}, headers=auth(operator)
    )

    response = api.post(
        f"/v1/departures/{path_id(departure)}/delay", json={"minutes": 90}, headers=auth(operator)
    )
    assert response.status_code == 200, response.text
    assert response.json()["trigger"] == f"delay {departure} 90m"
    route = api.get(f"/v1/shipments/{shipment['id']}", headers=auth(merchant)).json()["route"]
    delayed = flight(route)
    assert parse(delayed["departs"]) == departs + timedelta(minutes=90)
    assert parse(delayed["arrives"]) == parse(leg["arrives"]) + timedelta(minutes=90)
    assert parse(delayed["latest_dropoff"]) == parse(leg["latest_dropoff"]) + timedelta(minutes=90)
    assert route["capacity"]["departure"] == departure
    listed = api.get(
        "/v1/departures",
        params={"date": departs.date().isoformat(), "lane": leg["leg"]},
        headers=auth(operator),
    ).json()["items"]
    assert [(d["id"], d["status"], d["delay_minutes"]) for d in listed] == [
        (departure, "delayed", 90)
    ]


def test_operator_routes_refuse_merchants_and_bad_input(
    api: TestClient, keys: dict[str, str]
) -> None:
    merchant, operator = auth(keys["merchant"]), auth(keys["operator"])
    some_id = path_id("HKG-HUB>LAX-ISC@2030-01-07T15:00Z")
    calls = [
        ("POST", "/v1/capacity-plans", {"date": "2030-01-07"}, None),
        ("GET", "/v1/departures", None, {"date": "2030-01-07"}),
        ("PATCH", f"/v1/departures/{some_id}", {"capacity_items": 1}, None),
        ("POST", f"/v1/departures/{some_id}/cancel", None, None),
        ("POST", f"/v1/departures/{some_id}/delay", {"minutes": 30}, None),
    ]
    for method, url, body, params in calls:
        response = api.request(method, url, json=body, params=params, headers=merchant)
        assert response.status_code == 403, (url, response.text)
        assert api.request(method, url, json=body, params=params).status_code == 401

    bad = api.post("/v1/capacity-plans", json={"date": "26/11/2026"}, headers=operator)
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["date"]
    bad = api.get("/v1/departures", params={"date": "2026-02-30"}, headers=operator)
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["date"]
    missing = api.post(
        f"/v1/departures/{path_id('NOPE@2030-01-07T15:00Z')}/cancel", headers=operator
    )
    assert missing.status_code == 404
    assert missing.json()["code"] == "departure_not_found"
