"""The partner HTTP path on an in-process fake transport: what is retried, how long it waits,
what is terminal, and the per-connection rate limit."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import httpx
import pytest

from postbridge.carriers.http import PartnerHttp, RateLimiter, parse_retry_after
from postbridge.carriers.partners_file import Connection, RateLimit, RetryPolicy
from postbridge.errors import PartnerUnavailable

BASE = "https://post.example/upu/CORREOS"


class Recorder:
    """Answers from a script, one per request, and remembers what was asked and slept."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []
        self.sleeps: list[float] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def make_http(
    recorder: Recorder, *, attempts: int = 3, max_retry_after_s: float = 30.0
) -> PartnerHttp:
    connection = Connection(
        base_url=BASE,
        retries=RetryPolicy(
            attempts=attempts, base_delay_s=0.5, max_delay_s=8.0,
            max_retry_after_s=max_retry_after_s,
        ),
        rate_limit=RateLimit(per_second=1000),
    )  # fmt: skip
    return PartnerHttp(
        connection,
        partner="CORREOS",
        transport=httpx.MockTransport(recorder.handler),
        sleep=recorder.sleeps.append,
        rng=random.Random(7),
        limiter=RateLimiter(RateLimit(per_second=1000), sleep=lambda _s: None),
    )


def test_5xx_then_success_is_retried_with_growing_jittered_backoff() -> None:
    recorder = Recorder(httpx.Response(500), httpx.Response(503), httpx.Response(200, json={}))

    response = make_http(recorder).request("GET", "/v1/events", what="the feed")

    assert response.status_code == 200
    assert [str(r.url) for r in recorder.requests] == [f"{BASE}/v1/events"] * 3
    # base 0.5 s doubling, times a factor in [0.5, 1.5) from the seeded generator
    rng = random.Random(7)
    expected = [0.5 * (0.5 + rng.random()), 1.0 * (0.5 + rng.random())]
    assert recorder.sleeps == pytest.approx(expected)


def test_429_waits_at_least_its_retry_after() -> None:
    recorder = Recorder(
        httpx.Response(429, headers={"Retry-After": "12"}), httpx.Response(200, json={})
    )

    make_http(recorder).request("GET", "/v1/events", what="the feed")

    assert recorder.sleeps == [12.0]


def test_a_retry_after_beyond_the_limit_fails_at_once_for_the_worker_to_retry_later() -> None:
    recorder = Recorder(httpx.Response(429, headers={"Retry-After": "600"}))

    with pytest.raises(PartnerUnavailable) as error:
        make_http(recorder).request("GET", "/v1/events", what="the feed")

    assert error.value.extra == {"partner": "CORREOS", "status": 429, "retry_after_s": 600.0}
    assert recorder.sleeps == []
    assert len(recorder.requests) == 1


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (httpx.ReadError("reset by peer"), "CORREOS: the feed failed (ReadError)"),
        (httpx.Response(408), "CORREOS: the feed answered HTTP 408"),
        (httpx.Response(502), "CORREOS: the feed answered HTTP 502"),
    ],
)
def test_network_timeouts_408_and_5xx_are_retryable_until_attempts_run_out(
    answer: httpx.Response | Exception, message: str
) -> None:
    recorder = Recorder(answer, answer, answer)

    with pytest.raises(PartnerUnavailable) as error:
        make_http(recorder).request("GET", "/v1/events", what="the feed")

    assert error.value.detail == message
    assert error.value.retryable is True
    assert len(recorder.requests) == 3
    assert len(recorder.sleeps) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
def test_other_4xx_are_handed_back_at_once(status: int) -> None:
    recorder = Recorder(httpx.Response(status))

    response = make_http(recorder).request("POST", "/v1/items", content=b"{}", what="x")

    assert response.status_code == status
    assert recorder.sleeps == []


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (httpx.ConnectError("refused"), "CORREOS: the feed could not connect"),
        (httpx.ConnectTimeout("no answer"), "CORREOS: the feed timed out (ConnectTimeout)"),
        (httpx.ReadTimeout("slow"), "CORREOS: the feed timed out (ReadTimeout)"),
    ],
)
def test_an_unreachable_partner_fails_the_call_at_once_for_the_worker_to_retry(
    answer: Exception, message: str
) -> None:
    recorder = Recorder(answer)

    with pytest.raises(PartnerUnavailable) as error:
        make_http(recorder).request("GET", "/v1/events", what="the feed")

    assert error.value.detail == message
    assert (len(recorder.requests), recorder.sleeps) == (1, [])


def test_the_connection_timeouts_are_explicit() -> None:
    recorder = Recorder(httpx.Response(200))
    http = make_http(recorder)

    http.request("GET", "/v1/events", what="the feed")

    assert recorder.requests[0].extensions["timeout"] == {
        "connect": 3.0, "read": 15.0, "write": 15.0, "pool": 3.0,
    }  # fmt: skip


def test_rate_limiter_spaces_calls() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)

    limiter = RateLimiter(RateLimit(per_second=4), clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        limiter.wait()

    assert slept == [0.25, 0.5]


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("30", 30.0), ("Wed, 02 Dec 2026 03:00:30 GMT", 30.0), ("soon", None), (None, None)],
)
def test_retry_after_reads_seconds_and_http_dates(
    header: str | None, seconds: float | None
) -> None:
    now = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
    assert parse_retry_after(header, now=now) == seconds
