"""The console's Shipments pages through HTTP, on SQLite and PostgreSQL: each filter narrows the
list exactly and survives paging, bad filter input is named next to its field (never a 500),
the shipment page (parcel, route planned against actual, events, estimate, advance data), label
downloads, cancelling (and cancelling again), and merchant isolation."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from postbridge.app import create_app
from postbridge.bootstrap import Platform, build_platform
from postbridge.merchants.models import Role
from postbridge.migrations import upgrade
from postbridge.shipments.lifecycle import ShipmentStatus
from postbridge.shipments.repository import ShipmentRepository, prefix_bound
from tests.builders import RECIPIENT_BR, shipment_body
from tests.conftest import BACKENDS, fresh_postgres_database, make_merchant, settings_for
from tests.console_builders import csrf_token, make_user, sign_in
from tests.e2e.conftest import auth
from tests.integration.test_tracking_ingest import item

ROW_REFERENCE = re.compile(r'<td><a href="/shipments/([^"]+)">([^<]*)</a></td>')
NOT_YOURS = "There is no shipment here, or it is not yours to see."


@dataclass(frozen=True, slots=True)
class Console:
    platform: Platform
    api: TestClient  # API calls carry a bearer key; console clients are made per user


@pytest.fixture(scope="module", params=BACKENDS)
def console(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Console]:
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('shipments') / 'console.db'}"
            upgrade(url)
        else:
            url = stack.enter_context(fresh_postgres_database())
        platform = build_platform(settings_for(url))
        stack.callback(platform.database.dispose)
        api = stack.enter_context(
            TestClient(create_app(platform=platform), raise_server_exceptions=False)
        )
        yield Console(platform, api)


@dataclass(frozen=True, slots=True)
class Merchant:
    id: str
    token: str
    page: TestClient  # signed in as the merchant's console user


@pytest.fixture
def merchant(console: Console) -> Iterator[Merchant]:
    yield from _merchant(console)


@pytest.fixture
def other(console: Console) -> Iterator[Merchant]:
    yield from _merchant(console)


def _merchant(console: Console) -> Iterator[Merchant]:
    created = make_merchant(console.platform.database)
    with TestClient(console.api.app, raise_server_exceptions=False) as page:
        user = make_user(console.platform.database, merchant_id=created.merchant_id)
        assert sign_in(page, user).status_code == 303
        yield Merchant(created.merchant_id, created.token, page)


def book(console: Console, merchant: Merchant, reference: str, **overrides: Any) -> dict[str, Any]:
    booked = console.api.post(
        "/v1/shipments",
        json=shipment_body(reference=reference, **overrides),
        headers=auth(merchant.token),
    )
    assert booked.status_code == 201, booked.text
    return dict(booked.json())


def listed(response: Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [html.unescape(reference) for _, reference in ROW_REFERENCE.findall(response.text)]


def test_each_filter_narrows_the_list_exactly(console: Console, merchant: Merchant) -> None:
    tag = uuid.uuid4().hex[:6].upper()
    us_1 = book(console, merchant, f"F{tag}-US-1")
    us_2 = book(console, merchant, f"F{tag}-US-2")
    book(console, merchant, f"F{tag}-BR-1", recipient=RECIPIENT_BR)
    book(console, merchant, f"G{tag}-US-1")
    cancelled = console.api.post(f"/v1/shipments/{us_2['id']}/cancel", headers=auth(merchant.token))
    assert cancelled.status_code == 200, cancelled.text
    page = merchant.page
    every = [f"G{tag}-US-1", f"F{tag}-BR-1", f"F{tag}-US-2", f"F{tag}-US-1"]  # newest first
    assert listed(page.get("/")) == every
    assert listed(page.get("/", params={"status": "cancelled"})) == [f"F{tag}-US-2"]
    assert listed(page.get("/", params={"destination": "br"})) == [f"F{tag}-BR-1"]
    assert listed(page.get("/", params={"destination": "Brazil"})) == [f"F{tag}-BR-1"]
    assert listed(page.get("/", params={"reference": f"F{tag}-US-1"})) == [f"F{tag}-US-1"]
    assert listed(page.get("/", params={"reference": f"F{tag}-US"})) == []  # exact by default
    prefixed = page.get("/", params={"reference": f"F{tag}-US", "reference_match": "prefix"})
    assert listed(prefixed) == [f"F{tag}-US-2", f"F{tag}-US-1"]
    assert listed(page.get("/", params={"reference": f"F{tag}", "reference_match": "prefix"})) == [
        f"F{tag}-BR-1", f"F{tag}-US-2", f"F{tag}-US-1",
    ]  # fmt: skip
    spaced = " ".join(us_1["tracking_number"].lower())  # typed loosely: blanks, lower case
    assert listed(page.get("/", params={"tracking_number": spaced})) == [f"F{tag}-US-1"]
    today = datetime.now(UTC).date()
    day = {"created_from": today.isoformat(), "created_to": today.isoformat()}
    assert listed(page.get("/", params=day)) == every
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert listed(page.get("/", params={"created_from": tomorrow})) == []
    yesterday = (today - timedelta(days=1)).isoformat()
    assert listed(page.get("/", params={"created_to": yesterday})) == []
    combined = page.get(
        "/", params={"destination": "US", "status": "booked", "reference": f"F{tag}",
                     "reference_match": "prefix", "created_from": today.isoformat()},
    )  # fmt: skip
    assert listed(combined) == [f"F{tag}-US-1"]
    assert 'value="booked" selected' in combined.text  # the form shows the filters again
    assert f'id="filter-reference" name="reference" value="F{tag}"' in combined.text
    empty = page.get("/", params={"tracking_number": "LX000000000CN"})
    assert listed(empty) == []
    assert "No shipments match these filters." in empty.text


def test_a_reference_prefix_is_literal_text(console: Console, merchant: Merchant) -> None:
    tag = uuid.uuid4().hex[:6].upper()
    for reference in (f"{tag}%_-1", f"{tag}XX-1", f"{tag}é-1", f"{tag}%_"):
        book(console, merchant, reference)
    query = {"reference_match": "prefix"}
    page = merchant.page
    assert listed(page.get("/", params={**query, "reference": f"{tag}%_"})) == [
        f"{tag}%_", f"{tag}%_-1",
    ]  # fmt: skip
    assert listed(page.get("/", params={**query, "reference": f"{tag}é"})) == [f"{tag}é-1"]
    assert listed(page.get("/", params={**query, "reference": tag.lower()})) == []  # case counts


@pytest.mark.parametrize(
    ("prefix", "bound"),
    [
        ("AB", "AC"),
        ("A9", "A:"),
        ("a\U0010ffff", "b"),
        ("\U0010ffff", None),
        ("x\ud7ff", "x\ue000"),
    ],
)
def test_a_prefix_bound_is_above_every_string_starting_with_it(
    prefix: str, bound: str | None
) -> None:
    assert prefix_bound(prefix) == bound


def test_paging_keeps_the_filters(console: Console, merchant: Merchant) -> None:
    tag = uuid.uuid4().hex[:6].upper()
    wanted = [book(console, merchant, f"P{tag}-{n:02d}")["reference"] for n in range(27)]
    book(console, merchant, f"Q{tag}-00")  # newest of all, but not matching the filter
    first = merchant.page.get("/", params={"reference": f"P{tag}", "reference_match": "prefix"})
    newest_first = list(reversed(wanted))
    assert listed(first) == newest_first[:25]
    link = re.search(r'<a href="([^"]+)" id="older-page">', first.text)
    assert link is not None
    target = html.unescape(link[1])
    assert target.startswith(f"/?reference=P{tag}&reference_match=prefix&cursor=")
    second = merchant.page.get(target)
    assert listed(second) == newest_first[25:]
    assert 'id="older-page"' not in second.text
    assert f'<a href="/?reference=P{tag}&amp;reference_match=prefix" id="newest-page">' in (
        second.text
    )


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"destination": "Atlantis"}, "destination", "Not a country we know"),
        ({"created_from": "2026-13-45"}, "created_from", "Give a date as YYYY-MM-DD"),
        ({"created_to": "yesterday"}, "created_to", "Give a date as YYYY-MM-DD"),
        ({"created_from": "2026-12-03", "created_to": "2026-12-01"}, "created_to",
         "The last day comes on or after the first day."),
        ({"status": "lost"}, "status", "Choose one of the listed statuses."),
        ({"tracking_number": "LX-12;DROP"}, "tracking_number", "letters and digits only"),
        ({"tracking_number": "LX١٢٣"}, "tracking_number", "letters and digits only"),
        ({"reference": "R" * 101}, "reference", "at most 100 characters"),
        ({"reference": "R", "reference_match": "fuzzy"}, "reference_match", "Choose"),
    ],
)  # fmt: skip
def test_bad_filter_input_is_named_at_its_field(
    console: Console, merchant: Merchant, query: dict[str, str], field: str, message: str
) -> None:
    book(console, merchant, f"BAD-{uuid.uuid4().hex[:6]}")
    response = merchant.page.get("/", params=query)
    assert response.status_code == 422
    error = re.search(rf'<p class="field-error" id="{field}-error">([^<]+)</p>', response.text)
    assert error is not None, response.text
    assert message in html.unescape(error[1])
    assert f'aria-invalid="true" aria-describedby="{field}-error"' in response.text
    assert listed_rows(response) == 0  # nothing is listed under a filter that was not applied


def listed_rows(response: Response) -> int:
    return len(ROW_REFERENCE.findall(response.text))


@pytest.mark.parametrize("field", ["reference", "tracking_number", "destination", "cursor"])
def test_a_control_character_in_a_filter_is_refused_by_name(merchant: Merchant, field: str) -> None:
    # The edge refuses control characters in any query before a page runs (a problem naming
    # the field); PostgreSQL could not even be asked about NUL.
    response = merchant.page.get("/", params={field: "A\x00B"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


HOSTILE = ["²", "١٢٣", "１２", "9" * 60, "-1", " ", "😀", "‮RLO", "x" * 5000, "'; --", "%_"]


def test_hostile_filter_values_answer_a_page(merchant: Merchant) -> None:
    answers = {
        (name, value): merchant.page.get("/", params={name: value}).status_code
        for name in ("status", "destination", "reference", "tracking_number", "created_from",
                     "created_to", "reference_match")
        for value in HOSTILE
    }  # fmt: skip
    assert set(answers.values()) == {200, 422}  # a page either way, never a 500
    assert answers[("reference", "x" * 5000)] == 422
    assert answers[("destination", "x" * 5000)] == 422
    assert answers[("created_from", "9" * 60)] == 422
    assert answers[("reference", "%_")] == 200


@pytest.mark.parametrize("cursor", ["not-a-cursor", "AAAA", "MjAyNi0xMi0wMXxzaHBfAA", "😀"])
def test_a_cursor_this_page_did_not_give_is_a_422_page(merchant: Merchant, cursor: str) -> None:
    # The last two: a naive time and an id with NUL ("2026-12-01|shp_\x00"), and an emoji.
    response = merchant.page.get("/", params={"cursor": cursor})
    assert response.status_code == 422
    assert "cursor: not a link this page gave" in response.text


def test_the_shipment_page_shows_the_parcel_route_events_and_estimate(
    console: Console, merchant: Merchant
) -> None:
    shipment = book(console, merchant, f"DETAIL-{uuid.uuid4().hex[:6]}")
    number = shipment["tracking_number"]
    legs = shipment["route"]["legs"]
    assert [(leg["from"], leg["to"], leg["mode"]) for leg in legs] == [
        ("SZX-SC", "HKG-HUB", "truck"), ("HKG-HUB", "ORD-ISC", "air"),
    ]  # fmt: skip
    left_at = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=8)
    posted_at, hub_at = left_at - timedelta(hours=7), left_at - timedelta(hours=2)
    operator = make_merchant(console.platform.database, role=Role.OPERATOR)
    fed = console.api.post(
        "/v1/tracking-events",
        json=[item(number, "EMA", posted_at, description="Posted in Shenzhen",
                   location={"facility": "SZX-SC", "city": "Shenzhen"}),
              item(number, "EMB", hub_at, description="At the Hong Kong hub",
                   location={"facility": "hkg-hub", "city": "Hong Kong"}),
              item(number, "EMC", left_at, description="Left China", city="Shenzhen Airport")],
        headers=auth(operator.token),
    )  # fmt: skip
    assert fed.status_code in (200, 202), fed.text
    page = merchant.page.get(f"/shipments/{shipment['id']}")
    assert page.status_code == 200
    text = page.text
    assert f"<h1>Shipment {shipment['reference']}</h1>" in text
    assert f'<code id="summary-tracking-number">{number}</code>' in text
    assert '<dd id="summary-status">in transit</dd>' in text  # the departure scan moved it on
    assert f"<code>{shipment['route']['product']}</code>" in text
    assert f"<code>{shipment['route']['partner']}</code>" in text
    recipient = re.search(r'<div id="recipient">\s*<p class="address">(.*?)</p>', text, re.S)
    assert recipient is not None
    assert (
        " ".join(recipient[1].split())
        == "Jane Doe <br>100 Congress Ave <br>78701 AUSTIN, TX <br>US"
    )
    assert "Li Wei<br>Shenzhen Gadgets Co" in text
    rows = re.findall(r'<tr id="leg-(\d+)">(.*?)</tr>', text, re.S)
    assert [int(n) for n, _ in rows] == [1, 2]
    actual = [re.findall(r"<td>(.*?)</td>", row, re.S) for _, row in rows]
    for (_, row), leg in zip(rows, legs, strict=True):
        assert f"<code>{leg['from']}</code> → <code>{leg['to']}</code>" in row
        planned = datetime.fromisoformat(leg["departs"].replace("Z", "+00:00"))
        assert f'<time datetime="{planned.isoformat()}">' in row

    def shown(moment: datetime) -> str:
        return f'<time datetime="{moment.isoformat()}">{moment:%Y-%m-%d %H:%M} UTC</time>'

    # The truck leg: posted at its origin, arrived at the hub's first scan (ids in any case).
    assert actual[0][1].startswith(shown(posted_at))
    assert actual[0][3].startswith(shown(hub_at))
    assert actual[0][4] == "arrived"
    # The flight: its departure is the "left the origin country" milestone, not the hub scan.
    assert actual[1][1].startswith(shown(left_at))
    assert actual[1][3] == '<span class="muted">–</span>'
    assert actual[1][4] == "under way"
    events = re.findall(r"<td>([^<]+) <span class=\"muted\">\(<code>(\w+)</code>\)", text)
    assert events == [
        ("Left China", "EMC"), ("At the Hong Kong hub", "EMB"), ("Posted in Shenzhen", "EMA"),
    ]  # fmt: skip
    tracker = console.api.get(f"/v1/trackers/{number}", headers=auth(merchant.token)).json()
    estimate = tracker.get("estimate") or shipment["promise"]
    assert f"<strong>{estimate['p50']}</strong>" in text
    assert f"<strong>{estimate['p90']}</strong>" in text
    history = re.search(r'<table id="estimate-history">.*?<tbody>(.*?)</tbody>', text, re.S)
    shown_history = (
        re.findall(r"<tr><td>.*?</td><td>([\d-]+)</td><td>([\d-]+)</td>", history[1], re.S)
        if history
        else []
    )
    assert shown_history == [(e["p50"], e["p90"]) for e in tracker["estimate_history"]]
    assert len(shown_history) == 2  # both estimates recorded so far, oldest first
    assert "Not sent yet: the hand-over job sends the advance data" in text
    for label_format in ("pdf", "zpl", "png"):
        href = f'href="/shipments/{shipment["id"]}/label?format={label_format}" download'
        assert href in text
    assert "it can no longer be cancelled" in text


def test_labels_download_as_attachments(console: Console, merchant: Merchant) -> None:
    shipment = book(console, merchant, f"LABEL-{uuid.uuid4().hex[:6]}")
    number = shipment["tracking_number"]
    pdf = merchant.page.get(f"/shipments/{shipment['id']}/label", params={"format": "pdf"})
    assert pdf.status_code == 200
    assert pdf.content[:4] == b"%PDF"
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"] == f'attachment; filename="{number}.pdf"'
    zpl = merchant.page.get(f"/shipments/{shipment['id']}/label", params={"format": "zpl"})
    assert zpl.status_code == 200
    assert zpl.content.startswith(b"^XA")
    assert zpl.headers["content-disposition"] == f'attachment; filename="{number}.zpl"'
    png = merchant.page.get(f"/shipments/{shipment['id']}/label", params={"format": "png"})
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    bad = merchant.page.get(f"/shipments/{shipment['id']}/label", params={"format": "docx"})
    assert bad.status_code == 422
    assert "format: a label is one of pdf, zpl, png." in bad.text
    # Printing the label moved the shipment on, as through the API.
    page = merchant.page.get(f"/shipments/{shipment['id']}")
    assert '<dd id="summary-status">label created</dd>' in page.text


def test_cancelling_and_cancelling_again(console: Console, merchant: Merchant) -> None:
    shipment = book(console, merchant, f"CANCEL-{uuid.uuid4().hex[:6]}")
    path = f"/shipments/{shipment['id']}"
    token = csrf_token(merchant.page.get(path).text)
    done = merchant.page.post(f"{path}/cancel", data={"csrf_token": token}, follow_redirects=False)
    assert (done.status_code, done.headers["location"]) == (303, f"{path}?cancelled=1")
    page = merchant.page.get(done.headers["location"])
    assert f"Shipment {shipment['reference']} is cancelled." in page.text
    assert '<dd id="summary-status">cancelled</dd>' in page.text
    assert 'id="cancel-form"' not in page.text
    assert "A cancelled shipment has no label." in page.text
    again = merchant.page.post(f"{path}/cancel", data={"csrf_token": token})
    assert again.status_code == 409
    assert f"Shipment {shipment['reference']} ({shipment['tracking_number']}) was already " in (
        again.text
    )
    label = merchant.page.get(f"{path}/label", params={"format": "pdf"})
    assert label.status_code == 422
    assert "is cancelled: no label can be printed" in label.text


def test_a_handed_over_shipment_cannot_be_cancelled(console: Console, merchant: Merchant) -> None:
    shipment = book(console, merchant, f"GONE-{uuid.uuid4().hex[:6]}")
    with console.platform.database.unit_of_work() as uow:  # as the hand-over job leaves it
        stored = ShipmentRepository(uow.session).get(shipment["id"], merchant_id=merchant.id)
        assert stored is not None
        stored.status = ShipmentStatus.IN_TRANSIT.value
        uow.commit()
    path = f"/shipments/{shipment['id']}"
    page = merchant.page.get(path)
    assert "it can no longer be cancelled" in page.text
    refused = merchant.page.post(f"{path}/cancel", data={"csrf_token": csrf_token(page.text)})
    assert refused.status_code == 409
    assert (
        f"shipment {shipment['id']} is in_transit; only booked shipments whose label has not been "
        "handed over can be cancelled"
    ) in refused.text


def test_another_merchants_shipment_is_not_found(
    console: Console, merchant: Merchant, other: Merchant
) -> None:
    theirs = book(console, other, f"THEIRS-{uuid.uuid4().hex[:6]}")
    path = f"/shipments/{theirs['id']}"
    token = csrf_token(merchant.page.get("/").text)
    answers = [
        merchant.page.get(path),
        merchant.page.get(f"{path}/label", params={"format": "pdf"}),
        merchant.page.post(f"{path}/cancel", data={"csrf_token": token}),
        merchant.page.get("/shipments/shp_does_not_exist"),
        merchant.page.get("/shipments/shp_%E2%80%AE"),  # an id no shipment can have
    ]
    assert [a.status_code for a in answers] == [404] * 5
    assert [NOT_YOURS in a.text for a in answers] == [True] * 5
    assert (
        listed(merchant.page.get("/", params={"tracking_number": theirs["tracking_number"]})) == []
    )
    mine = console.api.get(f"/v1/shipments/{theirs['id']}", headers=auth(other.token))
    assert mine.json()["status"] == "booked"  # the cancel did nothing


def test_cancel_without_the_csrf_token_is_refused(console: Console, merchant: Merchant) -> None:
    shipment = book(console, merchant, f"CSRF-{uuid.uuid4().hex[:6]}")
    path = f"/shipments/{shipment['id']}/cancel"
    assert merchant.page.post(path).status_code == 403
    assert merchant.page.post(path, data={"csrf_token": "forged"}).status_code == 403
    stored = console.api.get(f"/v1/shipments/{shipment['id']}", headers=auth(merchant.token))
    assert stored.json()["status"] == "booked"


def test_an_operator_opens_any_merchants_shipment(console: Console, merchant: Merchant) -> None:
    shipment = book(console, merchant, f"OPS-{uuid.uuid4().hex[:6]}")
    with TestClient(console.api.app, raise_server_exceptions=False) as operator:
        sign_in(operator, make_user(console.platform.database))
        page = operator.get(f"/shipments/{shipment['id']}")
        assert page.status_code == 200
        assert f"<dd><code>{merchant.id}</code></dd>" in page.text
        found = operator.get("/", params={"tracking_number": shipment["tracking_number"]})
        assert listed(found) == [shipment["reference"]]
        anonymous = TestClient(console.api.app)
        away = anonymous.get(f"/shipments/{shipment['id']}", follow_redirects=False)
        assert away.headers["location"] == f"/login?next=/shipments/{shipment['id']}"
