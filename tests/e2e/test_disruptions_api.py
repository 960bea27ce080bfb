"""Issue 11, point 5 through HTTP: a cancelled or delayed departure changes what is sold, and
PATCH /v1/departures/{id} refuses a body that changes nothing. On a platform of its own, so
that the departures it cancels do not change other tests' quotes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from postbridge.app import create_app
from postbridge.bootstrap import Platform, build_platform
from postbridge.merchants.models import Role
from postbridge.migrations import upgrade
from tests.builders import shipment_body
from tests.conftest import make_merchant, settings_for
from tests.e2e.conftest import auth

RATES: dict[str, Any] = {
    "origin": {"country": "CN", "postal_code": "518057"},
    "destination": {"country": "US", "postal_code": "78701"},
    "parcel": {"weight_g": 500, "length_mm": 200, "width_mm": 150, "height_mm": 50},
    "declared_value": {"amount": "20.00", "currency": "USD"},
    "alternatives": True,
}


@pytest.fixture
def own_platform(tmp_path: Path) -> Iterator[Platform]:
    url = f"sqlite:///{tmp_path / 'disruptions.db'}"
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


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def flight_of(route: list[dict[str, Any]]) -> dict[str, Any]:
    return next(leg for leg in route if leg["mode"] == "air")


def departure_id(leg: dict[str, Any]) -> str:
    return f"{leg['leg']}@{parse(leg['departs']).strftime('%Y-%m-%dT%H:%MZ')}"


def flights(options: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {
        (leg["leg"], leg["departs"]) for o in options for leg in o["route"] if leg["mode"] == "air"
    }


def premium_flight(api: TestClient, merchant: str) -> dict[str, Any]:
    options = api.post("/v1/rates", json=RATES, headers=auth(merchant)).json()["options"]
    premium = min(
        (o for o in options if o["product"] == "CN-US-PREMIUM"), key=lambda o: o["promise"]["p50"]
    )
    return flight_of(premium["route"])


def plan(api: TestClient, operator: str, leg: dict[str, Any]) -> None:
    day = parse(leg["departs"]).date().isoformat()
    response = api.post("/v1/capacity-plans", json={"date": day}, headers=auth(operator))
    assert response.status_code == 201, response.text


def test_a_cancelled_flight_is_no_longer_quoted_or_booked(
    api: TestClient, keys: dict[str, str]
) -> None:
    merchant, operator = keys["merchant"], keys["operator"]
    flight = premium_flight(api, merchant)
    cancelled = (flight["leg"], flight["departs"])
    assert cancelled in flights(
        api.post("/v1/rates", json=RATES, headers=auth(merchant)).json()["options"]
    )
    plan(api, operator, flight)

    response = api.post(
        f"/v1/departures/{quote(departure_id(flight), safe='')}/cancel", headers=auth(operator)
    )
    assert response.status_code == 200, response.text

    options = api.post("/v1/rates", json=RATES, headers=auth(merchant)).json()["options"]
    assert options
    assert cancelled not in flights(options)
    booked = api.post(
        "/v1/shipments", json=shipment_body(service="premium"), headers=auth(merchant)
    ).json()
    assert (
        flight_of(booked["route"]["legs"])["leg"],
        flight_of(booked["route"]["legs"])["departs"],
    ) != cancelled


def test_a_delayed_flight_is_quoted_at_its_new_times(api: TestClient, keys: dict[str, str]) -> None:
    merchant, operator = keys["merchant"], keys["operator"]
    flight = premium_flight(api, merchant)
    plan(api, operator, flight)

    response = api.post(
        f"/v1/departures/{quote(departure_id(flight), safe='')}/delay",
        json={"minutes": 150},
        headers=auth(operator),
    )
    assert response.status_code == 200, response.text

    options = api.post("/v1/rates", json=RATES, headers=auth(merchant)).json()["options"]
    legs = [leg for o in options for leg in o["route"] if leg["leg"] == flight["leg"]]
    assert (flight["leg"], flight["departs"]) not in flights(options)
    delayed = [
        leg
        for leg in legs
        if parse(leg["departs"]) == parse(flight["departs"]) + timedelta(minutes=150)
    ]
    # A 150-minute delay still beats the next day's trip: the premium option rides it late.
    assert delayed
    assert (flight["leg"], delayed[0]["departs"]) == (
        premium_flight(api, merchant)["leg"],
        premium_flight(api, merchant)["departs"],
    )
    for leg in delayed:  # the delayed trip keeps its duration and cut-off
        assert parse(leg["arrives"]) == parse(flight["arrives"]) + timedelta(minutes=150)
        assert parse(leg["latest_dropoff"]) == parse(flight["latest_dropoff"]) + timedelta(
            minutes=150
        )


def test_patching_a_departure_needs_a_known_field(api: TestClient, keys: dict[str, str]) -> None:
    merchant, operator = keys["merchant"], keys["operator"]
    flight = premium_flight(api, merchant)
    plan(api, operator, flight)
    path = f"/v1/departures/{quote(departure_id(flight), safe='')}"
    day = parse(flight["departs"]).date().isoformat()

    def stored() -> dict[str, Any]:
        items = api.get(
            "/v1/departures", params={"date": day, "lane": flight["leg"]}, headers=auth(operator)
        ).json()["items"]
        (found,) = [d for d in items if d["id"] == departure_id(flight)]
        return dict(found["capacity"])

    before = stored()
    assert before["items"] is not None
    assert before["grams"] is not None

    empty = api.patch(path, json={}, headers=auth(operator))
    assert empty.status_code == 422, empty.text
    assert empty.headers["content-type"] == "application/problem+json"
    assert [(e["field"], e["code"]) for e in empty.json()["errors"]] == [
        ("capacity_items", "missing")
    ]

    misspelt = api.patch(path, json={"capacity_item": 4}, headers=auth(operator))
    assert misspelt.status_code == 422, misspelt.text
    assert [e["field"] for e in misspelt.json()["errors"]] == ["capacity_item"]
    assert stored() == before

    # A merge patch: what is left out keeps its value; null lifts the limit.
    grams = api.patch(path, json={"capacity_grams": None}, headers=auth(operator))
    assert grams.status_code == 200, grams.text
    assert grams.json()["capacity"] == {"items": before["items"], "grams": None}
    items = api.patch(path, json={"capacity_items": 7}, headers=auth(operator))
    assert items.json()["capacity"] == {"items": 7, "grams": None}
