"""The bulk upload in a browser (Debian's chromium against a real uvicorn server): a CSV chosen
in the file input is booked by a worker running beside the server, the progress bar reaches
done by polling, the bad row is reported, the results download; axe finds no serious
violation on the upload and batch pages at desktop and phone widths."""

from __future__ import annotations

import csv
import io
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from postbridge.bootstrap import Platform
from postbridge.worker.loop import Worker
from tests.browser_kit import serious_violations, signed_in_page
from tests.conftest import make_merchant
from tests.console_builders import make_user
from tests.csv_builders import csv_row, csv_text

pytestmark = pytest.mark.browser
BAD_ZIP_MESSAGE = "ZIP 10001 belongs to NY, not TX"


@contextmanager
def worker_beside_the_server(platform: Platform) -> Iterator[None]:
    """The worker `postbridge serve` runs beside the web process, as a thread here (its own
    ``run`` installs signal handlers, which only the main thread may)."""
    stop = threading.Event()
    worker = Worker(platform)

    def loop() -> None:
        while not stop.is_set():
            if not worker.step():
                stop.wait(0.2)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=30)


def one_bad_row() -> tuple[str, list[str]]:
    tag = uuid.uuid4().hex[:8]
    references = [f"{tag}-{n}" for n in range(1, 4)]
    rows = [csv_row(references[0]), csv_row(references[1], recipient_postal_code="10001"),
            csv_row(references[2])]  # fmt: skip
    return csv_text(rows), references


def test_an_uploaded_file_is_followed_to_done_and_its_results_download(
    browser: object, base_url: str, platform: Platform, tmp_path: Path
) -> None:
    merchant = make_merchant(platform.database)
    user = make_user(platform.database, merchant_id=merchant.merchant_id)
    page = signed_in_page(browser, base_url, user, "/uploads")
    refused: list[str] = []
    page.on("console", lambda message: refused.append(f"{message.text} at {message.location}"))
    text, references = one_bad_row()
    page.set_input_files(
        "#file", files=[{"name": "orders.csv", "mimeType": "text/csv", "buffer": text.encode()}]
    )
    page.click("#upload-submit")
    page.wait_for_url(f"{base_url}/uploads/bat_*")
    batch_id = page.url.rsplit("/", 1)[-1]
    # Queued, with nobody booking it yet: an indeterminate bar and the no-script Refresh link.
    assert page.get_attribute("#batch-bar", "value") is None
    assert page.inner_text("#batch-status") == "queued"
    assert page.is_visible("#refresh-link")

    with worker_beside_the_server(platform):
        page.wait_for_selector("#batch-live:not(:empty)", timeout=30000)
    assert page.inner_text("#batch-live") == "The batch is finished: 2 booked, 1 failed."
    assert page.get_attribute("#batch-live", "aria-live") == "polite"
    bar = page.locator("#batch-bar")
    assert (bar.get_attribute("value"), bar.get_attribute("max")) == ("3", "3")
    assert page.inner_text("#batch-counts") == (
        "Status: completed. 3 rows processed: 2 booked, 1 failed."
    )
    assert page.locator("#refresh-note").count() == 0
    bad = page.locator("#results tbody tr").nth(1).inner_text().split("\t")
    assert bad == ["3", references[1], "failed", f"recipient_postal_code: {BAD_ZIP_MESSAGE}"]
    assert page.locator("#labels-pdf-1").get_attribute("href") == (
        f"/uploads/{batch_id}/labels?format=pdf&offset=0"
    )

    with page.expect_download() as download_info:
        page.click("#download-results")
    download = download_info.value
    assert download.suggested_filename == f"{batch_id}-results.csv"
    saved = tmp_path / "results.csv"
    download.save_as(saved)
    rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8"))))
    assert [(r["row"], r["reference"], r["status"], r["field"], r["message"]) for r in rows] == [
        ("2", references[0], "booked", "", ""),
        ("3", references[1], "rejected", "recipient_postal_code", BAD_ZIP_MESSAGE),
        ("4", references[2], "booked", "", ""),
    ]
    page.goto(f"{base_url}/uploads")
    assert page.locator(f"#batch-{batch_id} td").nth(1).inner_text() == "completed"
    assert [message for message in refused if "Content Security Policy" in message] == []
    page.close()


@pytest.mark.parametrize("width", [1280, 375])
def test_upload_and_batch_pages_have_no_serious_accessibility_violation(
    browser: object, base_url: str, platform: Platform, width: int
) -> None:
    merchant = make_merchant(platform.database)
    user = make_user(platform.database, merchant_id=merchant.merchant_id)
    uploaded = httpx.post(
        f"{base_url}/v1/shipment-batches",
        files={"file": ("orders.csv", one_bad_row()[0].encode(), "text/csv")},
        headers={"Authorization": f"Bearer {merchant.token}"},
    )
    assert uploaded.status_code == 202
    batch_id = uploaded.json()["id"]
    # axe is injected by evaluation; the pages' own policy is tested without this bypass.
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(f"{base_url}/login")
    page.fill("#email", user.email)
    page.fill("#password", user.password)
    page.click("#sign-in")
    page.wait_for_selector("#signed-in-as")
    page.goto(f"{base_url}/uploads")
    violations = serious_violations(page)
    page.set_input_files(
        "#file", files=[{"name": "empty.csv", "mimeType": "text/csv", "buffer": b""}]
    )
    page.click("#upload-submit")
    page.wait_for_selector("#upload-error")
    violations += serious_violations(page)  # the form with its error
    page.goto(f"{base_url}/uploads/{batch_id}")
    violations += serious_violations(page)  # queued
    Worker(platform).drain()
    page.goto(f"{base_url}/uploads/{batch_id}")
    page.wait_for_selector("#results")
    violations += serious_violations(page)  # finished, with the row results
    assert violations == []
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    context.close()
