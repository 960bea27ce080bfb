from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from postbridge.app import create_app
from postbridge.bootstrap import Platform
from postbridge.merchants.models import Role
from tests import browser_kit
from tests.conftest import make_merchant


@pytest.fixture(scope="session")
def client(platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(platform=platform), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def merchant_key(platform: Platform) -> str:
    return make_merchant(platform.database).token


@pytest.fixture
def other_merchant_key(platform: Platform) -> str:
    return make_merchant(platform.database).token


@pytest.fixture
def operator_key(platform: Platform) -> str:
    return make_merchant(platform.database, role=Role.OPERATOR).token


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture(scope="module")
def base_url(platform: Platform) -> Iterator[str]:
    """A real uvicorn server for the platform (browser tests); one per test module."""
    with browser_kit.serving(platform) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's headless chromium through Playwright; skipped (or failed under
    POSTBRIDGE_REQUIRE_BROWSER) where it is not installed."""
    with browser_kit.chromium() as launched:
        yield launched
