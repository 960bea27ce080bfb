"""Overload answered at the edge: a rate limit per API key (429) and load shedding (503).

Both are pure ASGI middlewares on the event loop (so no locks) and hold their state in the
process: with ``serve --workers N`` each worker process counts on its own, so a key may make
up to N times its rate across the server.

* ``RateLimiter``: a token bucket per key, refilled at ``rate`` tokens per second up to
  ``burst``. The key is a prefix of the token's SHA-256, so the limiter never holds a key in
  clear and a caller without the secret cannot drain someone else's bucket. Responses carry
  ``RateLimit-Limit``/``RateLimit-Remaining``/``RateLimit-Reset`` (IETF httpapi draft -06);
  an empty bucket answers 429 with ``Retry-After``. Requests without a bearer token are left to
  authentication (a cheap 401).
* ``LoadShedder``: when ``bound`` requests are already in flight in this process, the next one
  answers 503 with ``Retry-After`` at once, before any work. A queue deeper than what one
  process serves within the latency target only adds waiting: the served requests keep their
  latency and the shed ones learn at once to come back. Only ``/v1/`` is shed: health probes
  are exempt, so an overloaded process is not mistaken for a dead one, and so are the
  console's pages and assets.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import OrderedDict
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from postbridge.api.problems import problem_response

HEALTH_PATHS = frozenset({"/healthz", "/readyz"})
SHED_PREFIX = "/v1/"
# Buckets kept per process; beyond it the longest idle goes (it would be nearly full anyway).
MAX_BUCKETS = 100_000
SHED_RETRY_AFTER_SECONDS = 1


class TokenBucket:
    __slots__ = ("tokens", "updated")

    def __init__(self, tokens: float, updated: float) -> None:
        self.tokens = tokens
        self.updated = updated


class RateLimiter:
    def __init__(
        self,
        app: ASGIApp,
        *,
        rate: float,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self._buckets: OrderedDict[bytes, TokenBucket] = OrderedDict()

    def take(self, key: bytes) -> tuple[bool, float]:
        """Take one token from ``key``'s bucket: (allowed, tokens left after)."""
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = TokenBucket(float(self.burst), now)
            if len(self._buckets) > MAX_BUCKETS:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
            elapsed = max(0.0, now - bucket.updated)
            bucket.tokens = min(float(self.burst), bucket.tokens + elapsed * self.rate)
            bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return True, bucket.tokens
        return False, bucket.tokens

    def headers(self, tokens: float) -> list[tuple[bytes, bytes]]:
        # Reset: seconds until the bucket is full again, the draft's "quota resets".
        reset = math.ceil((self.burst - tokens) / self.rate)
        return [
            (b"ratelimit-limit", str(self.burst).encode()),
            (b"ratelimit-remaining", str(math.floor(tokens)).encode()),
            (b"ratelimit-reset", str(reset).encode()),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = _bucket_key(scope) if scope["type"] == "http" else None
        if key is None or scope["path"] in HEALTH_PATHS:
            await self.app(scope, receive, send)
            return
        allowed, tokens = self.take(key)
        rate_headers = self.headers(tokens)
        if not allowed:
            retry_after = max(1, math.ceil((1.0 - tokens) / self.rate))
            response = problem_response(
                status=429,
                code="rate_limited",
                title="Too many requests",
                detail=f"this API key is limited to {self.rate:g} requests per second "
                f"(bursts of {self.burst}); retry after {retry_after} s",
                instance=scope["path"],
                headers={"Retry-After": str(retry_after)},
            )
            response.raw_headers.extend(rate_headers)
            await response(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), *rate_headers]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class LoadShedder:
    def __init__(self, app: ASGIApp, *, bound: int) -> None:
        self.app = app
        self.bound = bound
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Only the API is shed: the console's pages and the offline /docs assets are cheap and
        # load several at a time, so counting them would refuse a browser its own page.
        if scope["type"] != "http" or not scope["path"].startswith(SHED_PREFIX):
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.bound:
            response = problem_response(
                status=503,
                code="overloaded",
                title="Service overloaded",
                detail=f"{self.in_flight} requests are already in progress; retry after "
                f"{SHED_RETRY_AFTER_SECONDS} s",
                instance=scope["path"],
                headers={"Retry-After": str(SHED_RETRY_AFTER_SECONDS)},
            )
            await response(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1


def _bucket_key(scope: Scope) -> bytes | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = bytes(value).partition(b" ")
            if scheme.lower() != b"bearer" or not token.strip():
                return None
            return hashlib.sha256(token.strip()).digest()[:16]
    return None
