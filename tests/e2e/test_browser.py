"""Browser tier: Debian's chromium driven by Playwright against a real uvicorn server."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from postbridge.app import create_app
from postbridge.bootstrap import Platform
from tests.builders import shipment_body
from tests.conftest import make_merchant

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base_url(platform: Platform) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        create_app(platform=platform), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        if os.environ.get("POSTBRIDGE_REQUIRE_BROWSER"):
            pytest.fail("POSTBRIDGE_REQUIRE_BROWSER is set but /usr/bin/chromium is missing")
        pytest.skip("Debian chromium is not installed (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        yield launched
        launched.close()


def test_docs_render_offline(browser: object, base_url: str) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(f"{base_url}/docs")
    page.wait_for_selector(".opblock-summary-path[data-path='/v1/shipments']", timeout=15000)
    assert page.locator(".swagger-ui .title").first.inner_text().startswith("postbridge")
    page.close()


def test_console_lists_the_merchants_shipments(
    browser: object, base_url: str, platform: Platform
) -> None:
    merchant = make_merchant(platform.database)
    body = shipment_body(reference="BROWSER-ORDER-1")
    created = httpx.post(
        f"{base_url}/v1/shipments", json=body, headers={"Authorization": f"Bearer {merchant.token}"}
    )
    assert created.status_code == 201
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(base_url + "/")
    page.fill("#api-key", merchant.token)
    page.click("#use-key")
    page.wait_for_selector("text=BROWSER-ORDER-1", timeout=10000)
    assert merchant.name in page.inner_text("#whoami")
    row = page.locator("#shipment-rows tr").first.inner_text()
    assert created.json()["tracking_number"] in row
    page.fill("#api-key", "pb_wrong_key")
    page.click("#use-key")
    page.wait_for_selector("#auth-error:has-text('not valid')", timeout=10000)
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
