"""The console's bulk upload through HTTP, on SQLite and PostgreSQL: a CSV uploaded through the
form is booked by the worker (never the web process), its progress, results file and labels
are the merchant's only, and bad uploads are answered with a message naming the field."""

from __future__ import annotations

import csv
import html
import io
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import httpx
import pytest
from fastapi.testclient import TestClient

from postbridge.app import create_app
from postbridge.bootstrap import Platform, build_platform
from postbridge.bulk.batches import RESULT_COLUMNS, batch_results, fail_batch, first_results
from postbridge.bulk.models import ShipmentBatch
from postbridge.identifiers.s10 import is_valid_s10
from postbridge.migrations import upgrade
from postbridge.web.console_bulk import label_pages
from postbridge.worker.loop import Worker
from tests.conftest import BACKENDS, fresh_postgres_database, make_merchant, settings_for
from tests.console_builders import csrf_token, make_user, sign_in
from tests.csv_builders import csv_row, csv_text

REFUSED = "This form was refused"
NOT_YOURS = "There is no batch here, or it is not yours to see."
BAD_ZIP_MESSAGE = "ZIP 10001 belongs to NY, not TX"
ClientMaker = Callable[[], TestClient]


@pytest.fixture(scope="module", params=BACKENDS)
def bulk_platform(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Platform]:
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('bulk') / 'console-bulk.db'}"
            upgrade(url)
        else:
            url = stack.enter_context(fresh_postgres_database())
        settings = settings_for(url).model_copy(
            update={"var_dir": tmp_path_factory.mktemp("bulk-var")}
        )
        platform = build_platform(settings)
        stack.callback(platform.database.dispose)
        yield platform


@pytest.fixture
def new_client(bulk_platform: Platform) -> Iterator[ClientMaker]:
    """Makes clients with cookie jars of their own: one per signed-in user."""
    with ExitStack() as stack:

        def make() -> TestClient:
            app = create_app(platform=bulk_platform)
            return stack.enter_context(TestClient(app, raise_server_exceptions=False))

        yield make


@dataclass(frozen=True)
class SignedIn:
    client: TestClient
    merchant_id: str | None


def merchant_user(platform: Platform, new_client: ClientMaker) -> SignedIn:
    merchant = make_merchant(platform.database)
    client = new_client()
    assert (
        sign_in(client, make_user(platform.database, merchant_id=merchant.merchant_id)).status_code
        == 303
    )
    return SignedIn(client, merchant.merchant_id)


def operator_user(platform: Platform, new_client: ClientMaker) -> SignedIn:
    client = new_client()
    assert sign_in(client, make_user(platform.database)).status_code == 303
    return SignedIn(client, None)


def post_file(
    client: TestClient, content: bytes, *, name: str = "orders.csv", token: str | None = None
) -> httpx.Response:
    form = {} if token == "" else {"csrf_token": token or csrf_token(client.get("/uploads").text)}
    return client.post(
        "/uploads", data=form, files={"file": (name, content, "text/csv")}, follow_redirects=False
    )


def three_good_one_bad() -> tuple[str, list[str]]:
    tag = uuid.uuid4().hex[:8]
    references = [f"{tag}-{n}" for n in range(1, 5)]
    rows = [csv_row(references[0]), csv_row(references[1]),
            csv_row(references[2], recipient_postal_code="10001"),  # a NY ZIP with TX
            csv_row(references[3])]  # fmt: skip
    return csv_text(rows), references


def uploaded_batch(user: SignedIn, text: str) -> str:
    response = post_file(user.client, text.encode())
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith("/uploads/bat")
    return location.removeprefix("/uploads/")


def run_worker(platform: Platform) -> None:
    Worker(platform).drain()  # as `postbridge serve` runs one beside the web process


