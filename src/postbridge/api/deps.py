"""FastAPI dependencies: the platform and the calling principal (with a short-lived cache)."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
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
    """Recently authenticated keys, for ``ttl_seconds``: a hot client is not re-checked against
    the database on every call. A revoked key therefore stops working within ``ttl_seconds``.
    Entries are keyed by a hash of the token, so the cache never holds a key in clear.
    Thread-safe: ``get_principal`` runs in the thread pool."""

    def __init__(self, ttl_seconds: float = 5.0, size: int = 4096) -> None:
        self.ttl_seconds = ttl_seconds
        self.size = size
        self._entries: OrderedDict[bytes, tuple[float, Principal]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, digest: bytes) -> Principal | None:
        entry = self._entries.get(digest)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, digest: bytes, principal: Principal) -> None:
        with self._lock:
            self._entries[digest] = (time.monotonic() + self.ttl_seconds, principal)
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
