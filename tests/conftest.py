"""Test tiers and their databases.

- unit/: pure cores, no database.
- integration/: repositories and services on a migrated database, once on SQLite and once on
  PostgreSQL (``db`` is parametrized; test ids end in ``[sqlite]`` / ``[postgres]``).
- e2e/: HTTP through create_app().

PostgreSQL comes from POSTBRIDGE_TEST_POSTGRES_URL (scripts/test.sh finds or starts a server).
Each test session (each xdist worker) creates its own database and drops it at the end.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from postbridge.bootstrap import Platform, build_platform
from postbridge.config import Settings
from postbridge.merchants.models import Role
from postbridge.merchants.service import CreatedMerchant, create_merchant
from postbridge.migrations import upgrade
from postbridge.storage.engine import make_engine, normalize_url
from postbridge.storage.unit_of_work import Database

BACKENDS = ["sqlite", "postgres"]
# The shipped partners file points every partner at the sandbox on 127.0.0.1:8001; the suite
# must not send its parcels to a sandbox a developer left running there. Port 9 refuses at once
# (tests that need a sandbox start their own and point the clients at it).
os.environ.setdefault("POSTBRIDGE_SANDBOX_URL", "http://127.0.0.1:9")
TEST_PEPPER = "test-pepper-0123456789"


def _postgres_admin_url() -> str | None:
    return os.environ.get("POSTBRIDGE_TEST_POSTGRES_URL") or None


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = tmp_path_factory.mktemp("db") / "postbridge-test.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    return url


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new, migrated PostgreSQL database of its own, dropped after (skips the test when no
    server was given)."""
    admin = _postgres_admin_url()
    if admin is None:
        if os.environ.get("POSTBRIDGE_REQUIRE_POSTGRES"):
            pytest.fail("POSTBRIDGE_REQUIRE_POSTGRES is set but no PostgreSQL URL was given")
        pytest.skip("PostgreSQL tier: set POSTBRIDGE_TEST_POSTGRES_URL (scripts/test.sh does)")
    name = f"postbridge_test_{uuid.uuid4().hex[:12]}"
    admin_conninfo = make_url(normalize_url(admin)).set(drivername="postgresql")
    conninfo = admin_conninfo.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    url = normalize_url(admin_conninfo.set(database=name).render_as_string(hide_password=False))
    upgrade(url)
    try:
        yield url
    finally:
        with psycopg.connect(conninfo, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture(scope="session")
def db(database_url: str) -> Iterator[Database]:
    database = Database(make_engine(database_url))
    yield database
    database.dispose()


def settings_for(url: str) -> Settings:
    # The suite's one key per test makes hundreds of calls and concurrency tests hold many at
    # once: no rate limit, no shedding here (tests/e2e/test_edge_limits.py builds its own).
    return Settings(
        database_url=url,
        secret_key=TEST_PEPPER,
        rate_limit_per_second=0,
        max_requests_in_flight=100_000,
    )


@pytest.fixture(scope="session")
def platform(sqlite_url: str) -> Iterator[Platform]:
    """The e2e platform, on SQLite (the integration tier covers PostgreSQL)."""
    plat = build_platform(settings_for(sqlite_url))
    yield plat
    plat.database.dispose()


def make_merchant(database: Database, *, role: Role = Role.MERCHANT) -> CreatedMerchant:
    return create_merchant(
        database=database, name=f"merchant-{uuid.uuid4().hex[:10]}", role=role, pepper=TEST_PEPPER
    )


_backend_outcomes: Counter[tuple[str, str]] = Counter()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when != "call":
        return
    for backend in BACKENDS:
        if f"[{backend}" in report.nodeid or f"-{backend}]" in report.nodeid:
            _backend_outcomes[(backend, report.outcome)] += 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _backend_outcomes:
        return
    parts = []
    for backend in BACKENDS:
        counts = {o: n for (b, o), n in _backend_outcomes.items() if b == backend}
        summary = ", ".join(f"{n} {o}" for o, n in sorted(counts.items())) or "none run"
        parts.append(f"{backend}: {summary}")
    terminalreporter.write_line("storage tiers -- " + "; ".join(parts))