def test_an_upload_is_booked_by_the_worker_with_the_bad_row_reported(
    bulk_platform: Platform, new_client: ClientMaker
) -> None:
    user = merchant_user(bulk_platform, new_client)
    text, references = three_good_one_bad()
    batch_id = uploaded_batch(user, text)
    queued = user.client.get(f"/uploads/{batch_id}/progress").json()
    assert queued == {
        "id": batch_id, "status": "queued", "finished": False, "rows_done": 0,
        "rows_total": None, "rows_booked": 0, "rows_failed": 0, "error": None,
    }  # fmt: skip
    waiting = user.client.get(f"/uploads/{batch_id}")
    assert waiting.status_code == 200
    assert f'<a href="/uploads/{batch_id}" id="refresh-link">Refresh</a>' in waiting.text
    assert '<progress id="batch-bar">0 rows</progress>' in waiting.text
    assert 'id="results"' not in waiting.text

    run_worker(bulk_platform)

    progress = user.client.get(f"/uploads/{batch_id}/progress")
    assert progress.headers["cache-control"] == "no-store"
    assert progress.json() == {
        "id": batch_id, "status": "completed", "finished": True, "rows_done": 4,
        "rows_total": 4, "rows_booked": 3, "rows_failed": 1, "error": None,
    }  # fmt: skip
    download = user.client.get(f"/uploads/{batch_id}/results.csv")
    assert download.status_code == 200
    assert download.headers["content-type"] == "text/csv; charset=utf-8"
    assert download.headers["content-disposition"] == (
        f'attachment; filename="{batch_id}-results.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert list(rows[0]) == RESULT_COLUMNS
    assert [(r["row"], r["reference"], r["status"], r["field"], r["message"]) for r in rows] == [
        ("2", references[0], "booked", "", ""),
        ("3", references[1], "booked", "", ""),
        ("4", references[2], "rejected", "recipient_postal_code", BAD_ZIP_MESSAGE),
        ("5", references[3], "booked", "", ""),
    ]
    assert all(is_valid_s10(r["tracking_number"]) for r in rows if r["status"] == "booked")

    page = user.client.get(f"/uploads/{batch_id}")
    assert "Finished: 3 booked, 1 failed" in page.text
    assert 'id="refresh-link"' not in page.text
    assert '<progress id="batch-bar" max="4" value="4">4 rows</progress>' in page.text
    bad_row = (
        f'<tr id="result-3" class="failed-row">\n          <td>4</td>\n          '
        f"<td>{references[2]}</td>\n          <td>failed</td>\n          "
        f"<td><code>recipient_postal_code</code>: {html.escape(BAD_ZIP_MESSAGE)}</td>"
    )
    assert bad_row in page.text
    assert f'href="/uploads/{batch_id}/results.csv"' in page.text

    pdf = user.client.get(f"/uploads/{batch_id}/labels?format=pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    zpl = user.client.get(f"/uploads/{batch_id}/labels", params={"format": "zpl"})
    assert zpl.headers["content-type"] == "application/x-zpl"
    assert zpl.text.count("^XA") >= 3

    listing = user.client.get("/uploads")
    assert f'<a href="/uploads/{batch_id}">orders.csv</a>' in listing.text
    assert 'aria-current="page">Bulk upload' in listing.text


def test_another_merchant_gets_404_pages_and_operators_see_every_batch(
    bulk_platform: Platform, new_client: ClientMaker
) -> None:
    owner = merchant_user(bulk_platform, new_client)
    batch_id = uploaded_batch(owner, three_good_one_bad()[0])
    run_worker(bulk_platform)
    other = merchant_user(bulk_platform, new_client)
    for path in ["", "/summary", "/results.csv", "/labels?format=pdf", "/labels?format=zpl"]:
        answer = other.client.get(f"/uploads/{batch_id}{path}")
        assert answer.status_code == 404, path
        assert NOT_YOURS in answer.text, path
    progress = other.client.get(f"/uploads/{batch_id}/progress")
    assert (progress.status_code, progress.json()) == (404, {"detail": "no such batch"})
    assert batch_id not in other.client.get("/uploads").text

    operator = operator_user(bulk_platform, new_client)
    listing = operator.client.get("/uploads")
    assert f"<td><code>{owner.merchant_id}</code></td>" in listing.text
    assert "Recent batches of every merchant" in listing.text
    assert 'id="upload-form"' not in listing.text
    assert operator.client.get(f"/uploads/{batch_id}/progress").json()["rows_booked"] == 3
    refused = post_file(operator.client, three_good_one_bad()[0].encode())
    assert refused.status_code == 403
    assert "Uploads are made by a merchant&#39;s users" in refused.text


def test_a_post_without_the_csrf_token_is_refused(
    bulk_platform: Platform, new_client: ClientMaker
) -> None:
    user = merchant_user(bulk_platform, new_client)
    for token in ["", "not-the-token"]:
        refused = post_file(user.client, three_good_one_bad()[0].encode(), token=token)
        assert refused.status_code == 403
        assert REFUSED in refused.text
    assert 'id="no-batches"' in user.client.get("/uploads").text
    anonymous = new_client().get("/uploads", follow_redirects=False)
    assert (anonymous.status_code, anonymous.headers["location"]) == (303, "/login?next=/uploads")


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "orders.csv", "file: the file is empty: expected a CSV with a header"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "photo.png",
         "file: the file is neither UTF-8 nor GBK; save it as &#34;CSV UTF-8&#34;"),
        (csv_text([]).encode(), "orders.csv",
         "file: the file has a header but no rows"),
        (b"reference,colour\nA,red\n", "orders.csv",
         "colour: unknown column(s) &#39;colour&#39;; see docs/csv-format.md"),
    ],
    ids=["empty", "not-a-csv", "header-only", "unknown-column"],
)  # fmt: skip
def test_a_bad_file_is_answered_with_a_message_naming_the_field(
    bulk_platform: Platform, new_client: ClientMaker, content: bytes, name: str, message: str
) -> None:
    user = merchant_user(bulk_platform, new_client)
    answer = post_file(user.client, content, name=name)
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("text/html")
    assert 'id="upload-error"' in answer.text
    assert message in answer.text
    assert 'id="upload-form"' in answer.text  # the form is there to try again
    assert 'id="no-batches"' in answer.text
    stored = list((bulk_platform.settings.var_dir / "batches").glob("upl_*.csv"))
    assert all(path.read_bytes() != content for path in stored)


