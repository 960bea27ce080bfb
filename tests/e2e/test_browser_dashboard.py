"""The dashboard and partner health in chromium: the server-drawn SVG charts show under the
page's own content policy, the page fits a 375 px screen, and axe-core finds no serious or
critical violation at 1280 and 375 px, for a merchant and for an operator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from postbridge.bootstrap import Platform
from postbridge.merchants.models import Role
from tests.browser_kit import serious_violations, signed_in_page
from tests.builders import shipment_body
from tests.conftest import make_merchant
from tests.console_builders import UserLogin, make_user
from tests.integration.test_tracking_ingest import item

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def merchant_user(base_url: str, platform: Platform) -> UserLogin:
    """A merchant with three parcels booked, one of them in exception, through the API."""
    merchant = make_merchant(platform.database)
    numbers = []
    for n in range(3):
        booked = httpx.post(
            f"{base_url}/v1/shipments", json=shipment_body(reference=f"BROWSER-DASH-{n}"),
            headers={"Authorization": f"Bearer {merchant.token}"},
        )  # fmt: skip
        assert booked.status_code == 201, booked.text
        numbers.append(booked.json()["tracking_number"])
    operator = make_merchant(platform.database, role=Role.OPERATOR)
    soon = datetime.now(UTC) + timedelta(minutes=30)
    fed = httpx.post(
        f"{base_url}/v1/tracking-events",
        json=[item(numbers[0], "EXX", soon), item(numbers[1], "EMA", soon)],
        headers={"Authorization": f"Bearer {operator.token}"},
    )
    assert fed.status_code == 202, fed.text
    return make_user(platform.database, merchant_id=merchant.merchant_id)


def test_the_dashboard_draws_its_charts_under_the_content_policy(
    browser: Any, base_url: str, merchant_user: UserLogin
) -> None:
    page = signed_in_page(browser, base_url, merchant_user)
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text))
    page.goto(f"{base_url}/dashboard")
    statuses = page.locator("svg#chart-statuses")
    assert statuses.is_visible()
    box = statuses.bounding_box()
    assert box is not None
    assert box["width"] > 300
    assert box["height"] > 50
    assert page.locator("svg#chart-statuses rect.segment").count() == 6  # 3 statuses x 2 rows
    assert page.locator("svg#chart-destinations rect.bar").count() == 1
    assert page.locator("svg#chart-daily polyline.line").count() == 1
    # The numbers are one click away as a table, without JavaScript.
    figure = page.locator("#chart-statuses-figure")
    assert not figure.locator("table").is_visible()
    figure.locator("summary").click()
    assert figure.locator("table tbody tr").last.inner_text().split("\t") == ["Total", "3", "3"]
    assert "export cancelled" in page.locator("#action-items").inner_text()
    assert [text for text in refused if "Content Security Policy" in text] == []
    page.close()


def test_the_dashboard_fits_a_narrow_screen(
    browser: Any, base_url: str, merchant_user: UserLogin
) -> None:
    page = signed_in_page(browser, base_url, merchant_user)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{base_url}/dashboard")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    box = page.locator("svg#chart-statuses").bounding_box()
    assert box is not None
    assert box["width"] <= 375
    page.close()


def _signed_in_context(browser: Any, base_url: str, user: UserLogin, width: int) -> Any:
    # axe is injected by evaluation; the pages' own policy is tested above without this bypass.
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{base_url}/login")
    page.fill("#email", user.email)
    page.fill("#password", user.password)
    page.click("#sign-in")
    page.wait_for_selector("#signed-in-as")
    return context, page


@pytest.mark.parametrize("width", [1280, 375])
def test_axe_finds_no_serious_violation_on_the_dashboard_and_partner_health(
    browser: Any, base_url: str, platform: Platform, merchant_user: UserLogin, width: int
) -> None:
    violations: list[str] = []
    context, page = _signed_in_context(browser, base_url, merchant_user, width)
    page.goto(f"{base_url}/dashboard")
    violations += serious_violations(page)
    context.close()
    context, page = _signed_in_context(browser, base_url, make_user(platform.database), width)
    for path in ("/dashboard", "/operations/partners"):
        page.goto(f"{base_url}{path}")
        page.wait_for_selector("h1")
        violations += serious_violations(page)
    context.close()
    assert violations == []
