"""The one HTTP path to partners: explicit timeouts, a per-connection rate limit, retries of
what may succeed later, and the split into retryable and terminal failures.

Retryable (``PartnerUnavailable``): the network (refused connections, resets), timeouts, 408,
429 and 5xx. Resets, 408, 429 and 5xx are retried within the call with exponential backoff and
jitter, never sooner than the partner's ``Retry-After``. A partner that cannot be reached at
all (connection refused, connect or read timeout) fails the call at once: waiting in the call
would hold the one-threaded worker for every queued job, and the worker's own backoff retries
the job later. When the attempts run out, or the partner asks to wait longer than
``max_retry_after_s``, the call raises ``PartnerUnavailable`` (with ``retry_after_s``) and the
worker retries the job later: a worker never sleeps through an outage. Anything else below 600
is handed back to the adapter's client, which knows what a 401 or a 404 means for its API and
raises ``PartnerRejected`` for the rest (``rejected``).
"""

from __future__ import annotations

import email.utils
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from postbridge.carriers.partners_file import Connection, RateLimit
from postbridge.errors import PartnerRejected, PartnerUnavailable
from postbridge.jobs.retry import retry_delay

log = logging.getLogger(__name__)

RETRYABLE_STATUSES = frozenset({408, 429})


def is_retryable_status(status: int) -> bool:
    return status in RETRYABLE_STATUSES or status >= 500


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


class RateLimiter:
    """Spaces calls at least ``1 / per_second`` apart (one process; thread-safe)."""

    def __init__(
        self,
        limit: RateLimit,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = 1.0 / limit.per_second
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            self._sleep(start - now)


def rejected(partner: str, response: httpx.Response, *, what: str) -> PartnerRejected:
    """The terminal error of a refused call, with the partner's own words (problem+json
    ``detail`` or the first 300 characters of the body)."""
    detail = response.text[:300]
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        detail = str(
            body.get("detail") or body.get("error_description") or body.get("error") or detail
        )
    return PartnerRejected(
        f"{partner} refused {what}: HTTP {response.status_code} {detail}".strip(),
        partner=partner,
        status=response.status_code,
    )


class PartnerHttp:
    def __init__(
        self,
        connection: Connection,
        *,
        partner: str,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.partner = partner
        self.connection = connection
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._limiter = limiter or RateLimiter(connection.rate_limit, sleep=sleep)
        timeouts = connection.timeouts
        self._client = httpx.Client(
            base_url=connection.base_url,
            timeout=httpx.Timeout(
                connect=timeouts.connect_s,
                read=timeouts.read_s,
                write=timeouts.read_s,
                pool=timeouts.connect_s,
            ),
            transport=transport,
            follow_redirects=False,
        )

    def close(self) -> None:
        self._client.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        what: str,
    ) -> httpx.Response:
        """The first answer that is not retryable; raises ``PartnerUnavailable`` when every
        attempt failed retryably."""
        policy = self.connection.retries
        sent_headers = {"Accept": "application/json", **(headers or {})}
        if content is not None:
            sent_headers.setdefault("Content-Type", "application/json")
        for attempt in range(1, policy.attempts + 1):
            self._limiter.wait()
            retry_after: float | None = None
            try:
                response = self._client.request(
                    method, path, content=content, headers=sent_headers, params=params
                )
            except httpx.TimeoutException as exc:
                raise PartnerUnavailable(
                    f"{self.partner}: {what} timed out ({type(exc).__name__})", partner=self.partner
                ) from exc
            except httpx.ConnectError as exc:
                raise PartnerUnavailable(
                    f"{self.partner}: {what} could not connect", partner=self.partner
                ) from exc
            except httpx.TransportError as exc:
                failure = PartnerUnavailable(
                    f"{self.partner}: {what} failed ({type(exc).__name__})", partner=self.partner
                )
            else:
                if not is_retryable_status(response.status_code):
                    return response
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                failure = PartnerUnavailable(
                    f"{self.partner}: {what} answered HTTP {response.status_code}",
                    partner=self.partner,
                    status=response.status_code,
                    retry_after_s=retry_after,
                )
            if attempt == policy.attempts or (
                retry_after is not None and retry_after > policy.max_retry_after_s
            ):
                raise failure
            delay = retry_delay(
                attempt, base=policy.base_delay_s, cap=policy.max_delay_s, rng=self._rng
            ).total_seconds()
            delay = max(delay, retry_after or 0.0)
            log.info("%s (attempt %d); retrying in %.2fs", failure.detail, attempt, delay)
            self._sleep(delay)
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover
