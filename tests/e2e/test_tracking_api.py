"""Tracking through HTTP: the canonical feed (operators, problem+json naming the item's field,
nothing stored from a rejected request), trackers (merchant-scoped), unmapped codes,
exceptions, and the public page (four languages, escaped, no personal data, strict headers)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from fastapi.testclient import TestClient

from tests.builders import shipment_body
from tests.e2e.conftest import auth
from tests.integration.test_tracking_ingest import fresh_s10, item


def book(client: TestClient, key: str) -> dict[str, Any]:
    response = client.post("/v1/shipments", json=shipment_body(), headers=auth(key))
    assert response.status_code == 201, response.text
    return dict(response.json())


def feed(client: TestClient, key: str, items: list[dict[str, Any]], *, lines: bool = False) -> Any:
    if lines:
        body = b"\n".join(orjson.dumps(i) for i in items) + b"\n"
        headers = {**auth(key), "Content-Type": "application/x-ndjson"}
        return client.post("/v1/tracking-events", content=body, headers=headers)
    return client.post("/v1/tracking-events", json=items, headers=auth(key))


def soon(hours: float) -> datetime:
    return datetime.now(UTC) + timedelta(hours=hours)


def test_the_feed_needs_an_operator_key(client: TestClient, merchant_key: str) -> None:
    response = feed(client, merchant_key, [item(fresh_s10(), "EMA", soon(1))])
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_a_json_array_and_json_lines_are_counted(client: TestClient, operator_key: str) -> None:
    number = fresh_s10()
    posted = soon(1)  # one instant: the copies must share their minute to be duplicates
    first = feed(client, operator_key, [item(number, "EMA", posted), item(number, "EMA", posted)])
    assert first.status_code == 202, first.text
    assert first.json() == {
        "received": 2,
        "accepted": 1,
        "duplicates": 1,
        "unmatched": 1,
        "unmapped": 0,
    }
    second = feed(
        client, operator_key,
        [item(number, "EMA", posted), item(number, "QQ", soon(2), partner="USPS")], lines=True,
    )  # fmt: skip
    assert second.status_code == 202, second.text
    assert second.json() == {
        "received": 2,
        "accepted": 1,
        "duplicates": 1,
        "unmatched": 1,
        "unmapped": 1,
    }


def test_a_bad_item_is_named_and_nothing_of_the_request_is_stored(
    client: TestClient, operator_key: str
) -> None:
    number = fresh_s10()
    good = item(number, "EMA", soon(1))
    bad = item(number, "EMB", soon(2))
    bad["occurred_at"] = "2026-05-01T08:00:00"  # no offset
    extra = {**item(number, "EMC", soon(3)), "colour": "red"}
    response = feed(client, operator_key, [good, good, bad, extra])
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert [(e["field"], e["code"]) for e in body["errors"]] == [
        ("[2].occurred_at", "invalid_time"), ("[3].colour", "extra_forbidden"),
    ]  # fmt: skip
    assert body["detail"] == "2 problems: [2].occurred_at, [3].colour"
    operator_read = client.get(f"/v1/trackers/{number}", headers=auth(operator_key))
    assert operator_read.status_code == 404
    retry = feed(client, operator_key, [good])
    assert retry.json()["accepted"] == 1


def test_malformed_json_lines_are_a_400(client: TestClient, operator_key: str) -> None:
    response = client.post(
        "/v1/tracking-events", content=b'{"tracking_number": "X"\n',
        headers={**auth(operator_key), "Content-Type": "application/x-ndjson"},
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"
    assert response.json()["errors"][0]["field"] == "[0]"


def test_a_booked_parcels_tracker_for_its_merchant_only(
    client: TestClient, merchant_key: str, other_merchant_key: str, operator_key: str
) -> None:
    shipment = book(client, merchant_key)
    number = shipment["tracking_number"]
    pending = client.get(f"/v1/trackers/{number}", headers=auth(merchant_key)).json()
    assert (pending["status"], pending["events"], pending["shipment_id"]) == (
        "pending",
        [],
        shipment["id"],
    )
    feed(client, operator_key, [
        item(number, "EMA", soon(1), description="Posted in Shenzhen"),
        item(number, "EMC", soon(8), description="Left China", city="Shenzhen Airport"),
    ])  # fmt: skip
    response = client.get(f"/v1/trackers/{number}", headers=auth(merchant_key))
    assert response.status_code == 200
    tracker = response.json()
    assert (tracker["status"], tracker["milestone"], tracker["action"]) == (
        "in_transit", "departed_origin_country", "none",
    )  # fmt: skip
    assert [(e["code"], e["description"]) for e in tracker["events"]] == [
        ("EMC", "Left China"), ("EMA", "Posted in Shenzhen"),
    ]  # fmt: skip
    assert shipment["promise"] is not None
    assert tracker["promise"] == shipment["promise"]
    other = client.get(f"/v1/trackers/{number}", headers=auth(other_merchant_key))
    assert other.status_code == 404
    assert other.headers["content-type"] == "application/problem+json"
    listed = client.get("/v1/trackers?status=in_transit", headers=auth(merchant_key)).json()
    assert [t["tracking_number"] for t in listed["items"]] == [number]
    assert client.get("/v1/trackers", headers=auth(other_merchant_key)).json()["items"] == []


def test_listing_pages_with_a_cursor(
    client: TestClient, merchant_key: str, operator_key: str
) -> None:
    numbers = [fresh_s10() for _ in range(3)]
    for number in numbers:
        assert (
            client.post(
                "/v1/trackers", json={"tracking_number": number}, headers=auth(merchant_key)
            ).status_code
            == 201
        )
    first = client.get("/v1/trackers?limit=2", headers=auth(merchant_key)).json()
    second = client.get(
        f"/v1/trackers?limit=2&cursor={first['next_cursor']}", headers=auth(merchant_key)
    ).json()
    assert [t["tracking_number"] for t in first["items"] + second["items"]] == numbers
    assert second["next_cursor"] is None


def test_tracking_a_number_detects_its_carrier(client: TestClient, merchant_key: str) -> None:
    number = fresh_s10()
    created = client.post(
        "/v1/trackers", json={"tracking_number": number}, headers=auth(merchant_key)
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["carrier"], body["status"], body["candidates"][0]["format"]) == (
        "upu_post",
        "pending",
        "s10",
    )
    again = client.post(
        "/v1/trackers", json={"tracking_number": number}, headers=auth(merchant_key)
    )
    assert (again.status_code, again.json()["id"]) == (200, body["id"])
    bad = client.post("/v1/trackers", json={"tracking_number": "HELLO"}, headers=auth(merchant_key))
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "tracking_number"


def test_unmapped_codes_and_exceptions_for_operators(
    client: TestClient, merchant_key: str, operator_key: str
) -> None:
    held, silent, code = fresh_s10(), fresh_s10(), f"Z{fresh_s10()[2:8]}"
    for number in (held, silent):
        client.post("/v1/trackers", json={"tracking_number": number}, headers=auth(merchant_key))
    feed(client, operator_key, [
        item(held, "EMD", soon(-30)), item(held, "EME", soon(-20)),
        item(silent, "EMC", datetime.now(UTC) - timedelta(days=30)),
        item(silent, code, datetime.now(UTC) - timedelta(days=29), partner="correos", description="¿?"),
        item(silent, "EMC", datetime.now(UTC) - timedelta(days=28)),
    ])  # fmt: skip
    codes = client.get("/v1/tracking/unmapped-codes", headers=auth(operator_key)).json()["items"]
    mine = [c for c in codes if c["code"] == code]
    assert [(c["partner"], c["code_scheme"], c["event_count"], c["example_text"]) for c in mine] == [
        ("correos", "upu", 1, "¿?"),
    ]  # fmt: skip
    assert client.get("/v1/tracking/unmapped-codes", headers=auth(merchant_key)).status_code == 403
    found = {}
    cursor = ""
    while True:
        page = client.get(f"/v1/exceptions?limit=50{cursor}", headers=auth(operator_key)).json()
        found.update({e["tracking_number"]: e for e in page["items"]})
        if page["next_cursor"] is None:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert [(a["kind"], a["action"]) for a in found[held]["alerts"]] == [
        ("customs_hold", "operator")
    ]
    assert [(a["kind"], a["action"], a["detail"]) for a in found[silent]["alerts"]] == [
        ("no_scan", "operator", "no scan for 28 days (departed_origin_country allows 7)"),
    ]  # fmt: skip


def test_the_public_page_escapes_texts_and_shows_nothing_personal(
    client: TestClient, merchant_key: str, operator_key: str
) -> None:
    shipment = book(client, merchant_key)
    number = shipment["tracking_number"]
    feed(client, operator_key, [
        item(number, "EMA", soon(1), description="<script>alert(1)</script> posted"),
        item(number, "EMD", soon(30), city="New York"),
    ])  # fmt: skip
    page = client.get(f"/t/{number}?lang=es")
    assert page.status_code == 200
    html = page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; posted" in html
    assert "<script>" not in html
    assert "En tránsito" in html
    assert "En el país de destino" in html
    for personal in (
        "Jane Doe",
        "100 Congress Ave",
        "512-555-0100",
        "5125550100",
        "jane@example.com",
    ):
        assert personal not in html
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["content-security-policy"].startswith(
        "default-src 'none'; style-src 'nonce-"
    )
    chinese = client.get(
        f"/t/{number}", headers={"Accept-Language": "fr;q=1, zh-CN;q=0.8, en;q=0.5"}
    )
    assert '<html lang="zh">' in chinese.text
    assert "运输中" in chinese.text
    portuguese = client.get(f"/t/{number}?lang=pt")
    assert "Em trânsito" in portuguese.text
    missing = client.get(f"/t/{fresh_s10()}")
    assert missing.status_code == 404
    assert "We have no parcel with this tracking number." in missing.text
    untracked = fresh_s10()
    feed(client, operator_key, [item(untracked, "EMA", soon(1))])
    assert client.get(f"/t/{untracked}").status_code == 404
