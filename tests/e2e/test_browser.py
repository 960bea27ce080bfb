"""Browser tier: Debian's chromium driven by Playwright against a real uvicorn server."""

from __future__ import annotations

import re

import httpx
import pytest

from postbridge.bootstrap import Platform
from postbridge.merchants.service import list_keys
from tests.browser_kit import serious_violations, signed_in_page
from tests.builders import shipment_body
from tests.conftest import make_merchant
from tests.console_builders import disabled_endpoint, make_user

pytestmark = pytest.mark.browser


def test_docs_render_offline(browser: object, base_url: str) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(f"{base_url}/docs")
    page.wait_for_selector(".opblock-summary-path[data-path='/v1/shipments']", timeout=15000)
    assert page.locator(".swagger-ui .title").first.inner_text().startswith("postbridge")
    page.close()


def test_console_signs_in_and_lists_the_merchants_shipments(
    browser: object, base_url: str, platform: Platform
) -> None:
    merchant = make_merchant(platform.database)
    body = shipment_body(reference="BROWSER-ORDER-1")
    created = httpx.post(
        f"{base_url}/v1/shipments", json=body, headers={"Authorization": f"Bearer {merchant.token}"}
    )
    assert created.status_code == 201
    user = make_user(platform.database, merchant_id=merchant.merchant_id)
    page = browser.new_page()  # type: ignore[attr-defined]
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text))
    page.goto(base_url + "/")
    assert page.url == f"{base_url}/login"
    page.fill("#email", user.email)
    page.fill("#password", "not the password")
    page.click("#sign-in")
    assert page.inner_text("#login-error") == "the e-mail address or the password is not right"
    page.fill("#password", user.password)
    page.click("#sign-in")
    page.wait_for_selector("text=BROWSER-ORDER-1", timeout=10000)
    assert page.inner_text("#signed-in-as") == f"{user.email} · {merchant.name}"
    row = page.locator("#shipments tbody tr").first.inner_text()
    assert created.json()["tracking_number"] in row
    assert page.locator("#operator-badge").count() == 0
    page.click("#sign-out")
    page.wait_for_selector("#sign-in")
    assert page.url == f"{base_url}/login"
    page.goto(base_url + "/")
    assert page.url == f"{base_url}/login"
    assert [text for text in refused if "Content Security Policy" in text] == []
    page.close()


def test_developers_page_creates_a_key_and_shows_a_disabled_endpoint(
    browser: object, base_url: str, platform: Platform
) -> None:
    merchant = make_merchant(platform.database)
    endpoint_id, reason = disabled_endpoint(platform, merchant.merchant_id)
    user = make_user(platform.database, merchant_id=merchant.merchant_id)
    page = signed_in_page(browser, base_url, user)
    page.get_by_role("link", name="Developers").click()
    page.wait_for_selector("#keys-heading")
    notice = page.inner_text(f"#disabled-{endpoint_id}")
    assert "This endpoint is disabled since" in notice
    assert f"Reason: {reason}." in notice
    assert page.inner_text("#disabled-summary") == "1 webhook endpoint is disabled: see below."
    page.click("#create-key")
    page.wait_for_selector("#new-key")
    token = page.input_value("#new-key-value")
    prefix = token.split("_")[1]
    assert page.locator(f"#api-keys td:has-text('pb_{prefix}_')").count() == 1
    me = httpx.get(f"{base_url}/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert (me.status_code, me.json()["merchant_id"]) == (200, merchant.merchant_id)
    page.goto(f"{base_url}/developers")  # the key is shown once: not on a new visit
    assert page.locator("#new-key").count() == 0
    assert token not in page.content()
    page.get_by_role("link", name=re.compile("All attempts for")).click()
    page.wait_for_selector("#attempts-heading")
    assert "connection refused" in page.inner_text("table.attempts")
    page.close()


def test_a_merchant_user_cannot_open_another_merchants_endpoint(
    browser: object, base_url: str, platform: Platform
) -> None:
    mine, theirs = make_merchant(platform.database), make_merchant(platform.database)
    their_endpoint, _ = disabled_endpoint(platform, theirs.merchant_id)
    page = signed_in_page(
        browser, base_url, make_user(platform.database, merchant_id=mine.merchant_id)
    )
    response = page.goto(f"{base_url}/developers/webhooks/{their_endpoint}")
    assert response.status == 404
    assert page.inner_text("#message") == (
        "There is no webhook endpoint here, or it is not yours to see."
    )
    page.close()


def test_a_form_post_without_the_csrf_token_is_refused(
    browser: object, base_url: str, platform: Platform
) -> None:
    merchant = make_merchant(platform.database)
    user = make_user(platform.database, merchant_id=merchant.merchant_id)
    page = signed_in_page(browser, base_url, user, "/login?next=/developers")
    page.wait_for_selector("#create-key")
    page.eval_on_selector(
        "form[action='/developers/keys'] input[name='csrf_token']", "input => input.remove()"
    )
    with page.expect_navigation():
        page.click("#create-key")
    assert page.inner_text("h1") == "Form refused"
    assert page.inner_text("#message").startswith(
        "This form was refused: it did not carry this page's security token"
    )
    assert len(list_keys(database=platform.database, merchant_id=merchant.merchant_id)) == 1
    page.close()


@pytest.mark.parametrize("width", [1280, 375])
def test_console_pages_have_no_serious_accessibility_violations(
    browser: object, base_url: str, platform: Platform, width: int
) -> None:
    merchant = make_merchant(platform.database)
    created = httpx.post(
        f"{base_url}/v1/shipments", json=shipment_body(reference="AXE-1"),
        headers={"Authorization": f"Bearer {merchant.token}"},
    )  # fmt: skip
    assert created.status_code == 201
    endpoint_id, _ = disabled_endpoint(platform, merchant.merchant_id)
    user = make_user(platform.database, merchant_id=merchant.merchant_id)
    # axe is injected by evaluation; the pages' own policy is tested without this bypass.
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(f"{base_url}/login")
    violations = serious_violations(page)
    page.fill("#email", user.email)
    page.fill("#password", "a wrong password")
    page.click("#sign-in")
    violations += serious_violations(page)  # the form with its error
    page.fill("#password", user.password)
    page.click("#sign-in")
    page.wait_for_selector("#signed-in-as")
    violations += serious_violations(page)
    page.goto(f"{base_url}/developers")
    page.click("#create-key")
    page.wait_for_selector("#new-key")
    violations += serious_violations(page)
    for path in (f"/developers/webhooks/{endpoint_id}", "/developers/webhooks/whe_missing"):
        page.goto(f"{base_url}{path}")
        violations += serious_violations(page)
    assert violations == []
    context.close()


def test_focus_is_visible_and_the_skip_link_leads_to_the_content(
    browser: object, base_url: str, platform: Platform
) -> None:
    user = make_user(platform.database)
    page = signed_in_page(browser, base_url, user)
    assert page.inner_text("#operator-badge") == "Operator"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
    page.close()


@pytest.mark.parametrize("path", ["/", "/docs"])
def test_pages_run_under_their_content_security_policy(
    browser: object, base_url: str, path: str
) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text))
    page.goto(f"{base_url}{path}")
    page.wait_for_load_state("networkidle")
    assert [text for text in refused if "Content Security Policy" in text] == []
    page.close()
