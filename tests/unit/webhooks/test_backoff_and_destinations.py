"""The retry schedule (three days at least) and the URL rules (SSRF guard), pure."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from postbridge.errors import InvalidInput
from postbridge.webhooks.backoff import RetrySchedule
from postbridge.webhooks.destinations import Resolver, checked_url

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def attempt_times(schedule: RetrySchedule, rng: random.Random | None = None) -> list[datetime]:
    """When each attempt of a delivery that always fails runs (the first at creation)."""
    times, at = [T0], T0
    while (following := schedule.next_attempt(
        first_attempted_at=T0, failed_at=at, failed_attempts=len(times), rng=rng
    )) is not None:  # fmt: skip
        times.append(following)
        at = following
    return times


def test_without_jitter_delays_double_from_30s_to_12h_and_stop_at_three_days() -> None:
    times = attempt_times(RetrySchedule(jitter=0.0))
    delays = [(b - a).total_seconds() for a, b in zip(times, times[1:], strict=False)]

    assert delays[:12] == [30, 60, 120, 240, 480, 960, 1920, 3840, 7680, 15360, 30720, 43200]
    assert times[-1] == T0 + timedelta(days=3)
    assert len(times) == 17


@pytest.mark.parametrize("seed", range(20))
def test_with_jitter_every_delay_stays_within_25_percent_and_the_span_is_three_days(
    seed: int,
) -> None:
    schedule = RetrySchedule()
    times = attempt_times(schedule, random.Random(seed))
    for n, (a, b) in enumerate(zip(times, times[1:-1], strict=False), start=1):
        nominal = min(43200, 30 * 2 ** (n - 1))
        assert 0.75 * nominal <= (b - a).total_seconds() < 1.25 * nominal
    assert times[-1] == T0 + timedelta(days=3)


def no_dns(_host: str) -> list[str]:
    raise AssertionError("development does not resolve names")


def resolver(answers: dict[str, list[str]]) -> Resolver:
    return lambda host: answers.get(host, [])


def refusal(
    url: str, *, production: bool, answers: dict[str, list[str]] | None = None
) -> tuple[str, str]:
    with pytest.raises(InvalidInput) as caught:
        checked_url(url, production=production, resolve=resolver(answers or {}))
    (problem,) = caught.value.problems
    return problem.field, problem.code


def test_development_takes_https_anywhere_and_http_to_loopback_only() -> None:
    for url in ("https://hooks.example.com/pb", "http://127.0.0.1:8081/hook", "http://localhost/x",
                "http://[::1]:9000/"):  # fmt: skip
        assert checked_url(url, production=False, resolve=no_dns) == url
    assert refusal("http://hooks.example.com/pb", production=False) == ("url", "https_required")
    assert refusal("ftp://example.com/", production=False) == ("url", "invalid_url")
    assert refusal("https://user:pw@example.com/", production=False) == ("url", "invalid_url")
    assert refusal("https:///nohost", production=False) == ("url", "invalid_url")


def test_production_refuses_names_resolving_to_private_loopback_or_link_local_addresses() -> None:
    answers = {
        "public.example.com": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
        "internal.example.com": ["10.1.2.3"],
        "mixed.example.com": ["93.184.215.14", "169.254.169.254"],
        "mapped.example.com": ["::ffff:127.0.0.1"],
    }
    assert checked_url("https://public.example.com/h", production=True, resolve=resolver(answers))
    for url in ("https://internal.example.com/h", "https://mixed.example.com/h",
                "https://mapped.example.com/h", "https://127.0.0.1/h", "https://[fe80::1]/h",
                "https://192.168.1.10/h", "https://100.64.0.1/h", "https://0.0.0.0/h"):  # fmt: skip
        assert refusal(url, production=True, answers=answers) == ("url", "private_address")
    assert refusal("https://nowhere.example.com/h", production=True) == ("url", "unresolvable_host")
    assert refusal("http://public.example.com/h", production=True, answers=answers) == (
        "url", "https_required",
    )  # fmt: skip
    assert refusal("http://127.0.0.1:8081/h", production=True) == ("url", "https_required")
