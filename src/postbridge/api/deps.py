"""FastAPI dependencies: the platform and the calling principal (with a short-lived cache)."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Annotated, cast

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from postbridge.bootstrap import Platform
from postbridge.errors import NotAuthenticated, PermissionDenied
from postbridge.merchants.service import Principal, authenticate

_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer pb_...`")


async def get_platform(request: Request) -> Platform:
    return cast(Platform, request.app.state.platform)


PlatformDep = Annotated[Platform, Depends(get_platform)]


class PrincipalCache:
    """Recently verified keys, for ``ttl_seconds``: a hot client is not re-checked against
    the database on every call (a hit is one SHA-256 and a dict lookup on the event loop, a
    few microseconds; a miss is the database check in the thread pool). The price: a key
    revoked with ``postbridge merchants revoke`` (or its merchant's role changed) keeps working
    for up to ``ttl_seconds`` (5 s) in each API process that verified it just before; with
    ``serve --workers N`` each process has its own cache, with the same bound. Failed checks
    are never cached. Entries are keyed by a hash of the token, so the cache never holds a key
    in clear. ``get`` is a lock-free dict read; ``put`` (from the event loop) takes a lock."""

    def __init__(
        self,
        ttl_seconds: float = 5.0,
        size: int = 4096,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_seconds = ttl_seconds
        self.size = size
        self.clock = clock
        self._entries: OrderedDict[bytes, tuple[float, Principal]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, digest: bytes) -> Principal | None:
        entry = self._entries.get(digest)
        if entry is None or entry[0] < self.clock():
            return None
        return entry[1]

    def put(self, digest: bytes, principal: Principal) -> None:
        with self._lock:
            self._entries[digest] = (self.clock() + self.ttl_seconds, principal)
            self._entries.move_to_end(digest)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


_principals = PrincipalCache()


async def get_principal(
    platform: PlatformDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise NotAuthenticated("send your API key as 'Authorization: Bearer <key>'")
    token = credentials.credentials
    digest = hashlib.sha256(f"{id(platform)}:{token}".encode()).digest()
    cached = _principals.get(digest)
    if cached is not None:
        return cached  # the hot path: a dict lookup, cheaper on the loop than a thread hop
    # A miss is a database round trip: in the thread pool, never on the event loop.
    principal = await run_in_threadpool(_authenticate, platform, token)
    _principals.put(digest, principal)
    return principal


def _authenticate(platform: Platform, token: str) -> Principal:
    settings = platform.settings
    return authenticate(
        database=platform.database,
        token=token,
        pepper=settings.secret_key,
        previous_peppers=settings.previous_peppers,
    )


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def require_operator(principal: PrincipalDep) -> Principal:
    if not principal.is_operator:
        raise PermissionDenied("this operation needs an operator key")
    return principal


OperatorDep = Annotated[Principal, Depends(require_operator)]