def test_no_file_chosen_is_a_message(bulk_platform: Platform, new_client: ClientMaker) -> None:
    user = merchant_user(bulk_platform, new_client)
    token = csrf_token(user.client.get("/uploads").text)
    answer = user.client.post("/uploads", data={"csrf_token": token}, files={"x": ("", b"")})
    assert answer.status_code == 422
    assert "file: choose a CSV file to upload" in answer.text


def test_the_sample_books_as_it_is_and_the_same_file_again_shows_its_batch(
    bulk_platform: Platform, new_client: ClientMaker
) -> None:
    user = merchant_user(bulk_platform, new_client)
    page = user.client.get("/uploads")
    assert '<a href="/uploads/sample-shipments.csv" id="sample-link" download>' in page.text
    assert '<label for="file">CSV file (at most 512 MiB)</label>' in page.text
    sample = user.client.get("/uploads/sample-shipments.csv")
    assert sample.headers["content-type"] == "text/csv; charset=utf-8"
    batch_id = uploaded_batch(user, sample.text)
    run_worker(bulk_platform)
    progress = user.client.get(f"/uploads/{batch_id}/progress").json()
    assert (progress["rows_booked"], progress["rows_failed"]) == (1, 0)
    again = post_file(user.client, sample.content)
    assert (again.status_code, again.headers["location"]) == (
        303,
        f"/uploads/{batch_id}?existing=1",
    )
    assert 'id="existing-note"' in user.client.get(again.headers["location"]).text


def test_labels_of_a_batch_without_booked_rows_or_in_a_bad_format_are_messages(
    bulk_platform: Platform, new_client: ClientMaker
) -> None:
    user = merchant_user(bulk_platform, new_client)
    text = csv_text([csv_row(uuid.uuid4().hex[:8], recipient_postal_code="10001")])
    batch_id = uploaded_batch(user, text)
    run_worker(bulk_platform)
    page = user.client.get(f"/uploads/{batch_id}")
    assert 'id="no-labels"' in page.text
    none = user.client.get(f"/uploads/{batch_id}/labels?format=pdf")
    assert none.status_code == 409
    assert "This batch has no booked rows: there is no label to print." in none.text
    for query in ["format=png", "format=pdf&offset=-1", "format=pdf&offset=%C2%B2"]:
        bad = user.client.get(f"/uploads/{batch_id}/labels?{query}")
        assert bad.status_code == 422, query
        assert "format: expected pdf or zpl; offset: expected a whole number of rows" in bad.text
    assert user.client.get("/uploads/bat_%00x").status_code == 404


