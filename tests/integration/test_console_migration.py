"""Migration 0010_console_users goes up and down on both databases."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from postbridge.migrations import alembic_config
from postbridge.storage.engine import make_engine
from tests.integration.test_migrations import empty_url  # noqa: F401  (the fixture)

CONSOLE_TABLES = {"console_users", "console_sessions", "console_login_failures"}


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_console_tables_come_with_0010_and_go_with_its_downgrade(empty_url: str) -> None:  # noqa: F811
    config = alembic_config(empty_url)
    command.upgrade(config, "0009")
    assert _tables(empty_url) & CONSOLE_TABLES == set()
    command.upgrade(config, "0010_console_users")
    assert _tables(empty_url) & CONSOLE_TABLES == CONSOLE_TABLES
    engine = make_engine(empty_url)
    try:
        columns = {c["name"] for c in sa.inspect(engine).get_columns("console_sessions")}
        unique = sa.inspect(engine).get_unique_constraints("console_sessions")
    finally:
        engine.dispose()
    assert columns == {
        "id", "token_hash", "user_id", "csrf_token", "created_at", "expires_at", "revoked_at",
    }  # fmt: skip
    assert [u["column_names"] for u in unique] == [["token_hash"]]
    command.downgrade(config, "0009")
    assert _tables(empty_url) & CONSOLE_TABLES == set()
