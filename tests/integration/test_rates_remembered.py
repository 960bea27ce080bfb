"""POST /v1/rates with remembered options, on the clock the route reads (``kit.clock.utc_now``
as ``api.routes.rates`` imported it): the answer of a minute is the answer a first quote of that
minute gives, before and after an origin cut-off passes, and a cancelled departure is never
sold from the memo."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from postbridge.api.routes import rates as rates_route
from postbridge.app import create_app
from postbridge.bootstrap import Platform, build_platform
from postbridge.merchants.models import Role
from postbridge.migrations import upgrade
from postbridge.routing import NO_DISRUPTIONS, disrupted, timetable_at
from postbridge.routing.option_cache import forget
from tests.conftest import make_merchant, settings_for
from tests.e2e.conftest import auth

RATES: dict[str, Any] = {
    "origin": {"country": "CN", "postal_code": "518057"},
    "destination": {"country": "US", "postal_code": "78701"},
    "parcel": {"weight_g": 500, "length_mm": 200, "width_mm": 150, "height_mm": 50},
    "declared_value": {"amount": "20.00", "currency": "USD"},
    "alternatives": True,
}
START = datetime(2026, 12, 7, 1, 0, 23, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def own_platform(tmp_path: Path) -> Iterator[Platform]:
    url = f"sqlite:///{tmp_path / 'rates.db'}"
    upgrade(url)
    plat = build_platform(settings_for(url))
    yield plat
    plat.database.dispose()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock(START)
    monkeypatch.setattr(rates_route, "utc_now", clock)
    return clock


@pytest.fixture
def api(own_platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(platform=own_platform), raise_server_exceptions=False) as client:
        yield client


def options(api: TestClient, merchant: str) -> list[dict[str, Any]]:
    response = api.post("/v1/rates", json=RATES, headers=auth(merchant))
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["options"]
    return found


def first_time_options(
    api: TestClient, merchant: str, platform: Platform, now: datetime
) -> list[dict[str, Any]]:
    forget(disrupted(timetable_at(platform.quoter.network, now), NO_DISRUPTIONS))
    return options(api, merchant)


def test_the_answer_changes_at_the_cut_off_minute_as_a_first_quote_does(
    api: TestClient, own_platform: Platform, clock: Clock
) -> None:
    merchant = make_merchant(own_platform.database).token
    previous = options(api, merchant)
    for _ in range(24 * 60):
        clock.now += timedelta(minutes=1)
        current = options(api, merchant)
        if current != previous:
            break
        previous = current
    else:
        pytest.fail("no answer changed in 24 hours")
    assert current == first_time_options(api, merchant, own_platform, clock.now)
    clock.now -= timedelta(minutes=1)
    assert previous == first_time_options(api, merchant, own_platform, clock.now)
    # A first departure was missed: the same option leaves later.
    before = {(o["product"], o["injection_point"]): o["route"][0]["departs"] for o in previous}
    after = {(o["product"], o["injection_point"]): o["route"][0]["departs"] for o in current}
    later = [key for key in after if key in before and after[key] > before[key]]
    assert later


def test_a_departure_cancelled_through_the_api_is_not_sold_from_the_memo(
    api: TestClient, own_platform: Platform, clock: Clock
) -> None:
    merchant = make_merchant(own_platform.database).token
    operator = make_merchant(own_platform.database, role=Role.OPERATOR).token
    scheduled = options(api, merchant)
    assert options(api, merchant) == scheduled  # remembered
    flight = next(leg for leg in scheduled[0]["route"] if leg["mode"] == "air")
    departs = datetime.fromisoformat(flight["departs"].replace("Z", "+00:00"))
    planned = api.post(
        "/v1/capacity-plans", json={"date": departs.date().isoformat()}, headers=auth(operator)
    )
    assert planned.status_code == 201, planned.text
    departure = quote(f"{flight['leg']}@{departs.strftime('%Y-%m-%dT%H:%MZ')}", safe="")

    cancel = api.post(f"/v1/departures/{departure}/cancel", headers=auth(operator))
    assert cancel.status_code == 200, cancel.text

    rerouted = options(api, merchant)
    sold = {(leg["leg"], leg["departs"]) for o in rerouted for leg in o["route"]}
    assert (flight["leg"], flight["departs"]) not in sold
    assert rerouted != scheduled
