"""Browser tier of the New shipment form (issue 15 point 4): live validation as the user types,
the quote options to choose from, booking and landing on the shipment's page, the same without
JavaScript, and axe-core on the empty form, the form with errors and the form with quotes at
1280 and 375 px wide."""

from __future__ import annotations

import re
from typing import Any

import pytest

from postbridge.bootstrap import Platform
from postbridge.web.booking_form import field_id
from tests.browser_kit import serious_violations, signed_in_page
from tests.conftest import make_merchant
from tests.console_builders import UserLogin, make_user
from tests.e2e.test_console_booking import ADDRESSES, ITEM, ZIP_MESSAGE, booked

pytestmark = pytest.mark.browser

SHIPMENT_URL = re.compile(r".*/shipments/(shp_[0-9A-Z]{26})$")
POSTAL = "#recipient-postal_code"


def merchant_user(platform: Platform) -> UserLogin:
    merchant = make_merchant(platform.database)
    return make_user(platform.database, merchant_id=merchant.merchant_id)


def fill_form(page: Any, reference: str, postal_code: str) -> None:
    page.fill("#reference", reference)
    for name, value in {**ADDRESSES, **ITEM, "recipient.postal_code": postal_code}.items():
        page.fill(f"#{field_id(name)}", value)


def message_of(page: Any, selector: str) -> str:
    return str(page.inner_text(f"{selector}-error"))


def wait_for_message(page: Any, selector: str, text: str) -> None:
    page.wait_for_function(
        "([id, text]) => document.getElementById(id).textContent === text",
        arg=[f"{selector[1:]}-error", text],
        timeout=10000,
    )


def test_live_messages_quotes_and_booking(
    browser: object, base_url: str, platform: Platform
) -> None:
    user = merchant_user(platform)
    page = signed_in_page(browser, base_url, user, "/shipments/new")
    logged: list[str] = []
    page.on("console", lambda message: logged.append(message.text))
    page.goto(f"{base_url}/shipments/new")
    fill_form(page, "BROWSER-BOOK-1", "ABCDE")
    wait_for_message(page, POSTAL, ZIP_MESSAGE)
    assert page.get_attribute(POSTAL, "aria-invalid") == "true"
    assert page.get_attribute(POSTAL, "aria-describedby") == "recipient-postal_code-error"
    assert f"Recipient postal code: {ZIP_MESSAGE}" in page.inner_text("#booking-status")
    assert page.locator("input[name=service]").count() == 0
    assert page.inner_text("#quotes-message") == (
        "Quotes show once the addresses and the parcel are complete and valid."
    )
    # Fields not typed in yet keep quiet: no "Field required" under the blank item rows.
    assert message_of(page, "#customs-items-1-description") == ""
    page.fill(POSTAL, "78701")
    wait_for_message(page, POSTAL, "")
    assert page.get_attribute(POSTAL, "aria-invalid") is None
    page.wait_for_selector("#quote-CN-US-ECONOMY")
    status = page.inner_text("#booking-status")
    assert "Recipient postal code: corrected" in status
    assert "3 quote options to choose from" in status
    label = page.inner_text("label[for='quote-CN-US-ECONOMY']")
    assert label.startswith("China to US economy small packet (up to 2 kg) (CN-US-ECONOMY, USPS):")
    assert re.search(r"\d+\.\d\d USD, delivered \d{4}-\d\d-\d\d \(typically\) to "
                     r"\d{4}-\d\d-\d\d", label)  # fmt: skip
    page.check("#quote-CN-US-ECONOMY")
    page.click("#book")
    page.wait_for_url(SHIPMENT_URL, timeout=10000)
    found = SHIPMENT_URL.match(page.url)
    assert found is not None
    shipments = booked(platform, user.merchant_id, "BROWSER-BOOK-1")
    assert [(s.id, s.product) for s in shipments] == [(found[1], "CN-US-ECONOMY")]
    assert [text for text in logged if "Content Security Policy" in text] == []
    page.close()


def test_without_javascript_get_quotes_then_book(
    browser: object, base_url: str, platform: Platform
) -> None:
    user = merchant_user(platform)
    context = browser.new_context(java_script_enabled=False)  # type: ignore[attr-defined]
    page = context.new_page()
    sign_in_by_form(page, base_url, user)
    fill_form(page, "BROWSER-NOJS-1", "78701")
    page.click("#get-quotes")
    page.wait_for_selector("#quote-CN-US-PREMIUM")
    assert page.input_value("#reference") == "BROWSER-NOJS-1"
    page.check("#quote-CN-US-PREMIUM")
    page.click("#book")
    page.wait_for_url(SHIPMENT_URL, timeout=10000)
    shipments = booked(platform, user.merchant_id, "BROWSER-NOJS-1")
    assert [s.product for s in shipments] == ["CN-US-PREMIUM"]
    context.close()


def sign_in_by_form(page: Any, base_url: str, user: UserLogin) -> None:
    page.goto(f"{base_url}/login?next=/shipments/new")
    page.fill("#email", user.email)
    page.fill("#password", user.password)
    page.click("#sign-in")
    page.wait_for_selector("#new-shipment")


@pytest.mark.parametrize("width", [1280, 375])
def test_the_form_is_accessible_empty_with_errors_and_with_quotes(
    browser: object, base_url: str, platform: Platform, width: int
) -> None:
    user = merchant_user(platform)
    # axe is injected by evaluation; the page's own policy is tested without this bypass.
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    sign_in_by_form(page, base_url, user)
    violations = serious_violations(page)  # the empty form
    fill_form(page, "BROWSER-AXE-1", "ABCDE")
    wait_for_message(page, POSTAL, ZIP_MESSAGE)
    violations += serious_violations(page)  # live messages
    page.click("#book")
    page.wait_for_selector("#general-errors")
    assert message_of(page, POSTAL) == ZIP_MESSAGE
    violations += serious_violations(page)  # the form sent back with its errors
    page.fill(POSTAL, "78701")
    page.wait_for_selector("#quote-CN-US-STANDARD", timeout=10000)
    violations += serious_violations(page)  # the form with quotes
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert violations == []
    assert booked(platform, user.merchant_id, "BROWSER-AXE-1") == []
    context.close()
