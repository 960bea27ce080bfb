"""``postbridge tracking import``: counts on stdout, a bad line is one line on stderr naming
the line and field, chunks before it are kept, and re-running the fixed file completes it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import orjson

from tests.e2e.test_cli import run_cli
from tests.integration.test_tracking_ingest import fresh_s10, item
from tests.unit.tracking.builders import T0


def test_import_stops_at_a_bad_line_and_resumes_after_the_fix(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert run_cli("db", "upgrade", db_url=url).returncode == 0
    number = fresh_s10()
    lines = [item(number, code, T0.replace(hour=h)) for h, code in enumerate(["EMA", "EMB", "EMC"])]
    broken = dict(lines[2], occurred_at="2026-05-01 10:00")
    feed = tmp_path / "events.jsonl"
    feed.write_bytes(b"\n".join(orjson.dumps(i) for i in [*lines[:2], broken]) + b"\n")
    failed = run_cli("tracking", "import", str(feed), "--chunk", "2", db_url=url)
    assert failed.returncode == 2
    assert failed.stderr.strip().splitlines()[-1] == (
        "error: line 3: occurred_at: expected an ISO 8601 date-time with a UTC offset, e.g. "
        "2026-05-01T08:00:00+08:00"
    )
    with sqlite3.connect(tmp_path / "cli.db") as connection:
        assert connection.execute("SELECT count(*) FROM tracking_events").fetchone() == (2,)
    feed.write_bytes(b"\n".join(orjson.dumps(i) for i in lines) + b"\n")
    fixed = run_cli("tracking", "import", str(feed), "--chunk", "2", db_url=url)
    assert fixed.returncode == 0, fixed.stderr
    assert fixed.stdout.strip().splitlines()[-1] == (
        "3 events: 1 new, 2 duplicates, 1 unmatched, 0 unmapped"
    )
