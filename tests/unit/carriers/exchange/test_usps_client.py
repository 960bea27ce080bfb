"""The USPS client on an in-process fake of USPS: token cache and refresh on 401, tracking in
batches of 35 and one by one, labels, subscriptions."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from postbridge.carriers.http import PartnerHttp, RateLimiter
from postbridge.carriers.partners_file import Connection, RateLimit, RetryPolicy, Secret
from postbridge.carriers.usps.client import UspsClient
from postbridge.errors import PartnerRejected

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "usps"
TRACKING = json.loads((FIXTURES / "usps_tracking_response.json").read_text())
NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)


class FakeUsps:
    """Issues tokens ``t1``, ``t2``...; refuses the tokens listed in ``revoked``."""

    def __init__(self) -> None:
        self.tokens_issued = 0
        self.revoked: set[str] = set()
        self.calls: list[tuple[str, str, str | None, Any]] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        self.calls.append(
            (request.method, request.url.path, request.headers.get("Authorization"), body)
        )
        if request.url.path == "/usps/oauth2/v3/token":
            if body["client_secret"] != "s3cret":
                return httpx.Response(401, json={"error": "invalid_client"})
            self.tokens_issued += 1
            return httpx.Response(
                200,
                json={"access_token": f"t{self.tokens_issued}", "token_type": "Bearer",
                      "expires_in": 28799},
            )  # fmt: skip
        token = (request.headers.get("Authorization") or "").removeprefix("Bearer ")
        if token in self.revoked:
            return httpx.Response(401, json={"error": "invalid_token"})
        if request.url.path == "/usps/tracking/v3r2/tracking":
            return httpx.Response(
                207 if len(body) > 1 else 200,
                json=[
                    {**TRACKING, "trackingNumber": item["trackingNumber"]}
                    if item["trackingNumber"] != "9400100000000000000000"
                    else {"trackingNumber": item["trackingNumber"], "statusCode": "404",
                          "error": {"code": "404", "message": "not found"}}
                    for item in body
                ],
            )  # fmt: skip
        if request.url.path.startswith("/usps/tracking/v3/tracking/"):
            if request.url.params.get("expand") != "DETAIL":
                return httpx.Response(400)
            return httpx.Response(404, json={"error": {"code": "404", "message": "not found"}})
        if request.url.path == "/usps/labels/v3/label":
            assert request.headers["Accept"] == "application/vnd.usps.labels+json"
            return httpx.Response(
                200, json={"trackingNumber": "9200190201512345678901", "postage": 7.3}
            )
        if request.url.path == "/usps/subscriptions-tracking/v3r2/subscriptions":
            return httpx.Response(201, json={"subscriptionId": "sub-1", "status": "ENABLED"})
        return httpx.Response(404)


def make_client(fake: FakeUsps, clock: list[datetime], *, secret: str = "s3cret") -> UspsClient:
    connection = Connection(
        base_url="https://sandbox.example/usps",
        retries=RetryPolicy(attempts=1),
        rate_limit=RateLimit(per_second=1000),
    )
    http = PartnerHttp(
        connection, partner="USPS", transport=httpx.MockTransport(fake.handler),
        sleep=lambda _s: None, rng=random.Random(1),
        limiter=RateLimiter(RateLimit(per_second=1000), sleep=lambda _s: None),
    )  # fmt: skip
    return UspsClient(http, client_id="app-1", client_secret=Secret(secret), clock=lambda: clock[0])


def test_token_is_cached_until_shortly_before_expiry() -> None:
    fake, clock = FakeUsps(), [NOW]
    client = make_client(fake, clock)

    client.track_one("9400109104250532908587")
    clock[0] = NOW + timedelta(hours=7, minutes=50)
    client.track_one("9400109104250532908587")
    clock[0] = NOW + timedelta(hours=7, minutes=56)  # within the five-minute margin of expiry
    client.track_one("9400109104250532908587")

    assert fake.tokens_issued == 2
    tracking_auth = [auth for _m, path, auth, _b in fake.calls if "tracking" in path]
    assert tracking_auth == ["Bearer t1", "Bearer t1", "Bearer t2"]


def test_a_401_fetches_a_new_token_once_and_repeats_the_call() -> None:
    fake, clock = FakeUsps(), [NOW]
    client = make_client(fake, clock)
    client.token()
    fake.revoked.add("t1")

    parsed = client.track(["9400109104250532908587"])

    assert len(parsed.events) == len(TRACKING["trackingEvents"])
    assert [(m, p, a) for m, p, a, _b in fake.calls] == [
        ("POST", "/usps/oauth2/v3/token", None),
        ("POST", "/usps/tracking/v3r2/tracking", "Bearer t1"),
        ("POST", "/usps/oauth2/v3/token", None),
        ("POST", "/usps/tracking/v3r2/tracking", "Bearer t2"),
    ]


def test_a_second_401_is_terminal() -> None:
    fake, clock = FakeUsps(), [NOW]
    client = make_client(fake, clock)
    fake.revoked.update({"t1", "t2"})

    with pytest.raises(PartnerRejected) as error:
        client.track(["9400109104250532908587"])

    assert error.value.detail == "USPS refused the tracking batch request: HTTP 401 invalid_token"


def test_wrong_credentials_are_terminal_and_not_echoed() -> None:
    fake, clock = FakeUsps(), [NOW]

    with pytest.raises(PartnerRejected) as error:
        make_client(fake, clock, secret="wrong-secret").token()

    assert error.value.detail == "USPS refused the client credentials: invalid_client"
    assert "wrong-secret" not in repr(error.value.extra)


def test_tracking_goes_in_batches_of_35_with_per_number_errors() -> None:
    fake, clock = FakeUsps(), [NOW]
    numbers = [f"94001{serial:017d}" for serial in range(1, 71)] + ["9400100000000000000000"]

    parsed = make_client(fake, clock).track(numbers)

    batches = [body for _m, path, _a, body in fake.calls if path.endswith("/v3r2/tracking")]
    assert [len(batch) for batch in batches] == [35, 35, 1]
    assert batches[0][0] == {"trackingNumber": numbers[0]}
    assert len(parsed.events) == 70 * len(TRACKING["trackingEvents"])
    assert [(e.tracking_number, e.status_code) for e in parsed.errors] == [
        ("9400100000000000000000", "404")
    ]
    first = parsed.events[0]
    assert (first.event_code, first.occurred_at) == (
        "01",
        datetime(2024, 11, 22, 18, 58, tzinfo=UTC),  # 13:58 local at -05:00
    )


def test_a_number_usps_does_not_know_is_a_lookup_error_not_a_failure() -> None:
    fake, clock = FakeUsps(), [NOW]

    parsed = make_client(fake, clock).track_one("9400100000000000000001")

    assert parsed.events == ()
    assert [(e.tracking_number, e.status_code, e.message) for e in parsed.errors] == [
        ("9400100000000000000001", "404", "not found")
    ]


def test_label_registration_returns_usps_number() -> None:
    fake, clock = FakeUsps(), [NOW]

    receipt = make_client(fake, clock).register_label({"imageInfo": {}})  # type: ignore[typeddict-item]

    assert (receipt.tracking_number, receipt.postage_cents) == ("9200190201512345678901", 730)


def test_subscription_by_tracking_number() -> None:
    fake, clock = FakeUsps(), [NOW]

    subscription = make_client(fake, clock).subscribe(
        listener_url="https://platform.example/v1/partners/usps/events",
        secret=Secret("0123456789abcdef0123456789abcdef"),
        admin_email="ops@example.com",
        tracking_number="9400109104250532908587",
    )

    assert (subscription.subscription_id, subscription.status) == ("sub-1", "ENABLED")
    assert fake.calls[-1][3] == {
        "listenerURL": "https://platform.example/v1/partners/usps/events",
        "secret": "0123456789abcdef0123456789abcdef",
        "adminNotification": [{"email": "ops@example.com"}],
        "filterProperties": {
            "trackingEventTypes": ["ALL_UPDATES"],
            "trackingNumber": "9400109104250532908587",
        },
    }
