"""``kill -9`` in the middle of ``postbridge tracking import``, end to end: the CLI as a
subprocess on a temporary SQLite database, a 126k-line feed (5% resent, 10% out of order), a
kill once a few chunks are committed, a re-run. Every event must be stored exactly once, and
the trackers and unmapped-code counts must equal those of a clean import of the same file."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from postbridge.migrations import upgrade
from tests.tracking_feed import generate_feed, write_jsonl

pytestmark = pytest.mark.slow

POSTBRIDGE = str(Path(sys.executable).parent / "postbridge")
PARCELS = 12_000
TRACKER_STATE = (
    "SELECT tracking_number, owner_key, status, reason, action, milestone, last_event_at,"
    " delivered_at, event_count, unmapped_events, excluded_events FROM trackers"
)


def start_import(database: Path, feed: Path, *, output: bool = True) -> subprocess.Popen[bytes]:
    env = {**os.environ, "POSTBRIDGE_DATABASE_URL": f"sqlite:///{database}"}
    return subprocess.Popen(
        [POSTBRIDGE, "tracking", "import", str(feed)], env=env,
        stdout=subprocess.PIPE if output else subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def stored_events(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        return int(connection.execute("SELECT count(*) FROM tracking_events").fetchone()[0])


def snapshot(database: Path) -> tuple[set[tuple[object, ...]], ...]:
    with sqlite3.connect(database) as connection:
        return (
            set(connection.execute("SELECT fingerprint FROM tracking_events")),
            set(connection.execute(TRACKER_STATE)),
            set(
                connection.execute("SELECT partner, code, event_count FROM tracking_unmapped_codes")
            ),
        )


def test_a_killed_import_resumes_to_the_clean_result(tmp_path: Path) -> None:
    items, distinct = generate_feed(parcels=PARCELS)
    feed = write_jsonl(tmp_path / "feed.jsonl", items)
    crashed, clean = tmp_path / "crashed.db", tmp_path / "clean.db"
    for database in (crashed, clean):
        upgrade(f"sqlite:///{database}")

    victim = start_import(crashed, feed, output=False)
    deadline = time.monotonic() + 40
    while stored_events(crashed) < 15_000:  # three chunks committed
        assert victim.poll() is None, "the import finished before it could be killed"
        assert time.monotonic() < deadline, "no chunk committed within 40 s"
        time.sleep(0.05)
    victim.send_signal(signal.SIGKILL)
    assert victim.wait() == -signal.SIGKILL
    committed = stored_events(crashed)
    assert 15_000 <= committed < distinct

    resumed, reference = start_import(crashed, feed), start_import(clean, feed)
    resumed_out, _ = resumed.communicate(timeout=120)
    reference_out, _ = reference.communicate(timeout=120)
    assert (resumed.returncode, reference.returncode) == (0, 0)
    assert reference_out.decode().strip().splitlines()[-1] == (
        f"{len(items)} events: {distinct} new, {len(items) - distinct} duplicates, "
        f"{distinct} unmatched, {PARCELS // 97 + 1} unmapped"
    )
    resumed_summary = resumed_out.decode().strip().splitlines()[-1]
    assert resumed_summary.startswith(f"{len(items)} events: {distinct - committed} new, ")

    assert stored_events(crashed) == distinct
    events, trackers, unmapped = snapshot(crashed)
    assert (events, trackers, unmapped) == snapshot(clean)
    assert len(trackers) == PARCELS
    assert unmapped == {("chinapost", "ZZX", PARCELS // 97 + 1)}
