"""``kill -9`` in the middle of ``postbridge tracking import`` on PostgreSQL (chunks copied and
deduplicated in the database, trackers folded incrementally): the re-run stores every event
exactly once, and the trackers and unmapped counts equal those of a clean import."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from postbridge.migrations import upgrade
from postbridge.storage.engine import normalize_url
from tests.e2e.test_tracking_import_crash import POSTBRIDGE, TRACKER_STATE
from tests.tracking_feed import generate_feed, write_jsonl

pytestmark = pytest.mark.slow

PARCELS = 12_000


@pytest.fixture
def two_databases() -> Iterator[tuple[str, str]]:
    admin = os.environ.get("POSTBRIDGE_TEST_POSTGRES_URL")
    if not admin:
        pytest.skip("PostgreSQL tier: set POSTBRIDGE_TEST_POSTGRES_URL")
    base = make_url(normalize_url(admin)).set(drivername="postgresql")
    names = [f"postbridge_crash_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    with psycopg.connect(base.render_as_string(hide_password=False), autocommit=True) as c:
        for name in names:
            c.execute(f'CREATE DATABASE "{name}"')
    urls = [base.set(database=n).render_as_string(hide_password=False) for n in names]
    try:
        yield urls[0], urls[1]
    finally:
        with psycopg.connect(base.render_as_string(hide_password=False), autocommit=True) as c:
            for name in names:
                c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_import(url: str, feed: Path, *, output: bool = True) -> subprocess.Popen[bytes]:
    env = {**os.environ, "POSTBRIDGE_DATABASE_URL": url}
    return subprocess.Popen(
        [POSTBRIDGE, "tracking", "import", str(feed)], env=env,
        stdout=subprocess.PIPE if output else subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def query(url: str, sql: str) -> set[tuple[object, ...]]:
    with psycopg.connect(url) as connection:
        return set(connection.execute(sql).fetchall())


def stored_events(url: str) -> int:
    (count,) = next(iter(query(url, "SELECT count(*) FROM tracking_events")))
    return int(str(count))


def snapshot(url: str) -> tuple[set[tuple[object, ...]], ...]:
    return (
        query(url, "SELECT fingerprint FROM tracking_events"),
        query(url, TRACKER_STATE),
        query(url, "SELECT partner, code, event_count FROM tracking_unmapped_codes"),
    )


def test_a_killed_import_resumes_to_the_clean_result(
    tmp_path: Path, two_databases: tuple[str, str]
) -> None:
    crashed, clean = two_databases
    items, distinct = generate_feed(parcels=PARCELS)
    feed = write_jsonl(tmp_path / "feed.jsonl", items)
    for url in (crashed, clean):
        upgrade(url)

    victim = start_import(crashed, feed, output=False)
    deadline = time.monotonic() + 60
    while stored_events(crashed) < 15_000:  # three chunks committed
        assert victim.poll() is None, "the import finished before it could be killed"
        assert time.monotonic() < deadline, "no chunk committed within 60 s"
        time.sleep(0.02)
    victim.send_signal(signal.SIGKILL)
    assert victim.wait() == -signal.SIGKILL
    committed = stored_events(crashed)
    assert 15_000 <= committed < distinct

    resumed, reference = start_import(crashed, feed), start_import(clean, feed)
    resumed_out, _ = resumed.communicate(timeout=240)
    reference_out, _ = reference.communicate(timeout=240)
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
