"""The partner sandbox through HTTP: USPS OAuth, labels, tracking and signed subscription
webhooks; the UPU-style advance data and pull feed; origin pre-alerts; the clock; faults."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from postbridge.carriers.usps.wire import parse_label_metadata, parse_tracking_detail
from postbridge.identifiers.impb import is_valid_impb
from postbridge.sandbox.app import create_sandbox_app
from postbridge.sandbox.sandbox import build_sandbox
from tests.unit.sandbox.builders import LABEL_REQUEST, MESSAGE, prealert_parcel

START = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
ORIGIN = {"Authorization": "Bearer sandbox-origin-key"}
POST_KEY = {"Authorization": "Bearer sandbox-post-key"}
SECRET = "MySecretKeyPhraseIs32BytesLength"
Sent = list[tuple[str, bytes, dict[str, str]]]


@pytest.fixture
def sent() -> Sent:
    return []


@pytest.fixture
def client(sent: Sent) -> Iterator[TestClient]:
    def capture(url: str, body: bytes, headers: dict[str, str]) -> bool:
        sent.append((url, body, headers))
        return True

    sandbox = build_sandbox(url="sqlite://", seed=11, start=START, sender=capture)
    with TestClient(create_sandbox_app(sandbox)) as test_client:
        yield test_client


def _token(client: TestClient) -> dict[str, str]:
    response = client.post(
        "/usps/oauth2/v3/token",
        data={"grant_type": "client_credentials", "client_id": "sandbox-client",
              "client_secret": "sandbox-secret"},
    )  # fmt: skip
    assert response.status_code == 200
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _us_message() -> dict[str, Any]:
    message = json.loads(json.dumps(MESSAGE))
    message["destination_country"] = "US"
    message["addressee"] |= {"city": "Austin", "region": "TX", "postal_code": "78701",
                             "country": "US", "street_lines": ["100 Congress Ave"]}  # fmt: skip
    return message


def _send_advance_data(client: TestClient, post: str, message: dict[str, Any]) -> None:
    answer = client.post(f"/upu/{post}/v1/items", json={"messages": [message]}, headers=POST_KEY)
    assert answer.json()["results"][0]["status"] == "accepted"


def _advance(client: TestClient, **step: float) -> dict[str, Any]:
    response = client.post("/sandbox/v1/clock/advance", json=step)
    assert response.status_code == 200
    return response.json()


def test_a_wrong_secret_is_401_invalid_client(client: TestClient) -> None:
    response = client.post(
        "/usps/oauth2/v3/token",
        json={"grant_type": "client_credentials", "client_id": "sandbox-client",
              "client_secret": "guess"},
    )  # fmt: skip

    assert response.status_code == 401
    assert response.json() == {
        "error": "invalid_client",
        "error_description": "Client authentication failed",
    }
    assert response.headers["WWW-Authenticate"].startswith("Bearer realm=")


def test_tokens_expire_on_the_sandbox_clock(client: TestClient) -> None:
    headers = _token(client)
    assert (
        client.get(
            "/usps/tracking/v3r2/tracking/9400100000000000000000", headers=headers
        ).status_code
        == 404
    )

    _advance(client, hours=8)

    expired = client.get("/usps/tracking/v3r2/tracking/9400100000000000000000", headers=headers)
    assert expired.status_code == 401
    assert expired.json() == {
        "apiVersion": "3.2.2",
        "error": {"code": "401", "message": "Invalid or expired access token"},
    }


def test_oauth_label_prealert_clock_tracking_and_signed_webhooks(
    client: TestClient, sent: Sent
) -> None:
    headers = _token(client)
    label = client.post("/usps/labels/v3/label", json=LABEL_REQUEST, headers=headers)
    assert label.status_code == 200
    receipt = parse_label_metadata(label.content)
    number = receipt.tracking_number
    assert (number, receipt.routing_information) == ("9300190201500000000017", "42078701")
    assert is_valid_impb(number)
    subscription = client.post(
        "/usps/subscriptions-tracking/v3r2/subscriptions",
        headers=headers,
        json={"listenerURL": "http://127.0.0.1:8000/partners/usps/notifications", "secret": SECRET,
              "adminNotification": [{"email": "ops@example.com"}],
              "filterProperties": {"trackingNumber": number, "trackingEventTypes": ["ALL_UPDATES"]}},
    )  # fmt: skip
    assert subscription.status_code == 201
    assert "secret" not in subscription.json()

    _send_advance_data(client, "USPS", _us_message())  # posts give USPS the data too
    alert = client.post(
        "/origin/v1/prealerts",
        json={"parcels": [prealert_parcel(partner_tracking_number=number)]},
        headers=ORIGIN,
    )
    assert alert.status_code == 202
    assert alert.json() == {"parcels": [{"tracking_number": "LX123456785CN", "status": "expected"}]}
    assert _advance(client, hours=24)["now"] == "2026-12-02T00:00:00Z"

    headers = _token(client)  # the first token has expired by now
    early = parse_tracking_detail(
        client.get(f"/usps/tracking/v3r2/tracking/{number}", headers=headers).content
    )
    assert [event.event_code for event in early.events] == ["82", "81", "80"]

    moved = _advance(client, hours=24 * 6)
    assert moved["now"] == "2026-12-08T00:00:00Z"
    headers = _token(client)
    response = client.get(f"/usps/tracking/v3r2/tracking/{number}", headers=headers)
    tracking = parse_tracking_detail(response.content)
    assert [(event.event_code, event.local_offset_minutes) for event in tracking.events] == [
        ("01", -360), ("OF", -360), ("07", -360), ("10", -360), ("EF", -480), ("03", -480),
        ("82", 480), ("81", 480), ("82", 480), ("81", 480), ("80", 480),
    ]  # fmt: skip
    delivered = tracking.events[0]
    assert delivered.occurred_at == datetime(2026, 12, 6, 0, 19, 13, tzinfo=UTC)
    assert delivered.local_timestamp == "2026-12-05T18:19:13"
    assert response.json()["status"] == "Delivered, In/At Mailbox"
    assert (response.json()["statusCategory"], response.json()["originCountry"]) == (
        "Delivered",
        "CN",
    )

    # Every emitted scan was pushed to the listener, signed as the subscriptions spec says.
    assert len(sent) == 11
    for url, body, sent_headers in sent:
        assert url == "http://127.0.0.1:8000/partners/usps/notifications"
        notification = json.loads(body)
        expected = base64.b64encode(
            hmac.new(
                SECRET.encode(),
                (notification["timestamp"] + notification["payload"]).encode(),
                hashlib.sha256,
            ).digest()
        ).decode()
        assert sent_headers["X-HMAC"] == expected
        assert json.loads(notification["payload"])["trackingNumber"] == number
    pushed = [
        json.loads(json.loads(body)["payload"])["trackingEvents"][0]["eventCode"]
        for _, body, _ in sent
    ]
    assert sorted(pushed) == sorted(event.event_code for event in tracking.events)


def test_the_batch_tracks_at_most_35_numbers_and_reports_unknown_ones(client: TestClient) -> None:
    headers = _token(client)
    too_many = [{"trackingNumber": f"9400100000000000000{index:03d}"} for index in range(36)]

    refused = client.post("/usps/tracking/v3r2/tracking", json=too_many, headers=headers)
    mixed = client.post("/usps/tracking/v3r2/tracking", json=too_many[:2], headers=headers)

    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == "At most 35 tracking numbers per request"
    assert mixed.status_code == 207
    assert [entry["statusCode"] for entry in mixed.json()] == ["404", "404"]


def test_a_label_request_missing_fields_is_400_with_each_field(client: TestClient) -> None:
    request = {key: value for key, value in LABEL_REQUEST.items() if key != "toAddress"}

    response = client.post("/usps/labels/v3/label", json=request, headers=_token(client))

    assert response.status_code == 400
    assert response.json()["error"]["errors"] == [
        {"status": "400", "code": "OASValidation", "title": "Invalid request",
         "detail": "is required", "source": {"parameter": "toAddress"}},
    ]  # fmt: skip


def test_advance_data_accepted_rejected_with_reasons_and_replaced_by_item_id(
    client: TestClient,
) -> None:
    bad = json.loads(json.dumps(MESSAGE))
    bad["item_id"] = "LX123456799CN"
    bad["items"][0]["hs_code"] = ""
    bad["addressee"]["name"] = "王芳"

    response = client.post(
        "/upu/CORREOS/v1/items", json={"messages": [MESSAGE, bad]}, headers=POST_KEY
    )

    assert response.status_code == 200
    assert response.json() == {
        "results": [
            {"item_id": "LX123456785CN", "status": "accepted"},
            {"item_id": "LX123456799CN", "status": "rejected", "reasons": [
                {"code": "addressee_name_not_latin", "field": "addressee.name",
                 "message": "the name must be in Latin script"},
                {"code": "hs_code_missing", "field": "items[0].hs_code",
                 "message": "every item needs an HS code"},
            ]},
        ]
    }  # fmt: skip
    fixed = json.loads(json.dumps(bad))
    fixed["items"][0]["hs_code"] = "610910"
    fixed["addressee"]["name"] = "Wang Fang"
    again = client.post("/upu/CORREOS/v1/items", json={"messages": [fixed]}, headers=POST_KEY)
    assert again.json() == {"results": [{"item_id": "LX123456799CN", "status": "accepted"}]}


def test_the_exchange_wants_its_bearer_key(client: TestClient) -> None:
    response = client.get("/upu/CORREOS/v1/events", headers={"Authorization": "Bearer nope"})

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "not_authenticated"


def test_the_pull_feed_pages_with_cursors_and_never_skips_a_late_event(client: TestClient) -> None:
    _send_advance_data(client, "CORREOS", MESSAGE)
    parcel = prealert_parcel(partner="CORREOS", country="ES", postal_code="28013")
    assert (
        client.post("/origin/v1/prealerts", json={"parcels": [parcel]}, headers=ORIGIN).status_code
        == 202
    )
    _advance(client, hours=24 * 20)

    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 5} | ({"after": cursor} if cursor else {})
        page = client.get("/upu/CORREOS/v1/events", params=params, headers=POST_KEY).json()
        if not page["events"]:
            assert page["next_cursor"] == cursor  # nothing new: keep the cursor
            break
        seen += page["events"]
        cursor = page["next_cursor"]

    codes = [event["event_code"] for event in seen]
    assert sorted(set(codes)) == sorted(
        {
            "EMA",
            "EMB",
            "EXA",
            "EMC",
            "EMJ",
            "EMK",
            "EMD",
            "EDB",
            "EDC",
            "EMF",
            "EDD",
            "EMG",
            "EDG",
            "EMI",
        }
    )
    assert len({event["event_id"] for event in seen}) == 16  # every scan, once or more
    assert cursor == str(len(seen))
    assert seen[0]["item_id"] == "LX123456785CN"
    invalid = client.get("/upu/CORREOS/v1/events", params={"after": "evt-1"}, headers=POST_KEY)
    assert invalid.status_code == 400


def test_faults_answer_500_then_429_with_retry_after_then_recover(client: TestClient) -> None:
    assert (
        client.post(
            "/sandbox/v1/faults", json={"partner": "CORREOS", "status": 500, "minutes": 10}
        ).status_code
        == 201
    )
    queued = client.post(
        "/sandbox/v1/faults",
        json={"partner": "CORREOS", "status": 429, "retry_after_s": 30, "minutes": 5},
    )
    assert (queued.json()["starts"], queued.json()["ends"]) == (
        "2026-12-01T00:10:00Z", "2026-12-01T00:15:00Z",
    )  # fmt: skip

    down = client.get("/upu/CORREOS/v1/events", headers=POST_KEY)
    other_post = client.get("/upu/SINGPOST/v1/events", headers=POST_KEY)
    _advance(client, minutes=10)
    limited = client.get("/upu/CORREOS/v1/events", headers=POST_KEY)
    _advance(client, minutes=5)
    back = client.get("/upu/CORREOS/v1/events", headers=POST_KEY)

    assert down.status_code == 500
    assert down.json()["code"] == "simulated_outage"
    assert other_post.status_code == 200
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "30"
    assert back.status_code == 200


def test_a_usps_outage_answers_in_usps_shape(client: TestClient) -> None:
    client.post("/sandbox/v1/faults", json={"partner": "USPS", "status": 503, "minutes": 1})

    response = client.post("/usps/oauth2/v3/token", data={"grant_type": "client_credentials"})

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.json()["error"] == {"code": "503", "message": "Simulated outage"}


def test_a_prealert_that_breaks_the_contract_is_422_naming_the_field(client: TestClient) -> None:
    parcel = prealert_parcel()
    parcel["weight_g"] = "500"

    response = client.post("/origin/v1/prealerts", json={"parcels": [parcel]}, headers=ORIGIN)

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["parcels.0.weight_g"]


def test_the_clock_starts_where_it_was_told(client: TestClient) -> None:
    assert client.get("/sandbox/v1/clock").json() == {"now": "2026-12-01T00:00:00Z"}


def test_inspection_shows_what_a_post_received_and_a_parcels_whole_story(
    client: TestClient,
) -> None:
    client.post("/upu/CORREOS/v1/items", json={"messages": [MESSAGE]}, headers=POST_KEY)
    parcel = prealert_parcel(partner="CORREOS", country="ES", postal_code="28013")
    client.post("/origin/v1/prealerts", json={"parcels": [parcel]}, headers=ORIGIN)

    received = client.get("/sandbox/v1/advance-data/CORREOS/LX123456785CN").json()
    story = client.get("/sandbox/v1/parcels/LX123456785CN").json()

    assert received == {
        "message": MESSAGE,
        "result": {"item_id": "LX123456785CN", "status": "accepted"},
    }
    assert (story["fate"], story["reports_emitted"], len(story["scans"])) == ("delivered", 0, 16)
    assert story["scans"][0] == {
        "step": "accepted", "at": "2026-12-01T15:48:39Z", "office": "CNHGHA", "reason": None,
    }  # fmt: skip
    assert client.get("/sandbox/v1/parcels/LX000000000CN").status_code == 404


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_cli_serves_the_sandbox_and_moves_its_clock(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    env = os.environ | {"POSTBRIDGE_SANDBOX_URL": url, "POSTBRIDGE_VAR_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "postbridge.cli.main", "sandbox"]
    server = subprocess.Popen(
        [*command, "serve", "--start", "2026-12-01T00:00", "--seed", "5"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                httpx.get(f"{url}/sandbox/v1/clock", timeout=1.0)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        moved = subprocess.run(
            [*command, "advance", "--hours", "2"], env=env, capture_output=True, text=True,
            timeout=60, check=False,
        )  # fmt: skip
    finally:
        server.terminate()
        server.wait(10)

    assert moved.returncode == 0, moved.stderr
    assert moved.stdout.strip() == (
        "now 2026-12-01T02:00:00Z: 0 events emitted, 0 webhook notifications delivered"
    )
    assert (tmp_path / "sandbox.db").exists()


def test_simulate_prints_a_line_per_lane_and_the_cost(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "postbridge.cli.main", "simulate", "--parcels", "2000", "--days", "2"],
        env=os.environ | {"POSTBRIDGE_VAR_DIR": str(tmp_path)}, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert [line.split()[0] for line in lines[1:6]] == [
        "USPS", "CORREOS", "SINGPOST", "CORREIOS", "CORREOSMX",
    ]  # fmt: skip
    assert lines[-1].startswith("2000 parcels over 2 days in ")


def test_a_flaky_sandbox_answers_500_and_429_now_and_then_at_the_models_rates() -> None:
    sandbox = build_sandbox(url="sqlite://", seed=11, start=START)
    with TestClient(create_sandbox_app(sandbox, flaky=True)) as flaky:
        answers = [flaky.get("/upu/CORREOS/v1/events", headers=POST_KEY) for _ in range(1000)]

    statuses = [answer.status_code for answer in answers]
    # reality.yaml: 1 % answered 500, 2 % 429; this seed's draws, pinned.
    assert (statuses.count(500), statuses.count(429)) == (12, 17)
    assert {a.headers["Retry-After"] for a in answers if a.status_code == 429} == {"2"}
    assert statuses.count(200) == 971


def test_a_mailer_id_subscription_gets_the_scans_of_that_mailers_numbers_only(
    client: TestClient, sent: Sent
) -> None:
    headers = _token(client)
    number = client.post("/usps/labels/v3/label", json=LABEL_REQUEST, headers=headers).json()[
        "trackingNumber"
    ]
    for mailer_id, listener in (
        ("902015", "http://listener/ours"),
        ("901234", "http://listener/other"),
    ):
        subscribed = client.post(
            "/usps/subscriptions-tracking/v3r2/subscriptions",
            headers=headers,
            json={"listenerURL": listener, "secret": SECRET,
                  "adminNotification": [{"email": "ops@example.com"}],
                  "filterProperties": {"MID": mailer_id}},
        )  # fmt: skip
        assert subscribed.status_code == 201
    _send_advance_data(client, "USPS", _us_message())
    client.post(
        "/origin/v1/prealerts",
        json={"parcels": [prealert_parcel(partner_tracking_number=number)]},
        headers=ORIGIN,
    )

    _advance(client, hours=24 * 7)

    assert {url for url, _, _ in sent} == {"http://listener/ours"}
    assert len(sent) == 11


def test_a_subscription_needs_a_32_character_secret_and_a_filter(client: TestClient) -> None:
    response = client.post(
        "/usps/subscriptions-tracking/v3r2/subscriptions",
        headers=_token(client),
        json={"listenerURL": "ftp://x", "secret": "short", "adminNotification": []},
    )

    assert response.status_code == 400
    assert [error["source"]["parameter"] for error in response.json()["error"]["errors"]] == [
        "listenerURL", "secret", "adminNotification", "filterProperties",
    ]  # fmt: skip


def test_an_item_without_advance_data_is_held_at_the_exchange_until_the_data_comes(
    client: TestClient,
) -> None:
    parcel = prealert_parcel(partner="CORREOS", country="ES", postal_code="28013")
    client.post("/origin/v1/prealerts", json={"parcels": [parcel]}, headers=ORIGIN)

    _advance(client, hours=24 * 20)
    held = client.get("/upu/CORREOS/v1/events", params={"limit": 1000}, headers=POST_KEY).json()
    _send_advance_data(client, "CORREOS", MESSAGE)
    _advance(client, hours=24 * 20)
    after = client.get(
        "/upu/CORREOS/v1/events", params={"after": held["next_cursor"]}, headers=POST_KEY
    ).json()

    codes = [event["event_code"] for event in held["events"]]
    assert codes[-2:] == ["EMD", "EDA"]  # nothing after the hold
    hold = held["events"][-1]
    assert (hold["reason_code"], hold["office"]["code"]) == ("no_advance_data", "ESMADB")
    assert [event["event_code"] for event in after["events"]][:2] == ["EDB", "EDC"]
    assert after["events"][-1]["event_code"] == "EMI"
    # Released on 21 Dec, when the data came: customs and the last mile start from there.
    assert after["events"][0]["local_time"] > "2026-12-21T00:00:00"
    assert client.get("/sandbox/v1/parcels/LX123456785CN").json()["hold"] == "released"


def test_a_post_without_the_hold_rule_lets_the_item_through() -> None:
    sandbox = build_sandbox(url="sqlite://", seed=11, start=START)
    with TestClient(create_sandbox_app(sandbox)) as client:
        parcel = prealert_parcel(partner="POSTNL", country="NL", postal_code="1012")
        client.post("/origin/v1/prealerts", json={"parcels": [parcel]}, headers=ORIGIN)
        _advance(client, hours=24 * 30)
        events = client.get("/upu/POSTNL/v1/events", params={"limit": 100}, headers=POST_KEY)

    codes = [event["event_code"] for event in events.json()["events"]]
    assert "EDA" not in codes
    assert "EMI" in codes  # delivered (reports may come out of order: not always the last)


def test_bad_parameters_and_bodies_are_400_problems(client: TestClient) -> None:
    too_long = client.get("/upu/CORREOS/v1/events", params={"limit": 5000}, headers=POST_KEY)
    not_json = client.post("/origin/v1/prealerts", content=b"{", headers=ORIGIN)

    assert too_long.status_code == 400
    assert too_long.json()["errors"] == [
        {"field": "query.limit", "message": "Input should be less than or equal to 1000"}
    ]
    assert (not_json.status_code, not_json.json()["code"]) == (400, "malformed_json")
