"""Fail when the models and the migrations disagree (run by the test command)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from postbridge.bootstrap import metadata
from postbridge.migrations import upgrade
from postbridge.storage.engine import make_engine


def drift(database_url: str) -> list[object]:
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, metadata()))
    finally:
        engine.dispose()


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        differences = drift(f"sqlite:///{Path(folder) / 'drift.db'}")
    if differences:
        print("models and migrations disagree; generate a migration:", file=sys.stderr)  # noqa: T201
        for difference in differences:
            print(f"  {difference}", file=sys.stderr)  # noqa: T201
        return 1
    print("migrations match the models")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
