"""The browser tier's harness: a real uvicorn server for the platform on a free port, Debian's
chromium driven by Playwright, signing in through the form by keyboard, and axe-core (vendored in
``tests/e2e/vendor``) injected to list serious and critical accessibility violations. The
``base_url`` and ``browser`` fixtures in ``tests/e2e/conftest.py`` are built from these."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from postbridge.app import create_app
from postbridge.bootstrap import Platform
from tests.console_builders import UserLogin

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).parent / "e2e" / "vendor" / "axe.min.js"


@contextmanager
def serving(platform: Platform) -> Iterator[str]:
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
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def chromium() -> Iterator[Any]:
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
        try:
            yield launched
        finally:
            launched.close()


def signed_in_page(browser: object, base_url: str, user: UserLogin, path: str = "/") -> Any:
    """A new browser context (its own cookies) signed in through the form, by keyboard only."""
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(f"{base_url}{path}")
    page.wait_for_selector("#email:focus")  # the form opens with the e-mail field focused
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    page.keyboard.type(user.password)
    page.keyboard.press("Enter")
    page.wait_for_selector("#signed-in-as", timeout=10000)
    return page


def serious_violations(page: Any) -> list[str]:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document)")
    return [
        f"{page.url} {v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
