"""The API's cache of verified keys: a revoked key is refused once its entry's TTL has passed."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from postbridge.api import deps
from postbridge.bootstrap import Platform
from postbridge.merchants.service import revoke_key
from tests.conftest import make_merchant
from tests.e2e.conftest import auth


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_revoked_key_stops_working_within_the_ttl(
    client: TestClient, platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock()
    monkeypatch.setattr(deps, "_principals", deps.PrincipalCache(ttl_seconds=5.0, clock=clock))
    created = make_merchant(platform.database)
    assert client.get("/v1/me", headers=auth(created.token)).status_code == 200
    revoke_key(database=platform.database, prefix=created.key_prefix)
    clock.now += 4.9  # still the verified entry: no database check
    assert client.get("/v1/me", headers=auth(created.token)).status_code == 200
    clock.now += 0.2
    refused = client.get("/v1/me", headers=auth(created.token))
    assert refused.status_code == 401
    assert "revoked" in refused.json()["detail"]


def test_the_cache_is_bounded_and_keeps_the_newest() -> None:
    cache = deps.PrincipalCache(size=2, clock=FakeClock())
    principals = [object(), object(), object()]
    for index, principal in enumerate(principals):
        cache.put(bytes([index]), principal)  # type: ignore[arg-type]
    assert [cache.get(bytes([i])) for i in range(3)] == [None, principals[1], principals[2]]
