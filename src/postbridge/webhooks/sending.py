"""One HTTP attempt of a delivery: POST the signed body, read at most 1 KiB of the answer."""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

EXCERPT_BYTES = 1024
USER_AGENT = "postbridge-webhooks/1"


@dataclass(frozen=True, slots=True)
class AttemptOutcome:
    succeeded: bool
    status_code: int | None
    latency_ms: int
    error: str | None
    excerpt: str | None

    @classmethod
    def refused(cls, reason: str) -> AttemptOutcome:
        return cls(False, None, 0, reason, None)


def post_once(
    client: httpx.Client, url: str, *, body: str, headers: dict[str, str], timeout: httpx.Timeout
) -> AttemptOutcome:
    """Only a 2xx succeeds. Redirects are not followed (a 3xx fails the attempt): following
    them would let an endpoint point the worker anywhere, past the URL checks."""
    started = time.perf_counter()
    status: int | None = None
    excerpt: str | None = None
    error: str | None = None
    try:
        request_headers = {"content-type": "application/json", "user-agent": USER_AGENT, **headers}
        with client.stream(
            "POST", url, content=body.encode(), headers=request_headers, timeout=timeout,
            follow_redirects=False,
        ) as response:  # fmt: skip
            status = response.status_code
            excerpt = _excerpt(response)
    except httpx.TimeoutException as exc:
        error = f"timeout ({type(exc).__name__})"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    latency_ms = round((time.perf_counter() - started) * 1000)
    succeeded = status is not None and 200 <= status < 300
    if status is not None and not succeeded:
        error = f"redirect ({status}) not followed" if 300 <= status < 400 else f"HTTP {status}"
    return AttemptOutcome(succeeded, status, latency_ms, error, excerpt)


def _excerpt(response: httpx.Response) -> str | None:
    read = bytearray()
    for chunk in response.iter_raw():
        read += chunk
        if len(read) >= EXCERPT_BYTES:
            break
    if not read:
        return None
    return bytes(read[:EXCERPT_BYTES]).decode("utf-8", errors="replace")
