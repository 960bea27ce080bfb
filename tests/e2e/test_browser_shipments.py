"""Browser tier for the console's Shipments pages: filtering by tracking number, opening a
shipment, downloading its label, another merchant's shipment refused, and axe-core on the list
(plain, filtered, with a refused filter) and the shipment page at desktop and phone widths."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from postbridge.bootstrap import Platform
from tests.browser_kit import serious_violations, signed_in_page
from tests.builders import shipment_body
from tests.conftest import make_merchant
from tests.console_builders import make_user

pytestmark = pytest.mark.browser


def book(base_url: str, token: str, reference: str) -> dict[str, Any]:
    created = httpx.post(
        f"{base_url}/v1/shipments", json=shipment_body(reference=reference),
        headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip
    assert created.status_code == 201, created.text
    return dict(created.json())


def test_filter_open_and_download_a_label(
    browser: object, base_url: str, platform: Platform
) -> None:
    merchant = make_merchant(platform.database)
    tag = uuid.uuid4().hex[:6].upper()
    wanted = book(base_url, merchant.token, f"BR-{tag}-1")
    book(base_url, merchant.token, f"BR-{tag}-2")
    user = make_user(platform.database, merchant_id=merchant.merchant_id)
    page = signed_in_page(browser, base_url, user)
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text))
    page.fill("#filter-tracking-number", wanted["tracking_number"].lower())
    with page.expect_navigation():
        page.click("#apply-filters")
    rows = page.locator("#shipments tbody tr")
    assert rows.count() == 1
    assert wanted["tracking_number"] in rows.first.inner_text()
    assert page.input_value("#filter-tracking-number") == wanted["tracking_number"].lower()
    page.get_by_role("link", name=f"BR-{tag}-1").click()
    page.wait_for_selector("#summary-heading")
    assert page.url == f"{base_url}/shipments/{wanted['id']}"
    assert page.inner_text("h1") == f"Shipment BR-{tag}-1"
    assert page.inner_text("#summary-tracking-number") == wanted["tracking_number"]
    assert page.locator("#route-legs tbody tr").count() == len(wanted["route"]["legs"])
    with page.expect_download() as download_info:
        page.click("#label-pdf")
    download = download_info.value
    assert download.suggested_filename == f"{wanted['tracking_number']}.pdf"
    with open(download.path(), "rb") as label:
        assert label.read(4) == b"%PDF"
    page.click("#cancel-shipment")
    page.wait_for_selector("#cancelled-notice")
    assert page.inner_text("#summary-status") == "cancelled"
    assert page.locator("#label-pdf").count() == 0
    assert [text for text in refused if "Content Security Policy" in text] == []
    page.close()


def test_a_merchant_user_cannot_open_another_merchants_shipment(
    browser: object, base_url: str, platform: Platform
) -> None:
    mine, theirs = make_merchant(platform.database), make_merchant(platform.database)
    their_shipment = book(base_url, theirs.token, f"THEIRS-{uuid.uuid4().hex[:6]}")
    page = signed_in_page(
        browser, base_url, make_user(platform.database, merchant_id=mine.merchant_id)
    )
    response = page.goto(f"{base_url}/shipments/{their_shipment['id']}")
    assert response.status == 404
    assert page.inner_text("#message") == "There is no shipment here, or it is not yours to see."
    label = page.goto(f"{base_url}/shipments/{their_shipment['id']}/label?format=pdf")
    assert label.status == 404
    page.close()


@pytest.mark.parametrize("width", [1280, 375])
def test_shipment_pages_have_no_serious_accessibility_violations(
    browser: object, base_url: str, platform: Platform, width: int
) -> None:
    merchant = make_merchant(platform.database)
    shipment = book(base_url, merchant.token, f"AXE-SHIP-{uuid.uuid4().hex[:6]}")
    user = make_user(platform.database, merchant_id=merchant.merchant_id)
    # axe is injected by evaluation; the pages' own policy is tested without this bypass.
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(f"{base_url}/login")
    page.fill("#email", user.email)
    page.fill("#password", user.password)
    page.click("#sign-in")
    page.wait_for_selector("#signed-in-as")
    violations = serious_violations(page)  # the list
    page.goto(f"{base_url}/?reference=AXE-SHIP&reference_match=prefix&status=booked")
    violations += serious_violations(page)  # filtered
    response = page.goto(f"{base_url}/?destination=Atlantis&created_from=2026-13-01")
    assert response.status == 422
    violations += serious_violations(page)  # refused filters, named at their fields
    page.goto(f"{base_url}/shipments/{shipment['id']}")
    violations += serious_violations(page)
    page.click("#cancel-shipment")
    page.wait_for_selector("#cancelled-notice")
    violations += serious_violations(page)
    assert violations == []
    if width == 375:  # nothing wider than the phone's screen but the scrolling tables
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width
    context.close()
