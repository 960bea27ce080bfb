"""Browser tier for the operator pages and the public tracking page: an operator cancels a
departure in chromium and sees the parcels it moved; a recipient opens the public page of a
scanned parcel; axe finds no serious violation on any of them, wide and on a phone.

The server runs on a platform of its own: cancelling a departure must not change the quotes
of the other tests sharing the session's platform."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from postbridge import capacity
from postbridge.bootstrap import Platform, build_platform
from postbridge.merchants.models import Role
from postbridge.migrations import upgrade
from tests import browser_kit
from tests.browser_kit import serious_violations, signed_in_page
from tests.builders import shipment_body
from tests.conftest import make_merchant, settings_for
from tests.console_builders import make_user
from tests.e2e.conftest import auth

pytestmark = pytest.mark.browser
OPERATOR_PAGES = ["/network", "/operations/exceptions", "/operations/jobs", "/operations/partners"]


@pytest.fixture(scope="module")
def own_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    url = f"sqlite:///{Path(tmp_path_factory.mktemp('ops-browser')) / 'ops.db'}"
    upgrade(url)
    plat = build_platform(settings_for(url))
    yield plat
    plat.database.dispose()


@pytest.fixture(scope="module")
def own_url(own_platform: Platform) -> Iterator[str]:
    with browser_kit.serving(own_platform) as url:
        yield url


def _book(own_url: str, token: str, **overrides: Any) -> dict[str, Any]:
    response = httpx.post(
        f"{own_url}/v1/shipments", json=shipment_body(**overrides), headers=auth(token)
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_an_operator_cancels_a_departure_and_sees_the_moved_parcels(
    browser: Any, own_url: str, own_platform: Platform
) -> None:
    merchant = make_merchant(own_platform.database)
    booked = _book(own_url, merchant.token, service="premium")
    air = next(leg for leg in booked["route"]["legs"] if leg["mode"] == "air")
    departs = datetime.fromisoformat(air["departs"].replace("Z", "+00:00"))
    capacity.plan_day(
        database=own_platform.database, network=own_platform.quoter.network,
        plan_date=departs.date(),
    )  # fmt: skip
    departure_id = f"{air['leg']}@{departs.strftime('%Y-%m-%dT%H:%MZ')}"
    operator = make_user(own_platform.database)
    page = signed_in_page(browser, own_url, operator, f"/network?date={departs.date()}")
    assert page.inner_text("#operator-badge") == "Operator"
    page.get_by_role("button", name=f"Cancel departure {departure_id}").click()
    page.wait_for_selector("#disruption-result", timeout=15000)
    assert page.inner_text("#disruption-result").startswith("The lane was re-planned: ")
    assert booked["id"] in page.inner_text("#moves")
    page.goto(f"{own_url}/network?date={departs.date()}")
    row = page.locator("#departures tbody tr", has_text=departure_id).first.inner_text()
    assert "cancelled" in row
    page.close()


def test_the_public_tracking_page_shows_the_scans_and_no_personal_data(
    browser: Any, own_url: str, own_platform: Platform
) -> None:
    merchant = make_merchant(own_platform.database)
    booked = _book(own_url, merchant.token)
    number = booked["tracking_number"]
    operator_key = make_merchant(own_platform.database, role=Role.OPERATOR).token
    accepted_at = datetime.now(UTC) + timedelta(minutes=5)
    scans = [
        {"tracking_number": number, "partner": "chinapost", "code": "EMA",
         "description": "Posted <script>alert(1)</script>", "occurred_at": accepted_at.isoformat(),
         "location": {"city": "Shenzhen", "country": "CN"}},
        {"tracking_number": number, "partner": "chinapost", "code": "EMC",
         "description": "Left the outward office", "occurred_at":
         (accepted_at + timedelta(hours=9)).isoformat(),
         "location": {"city": "Shenzhen", "country": "CN"}},
    ]  # fmt: skip
    fed = httpx.post(f"{own_url}/v1/tracking-events", json=scans, headers=auth(operator_key))
    assert fed.status_code == 202, fed.text
    assert fed.json()["accepted"] == 2
    page = browser.new_page(viewport={"width": 375, "height": 800})
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text))
    page.on("dialog", lambda dialog: refused.append(f"dialog {dialog.message}"))
    page.goto(f"{own_url}/t/{number}")
    timeline = page.inner_text(".timeline")
    assert "Posted <script>alert(1)</script>" in timeline  # the text, escaped, never run
    assert "Left the outward office" in timeline
    assert page.locator(".progress li.done").count() >= 1
    body = page.inner_text("body")
    for personal in ("Jane Doe", "100 Congress Ave", "jane@example.com", "Li Wei"):
        assert personal not in body
    assert refused == []
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    page.close()


@pytest.mark.parametrize("width", [1280, 375])
def test_operator_and_public_pages_have_no_serious_accessibility_violations(
    browser: Any, own_url: str, own_platform: Platform, width: int
) -> None:
    merchant = make_merchant(own_platform.database)
    number = _book(own_url, merchant.token)["tracking_number"]
    operator = make_user(own_platform.database)
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{own_url}/login")
    page.fill("#email", operator.email)
    page.fill("#password", operator.password)
    page.click("#sign-in")
    page.wait_for_selector("#signed-in-as")
    violations: list[str] = []
    for path in [*OPERATOR_PAGES, "/dashboard", f"/t/{number}", f"/t/{number}?lang=zh"]:
        page.goto(f"{own_url}{path}")
        violations += serious_violations(page)
    assert violations == []
    context.close()
