"""Alembic migrations, shipped inside the package so ``postbridge db upgrade`` works anywhere.

Only portable operations: the same revisions run on SQLite (batch mode) and PostgreSQL 15.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from postbridge.storage.engine import normalize_url

MIGRATIONS_DIR = Path(__file__).resolve().parent


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation would choke on '%' in passwords.
    config.set_main_option("sqlalchemy.url", normalize_url(database_url).replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Apply migrations, then load the reference data the code ships (S10 number ranges)."""
    command.upgrade(alembic_config(database_url), revision)
    if revision == "head":
        seed_reference_data(database_url)


def seed_reference_data(database_url: str) -> None:
    from postbridge.numbering.allocator import sync_ranges
    from postbridge.storage.engine import make_engine
    from postbridge.storage.unit_of_work import Database

    database = Database(make_engine(database_url))
    try:
        with database.unit_of_work() as uow:
            sync_ranges(uow.session)
            uow.commit()
    finally:
        database.dispose()


def current_head() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