def test_recent_batches_are_newest_first_with_the_name_without_its_folder(
    bulk_platform: Platform, new_client: ClientMaker
) -> None:
    user = merchant_user(bulk_platform, new_client)
    token = csrf_token(user.client.get("/uploads").text)
    first = post_file(user.client, three_good_one_bad()[0].encode(), token=token,
                      name="C:\\Users\\li\\monday.csv")  # fmt: skip
    # httpx percent-encodes control characters in a file name; a browser may not.
    boundary = "bulk-test-boundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="tuesday\x07.csv"'
        f"\r\nContent-Type: text/csv\r\n\r\n{three_good_one_bad()[0]}\r\n--{boundary}--\r\n"
    )
    second = user.client.post(
        "/uploads", content=body.encode(), follow_redirects=False,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )  # fmt: skip
    ids = [response.headers["location"].removeprefix("/uploads/") for response in (first, second)]
    listing = user.client.get("/uploads").text
    assert listing.index(f'id="batch-{ids[1]}"') < listing.index(f'id="batch-{ids[0]}"')
    assert f'<a href="/uploads/{ids[0]}">monday.csv</a>' in listing
    assert f'<a href="/uploads/{ids[1]}">tuesday.csv</a>' in listing
    assert listing.count('<span class="badge neutral">queued</span>') == 2
    run_worker(bulk_platform)


def test_a_file_over_the_size_limit_is_refused_and_not_kept(
    bulk_platform: Platform, tmp_path_factory: pytest.TempPathFactory
) -> None:
    settings = bulk_platform.settings.model_copy(
        update={"max_upload_bytes": 1024, "var_dir": tmp_path_factory.mktemp("small-var")}
    )
    small = build_platform(settings)
    try:
        with TestClient(create_app(platform=small), raise_server_exceptions=False) as client:
            merchant = make_merchant(small.database)
            user = make_user(small.database, merchant_id=merchant.merchant_id)
            assert sign_in(client, user).status_code == 303
            page = client.get("/uploads")
            assert '<label for="file">CSV file (at most 1 KiB)</label>' in page.text
            assert 'accept=".csv,text/csv"' in page.text
            answer = post_file(client, three_good_one_bad()[0].encode())
            assert answer.status_code == 413
            assert "file: larger than 1 KiB; split the file" in answer.text
            assert list((settings.var_dir / "batches").iterdir()) == []
    finally:
        small.database.dispose()


def test_a_batch_whose_job_went_dead_shows_its_error(
    bulk_platform: Platform, new_client: ClientMaker
) -> None:
    user = merchant_user(bulk_platform, new_client)
    batch_id = uploaded_batch(user, three_good_one_bad()[0])
    # What the worker's dead-job hook does (worker.handlers.fail_uploaded_batch).
    fail_batch(database=bulk_platform.database, batch_id=batch_id, error="the worker gave up")
    assert user.client.get(f"/uploads/{batch_id}/progress").json() == {
        "id": batch_id, "status": "failed", "finished": True, "rows_done": 0, "rows_total": 0,
        "rows_booked": 0, "rows_failed": 0, "error": "the worker gave up",
    }  # fmt: skip
    page = user.client.get(f"/uploads/{batch_id}")
    assert "<strong>The batch failed</strong>the worker gave up</div>" in page.text
    assert '<progress id="batch-bar" max="1" value="1">0 rows</progress>' in page.text
    assert 'id="no-labels"' in page.text


def test_the_page_shows_the_first_rows_and_the_download_has_them_all(
    bulk_platform: Platform, new_client: ClientMaker
) -> None:
    user = merchant_user(bulk_platform, new_client)
    tag = uuid.uuid4().hex[:8]
    batch_id = uploaded_batch(user, csv_text([csv_row(f"{tag}-{n}") for n in range(53)]))
    run_worker(bulk_platform)
    page = user.client.get(f"/uploads/{batch_id}")
    assert page.text.count('<tr id="result-') == 50
    assert "Row results: the first 50; download the CSV for every row" in page.text
    rows = list(
        csv.DictReader(io.StringIO(user.client.get(f"/uploads/{batch_id}/results.csv").text))
    )
    assert [row["row"] for row in rows] == [str(n) for n in range(2, 55)]
    every = list(batch_results(database=bulk_platform.database, batch_id=batch_id))
    shown = first_results(database=bulk_platform.database, batch_id=batch_id, limit=50)
    assert shown == every[:50]
    past = user.client.get(f"/uploads/{batch_id}/labels?format=zpl&offset=53")
    assert past.status_code == 409
    assert "This batch has no booked rows after this offset." in past.text
    last = user.client.get(f"/uploads/{batch_id}/labels?format=zpl&offset=52")
    assert last.text.count("^XA") == 1
    assert rows[-1]["tracking_number"] in last.text


def test_labels_are_offered_a_thousand_at_a_time() -> None:
    batch = ShipmentBatch(rows_booked=2500)
    assert label_pages(batch) == [(0, 1000), (1000, 2000), (2000, 2500)]
    assert label_pages(ShipmentBatch(rows_booked=0)) == []
