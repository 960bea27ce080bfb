"""One HTTP attempt of a delivery: POST the signed body, read at most 1 KiB of the answer.

The sender connects to the address it checked. In production each attempt resolves the host
once, refuses it when any address is not public, and then opens the connection to that very
address (the ``Host`` header and, for https, the TLS server name and certificate check stay the
endpoint's name). Checking one answer and connecting to a second lookup would let a name that
resolves differently a moment later (DNS rebinding) point the worker at the operator's own
network.

Why urllib3 rather than httpx (which the partner clients use): delivery is the hot loop of the
worker, and on the 2-core machine httpx cost about 625 µs of CPU per POST against about 300 µs
for urllib3 (same receiver, 16 threads, 5,000 requests), and its connection pool serialises
the threads on one lock. urllib3's pools are thread-safe, keep connections alive, and take the
pinned address with the name to verify.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import NewConnectionError
from urllib3.exceptions import TimeoutError as Urllib3Timeout

from postbridge.webhooks.destinations import (
    Resolver,
    is_public_address,
    literal_address,
    resolve_addresses,
)

EXCERPT_BYTES = 1024
USER_AGENT = "postbridge-webhooks/1"
_POOLS_KEPT = 256  # destinations with an open pool; the least recently used one is closed


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


@dataclass(frozen=True, slots=True)
class _Target:
    scheme: str
    host: str  # the name in the URL: Host header, TLS server name
    address: str  # where the connection goes
    port: int
    path: str  # path and query


class WebhookSender:
    """Thread-safe: the dispatcher's round sends from a thread pool through one sender."""

    def __init__(
        self,
        *,
        connect_timeout_seconds: float,
        timeout_seconds: float,
        connections_per_destination: int,
        production: bool,
        resolve: Resolver = resolve_addresses,
    ) -> None:
        self.timeout = urllib3.Timeout(connect=connect_timeout_seconds, read=timeout_seconds)
        self.connections_per_destination = connections_per_destination
        self.production = production
        self.resolve = resolve
        self._pools: OrderedDict[tuple[str, str, str, int], urllib3.HTTPConnectionPool] = (
            OrderedDict()
        )
        self._lock = threading.Lock()

    def post(self, url: str, *, body: bytes, headers: dict[str, str]) -> AttemptOutcome:
        """Only a 2xx succeeds. Redirects are not followed (a 3xx fails the attempt): following
        them would let an endpoint point the worker anywhere, past the URL checks."""
        target = self._target(url)
        if isinstance(target, AttemptOutcome):
            return target
        started = time.perf_counter()
        status: int | None = None
        excerpt: str | None = None
        error: str | None = None
        request_headers = {
            "host": target.host if target.port in (80, 443) else f"{target.host}:{target.port}",
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            **headers,
        }
        try:
            response = self._pool(target).urlopen(
                "POST", target.path, body=body, headers=request_headers, redirect=False,
                retries=False, preload_content=False, assert_same_host=False,
                timeout=self.timeout,
            )  # fmt: skip
            try:
                status = response.status
                excerpt = _excerpt(response)
            finally:
                _release(response)
        except NewConnectionError as exc:  # before the timeouts: urllib3 files it under them
            error = f"{type(exc).__name__}: {exc}"[:500]
        except Urllib3Timeout as exc:
            error = f"timeout ({type(exc).__name__})"
        except (Urllib3Error, OSError) as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
        latency_ms = round((time.perf_counter() - started) * 1000)
        succeeded = status is not None and 200 <= status < 300
        if status is not None and not succeeded:
            error = f"redirect ({status}) not followed" if 300 <= status < 400 else f"HTTP {status}"
        return AttemptOutcome(succeeded, status, latency_ms, error, excerpt)

    def close(self) -> None:
        with self._lock:
            pools, self._pools = list(self._pools.values()), OrderedDict()
        for pool in pools:
            pool.close()

    def _target(self, url: str) -> _Target | AttemptOutcome:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        literal = literal_address(host)
        addresses = [literal] if literal is not None else self.resolve(host)
        if not addresses:
            return AttemptOutcome.refused(f"{host} does not resolve")
        if self.production:
            blocked = [a for a in addresses if not is_public_address(a)]
            if blocked:
                return AttemptOutcome.refused(
                    f"refused: {host} resolves to a non-public address ({', '.join(blocked)})"
                )
        return _Target(parts.scheme, host, addresses[0], port, path)

    def _pool(self, target: _Target) -> urllib3.HTTPConnectionPool:
        key = (target.scheme, target.host, target.address, target.port)
        with self._lock:
            pool = self._pools.get(key)
            if pool is not None:
                self._pools.move_to_end(key)
                return pool
            pool = self._new_pool(target)
            self._pools[key] = pool
            evicted = self._pools.popitem(last=False)[1] if len(self._pools) > _POOLS_KEPT else None
        if evicted is not None:
            evicted.close()
        return pool

    def _new_pool(self, target: _Target) -> urllib3.HTTPConnectionPool:
        common = {
            "port": target.port,
            "maxsize": self.connections_per_destination,
            "block": True,  # more threads than connections wait for one instead of opening more
            "timeout": self.timeout,
            "retries": False,
        }
        if target.scheme == "https":
            return urllib3.HTTPSConnectionPool(
                target.address, server_hostname=target.host, assert_hostname=target.host,
                cert_reqs="CERT_REQUIRED", **common,  # type: ignore[arg-type]
            )  # fmt: skip
        return urllib3.HTTPConnectionPool(target.address, **common)  # type: ignore[arg-type]


def _excerpt(response: urllib3.BaseHTTPResponse) -> str | None:
    read = response.read(EXCERPT_BYTES)
    if not read:
        return None
    return read[:EXCERPT_BYTES].decode("utf-8", errors="replace")


def _release(response: urllib3.BaseHTTPResponse) -> None:
    """Back to the pool when the answer was read to its end; otherwise the connection is
    closed: draining an answer of unknown length would let a receiver hold the worker."""
    if not response.closed:
        response.close()
    response.release_conn()
