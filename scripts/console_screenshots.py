"""Screenshots of every console page for the README (issue 15), in docs/screenshots/.

    .venv/bin/python scripts/console_screenshots.py

The platform runs in-process (uvicorn on a free port, as the browser tests run it) on a fresh
SQLite database in a temporary folder, with the demo network that ``make run`` serves. Its data
is real: three merchants with orders booked through the booking path, their scans ingested, the
demo upload run, the worker drained once so the outbox reaches the dashboard's projections
(bench/console_data.py). Debian's chromium, driven by Playwright, signs in through the form as
the first merchant's user and as an operator and saves full-page screenshots 1280 px wide, plus
the shipment list and the public tracking page 375 px wide (``*-phone.png``). A page that answers
404 (not built yet) or fails is skipped with a note and its old screenshot, if any, is kept;
run again when it lands.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # bench/ and tests/ helpers, as the benches import them

from bench.console_data import ConsoleData, seed  # noqa: E402
from playwright.sync_api import ViewportSize  # noqa: E402
from tests.browser_kit import CHROMIUM, serving, signed_in_page  # noqa: E402
from tests.console_builders import UserLogin  # noqa: E402

from postbridge.bootstrap import Platform, build_platform  # noqa: E402
from postbridge.config import Settings  # noqa: E402
from postbridge.migrations import upgrade  # noqa: E402
from postbridge.worker.loop import Worker  # noqa: E402
from postbridge.worker.roles import WorkerRole  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
SECRET = "console-screenshots-secret-0123456789ab"
DESKTOP = ViewportSize(width=1280, height=800)
PHONE = ViewportSize(width=375, height=812)
ORDERS_PER_MERCHANT = 20  # the first merchant also gets the demo upload: about 30 in its list


@dataclass(frozen=True, slots=True)
class Shot:
    name: str  # docs/screenshots/<name>.png
    path: str
    viewport: ViewportSize


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def merchant_shots(data: ConsoleData, shipment_id: str) -> list[Shot]:
    uploads = [Shot("upload", f"/uploads/{data.batch_id}", DESKTOP)] if data.batch_id else []
    return [
        Shot("shipments", "/", DESKTOP),
        Shot("shipment", f"/shipments/{shipment_id}", DESKTOP),
        Shot("dashboard", "/dashboard", DESKTOP),
        Shot("shipment-new", "/shipments/new", DESKTOP),
        Shot("uploads", "/uploads", DESKTOP),
        *uploads,
        Shot("developers", "/developers", DESKTOP),
        Shot("shipments-phone", "/", PHONE),
    ]


def operator_shots() -> list[Shot]:
    return [
        Shot("network", "/network", DESKTOP),
        Shot("exceptions", "/operations/exceptions", DESKTOP),
        Shot("jobs", "/operations/jobs", DESKTOP),
        Shot("partners", "/operations/partners", DESKTOP),
    ]


def public_shots(number: str) -> list[Shot]:
    return [
        Shot("login", "/login", DESKTOP),
        Shot("tracking", f"/t/{number}?lang=en", DESKTOP),
        Shot("tracking-phone", f"/t/{number}?lang=en", PHONE),
    ]


def prepare(folder: Path) -> tuple[Platform, ConsoleData, str, str]:
    """The seeded platform, its data, and the shipment and number the detail pages show: the
    first merchant's parcel with the most scans (a full timeline)."""
    from sqlalchemy import text

    url = f"sqlite:///{folder / 'console.db'}"
    upgrade(url)
    platform = build_platform(Settings(database_url=url, var_dir=folder, secret_key=SECRET))
    data = seed(platform, folder, shipments_per_merchant=ORDERS_PER_MERCHANT)
    # The events only (outbox relay, webhooks): the handover jobs would call the posts, which
    # are not running here; they stay queued, as on a platform whose worker is busy.
    Worker(platform, role=WorkerRole.EVENTS).drain()
    with platform.database.engine.connect() as connection:
        shown = connection.execute(
            text("SELECT s.id, s.tracking_number FROM shipments s "
                 "JOIN trackers t ON t.shipment_id = s.id WHERE s.merchant_id = :m "
                 "ORDER BY t.delivered_at IS NULL, t.event_count DESC, s.id LIMIT 1"),
            {"m": data.merchant_ids[0]},
        ).one()  # fmt: skip
    return platform, data, shown.id, shown.tracking_number


def capture(context: Any, base_url: str, shot: Shot, skipped: list[str]) -> None:
    page = context.new_page()
    try:
        response = page.goto(f"{base_url}{shot.path}")
        status = response.status if response is not None else 0
        if status == 404:
            skipped.append(f"{shot.name}: {shot.path} answers 404 (not built yet); skipped")
            return
        if status >= 400:
            skipped.append(f"{shot.name}: {shot.path} answers {status}; skipped")
            return
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(OUT / f"{shot.name}.png"), full_page=True)
        say(f"saved docs/screenshots/{shot.name}.png ({shot.path}, {shot.viewport['width']} px)")
    finally:
        page.close()


def signed_in_context(browser: Any, base_url: str, user: UserLogin, viewport: ViewportSize) -> Any:
    context = browser.new_context(viewport=viewport)
    signed_in_page(context, base_url, user).close()  # the session cookie stays in the context
    return context


def main() -> int:
    if not CHROMIUM.exists():
        say(f"{CHROMIUM} is missing: install Debian's chromium package")
        return 1
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    skipped: list[str] = []
    with tempfile.TemporaryDirectory() as name:
        platform, data, shipment_id, number = prepare(Path(name))
        with serving(platform) as base_url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
            )
            try:
                for shot in public_shots(number):
                    context = browser.new_context(viewport=shot.viewport)
                    capture(context, base_url, shot, skipped)
                    context.close()
                for user, shots in (
                    (data.merchant_user, merchant_shots(data, shipment_id)),
                    (data.operator, operator_shots()),
                ):
                    for viewport in (DESKTOP, PHONE):
                        chosen = [shot for shot in shots if shot.viewport == viewport]
                        if not chosen:
                            continue
                        context = signed_in_context(browser, base_url, user, viewport)
                        for shot in chosen:
                            capture(context, base_url, shot, skipped)
                        context.close()
            finally:
                browser.close()
        platform.database.dispose()
    for note in skipped:
        say(note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
