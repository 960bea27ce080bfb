"""``kill -9`` of the API server while USPS pushes tracking notifications to its listener, end
to end: ``postbridge serve --demo`` as a subprocess, signed notifications posted one after
another, the server killed mid-stream and started again with the same command, and every
notification not acknowledged posted again (as USPS does, with some acknowledged ones repeated
too). Every event acknowledged before the kill is stored, every event is stored once."""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from postbridge.carriers.usps.settings import DEMO_SUBSCRIPTION_SECRET
from postbridge.handover.tracking_push import listener_url
from postbridge.sandbox.webhooks import headers_for, notification_body
from tests.e2e.test_worker_crash import Running, gone, wait_until

pytestmark = pytest.mark.slow

NOTIFICATIONS = 400
NUMBER = "9374890123400000000093"
START = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def notification(n: int) -> tuple[str, dict[str, str]]:
    """The n-th scan of one parcel, each a distinct event (its own minute)."""
    at = START + timedelta(minutes=n)
    event = {
        "eventType": "In Transit to Next Facility", "eventCode": "NT",
        "eventTimestamp": at.strftime("%Y-%m-%dT%H:%M:%S"), "GMTOffset": "+00:00",
        "GMTTimestamp": at.strftime("%Y-%m-%dT%H:%M:%SZ"), "eventCity": "CHICAGO",
        "eventState": "IL", "eventZIPCode": "60666", "eventCountry": "US",
    }  # fmt: skip
    text, _payload = notification_body(
        subscription_id="sub-crash",
        timestamp=at.isoformat().replace("+00:00", "Z"),
        detail={"trackingNumber": NUMBER, "status": "In Transit", "trackingEvents": [event]},
    )
    return text, headers_for(DEMO_SUBSCRIPTION_SECRET, text)


def stored(folder: Path) -> list[str]:
    with sqlite3.connect(folder / "var" / "postbridge.db") as database:
        rows = database.execute(
            "SELECT occurred_at FROM tracking_events WHERE tracking_number = ?", (NUMBER,)
        ).fetchall()
    return [row[0] for row in rows]


def test_killing_the_listener_mid_stream_loses_no_acknowledged_event(tmp_path: Path) -> None:
    running = Running(tmp_path)
    notes = [notification(n) for n in range(NOTIFICATIONS)]
    acknowledged: set[int] = set()
    path = listener_url("", "USPS")
    try:
        running.start()
        url = running.url

        def push() -> None:
            with httpx.Client(base_url=url, timeout=5) as client:
                for n, (body, headers) in enumerate(notes):
                    try:
                        answer = client.post(path, content=body, headers=headers)
                    except httpx.HTTPError:
                        return  # the server is gone: the rest waits for it to come back
                    if answer.status_code == 200:
                        acknowledged.add(n)

        pusher = threading.Thread(target=push)
        pusher.start()
        wait_until(lambda: len(acknowledged) >= 40, 60, "the first acknowledgements")
        server = running.server.pid
        os.kill(server, signal.SIGKILL)
        wait_until(lambda: gone(server), 10, "the killed server to go")
        pusher.join(30)
        at_kill = set(acknowledged)
        assert 40 <= len(at_kill) < NOTIFICATIONS  # the kill landed mid-stream
        before_restart = len(stored(tmp_path))
        assert before_restart >= len(at_kill)  # acknowledged means committed

        running.start()  # the README's run command again
        with httpx.Client(base_url=running.url, timeout=10) as client:
            # USPS posts again what was not acknowledged, and now and then what was.
            again = [n for n in range(NOTIFICATIONS) if n not in at_kill] + sorted(at_kill)[:20]
            answers = [client.post(path, content=notes[n][0], headers=notes[n][1]) for n in again]
    finally:
        running.stop()

    assert {a.status_code for a in answers} == {200}
    times = stored(tmp_path)
    assert len(times) == NOTIFICATIONS  # every scan, each once
    assert len(set(times)) == NOTIFICATIONS
    repeated = [a.json() for a in answers[-20:]]
    assert all((r["accepted"], r["duplicates"]) == (0, 1) for r in repeated)
