"""``kill -9`` mid-batch, end to end: the real platform (``postbridge serve --demo`` with its
worker) as subprocesses on a temporary SQLite database, a 20k-row upload with bad rows, a kill
while chunks are being committed, and a restart. The batch must complete on its own with every
good row booked exactly once (and announced once in the outbox) and every bad row reported."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.csv_builders import csv_row, csv_text

pytestmark = pytest.mark.slow

ROWS = 20_000
LEASE_SECONDS = 2
POSTBRIDGE = str(Path(sys.executable).parent / "postbridge")


def big_file(tag: str) -> tuple[str, set[int], set[int]]:
    """The CSV text, its good lines and its bad lines (every 50th parcel weighs 'heavy')."""
    rows, good, bad = [], set(), set()
    for n in range(ROWS):
        line = n + 2
        if n % 50 == 7:
            rows.append(csv_row(f"{tag}-{n:05d}", weight_g="heavy"))
            bad.add(line)
        else:
            rows.append(csv_row(f"{tag}-{n:05d}"))
            good.add(line)
    return csv_text(rows), good, bad


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        text = (task / "children").read_text().split()
        found.extend(int(child) for child in text)
    return found


def worker_role(pid: int) -> str | None:
    try:
        arguments = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\x00")
    except FileNotFoundError:
        return None
    if b"--role" not in arguments:
        return None
    return arguments[arguments.index(b"--role") + 1].decode()


def gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state == "Z"


def wait_until(condition: Any, timeout: float, what: str, every: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Running:
    """``postbridge serve --demo`` (the README's run command) in ``folder``, on a free port."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.env = {
            **os.environ,
            "POSTBRIDGE_DATABASE_URL": f"sqlite:///{folder / 'var' / 'postbridge.db'}",
            "POSTBRIDGE_VAR_DIR": str(folder / "var"),
            "POSTBRIDGE_WORKER_LEASE_SECONDS": str(LEASE_SECONDS),
            "POSTBRIDGE_WORKER_POLL_SECONDS": "0.2",
        }
        self.processes: list[subprocess.Popen[bytes]] = []
        self.spawned: set[int] = set()
        self.arguments: list[str] = []  # more options for serve (``--sandbox``)

    def start(self) -> None:
        # The child keeps its own copy of the descriptor: ours closes at once.
        with (self.folder / f"serve-{len(self.processes)}.log").open("wb") as log:
            server = subprocess.Popen(
                [POSTBRIDGE, "serve", "--demo", "--port", str(self.port), *self.arguments],
                cwd=self.folder, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        self.processes.append(server)
        self.spawned.add(server.pid)
        wait_until(self._healthy, 60, "the server to answer /healthz", every=0.2)
        self.spawned.update(self.worker_pids())

    def _healthy(self) -> bool:
        try:
            return httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    @property
    def server(self) -> subprocess.Popen[bytes]:
        return self.processes[-1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        """serve's workers: ``--role jobs``, and two ``--role events`` (relay, deliveries)."""
        return wait_until(
            lambda: found if len(found := children(self.server.pid)) >= 3 else [], 10,
            "the workers to start",
        )  # fmt: skip

    def worker_pid(self, role: str, *, other_than: Collection[int] = ()) -> int:
        """A ``worker --role ROLE`` child of the server (a new one, not in ``other_than``)."""

        def find() -> list[int]:
            return [
                pid
                for pid in children(self.server.pid)
                if worker_role(pid) == role and pid not in other_than
            ]

        return int(wait_until(find, 20, f"the {role} worker")[0])

    def worker_pids_of(self, role: str) -> set[int]:
        return {pid for pid in children(self.server.pid) if worker_role(pid) == role}

    def headers(self) -> dict[str, str]:
        key = (self.folder / "var" / "demo-api-key").read_text().strip()
        return {"Authorization": f"Bearer {key}"}

    def batch(self, batch_id: str) -> dict[str, Any]:
        response = httpx.get(f"{self.url}/v1/shipment-batches/{batch_id}", headers=self.headers())
        return dict(response.json())

    def upload(self, text: str) -> str:
        response = httpx.post(
            f"{self.url}/v1/shipment-batches", headers=self.headers(), timeout=60,
            files={"file": ("orders.csv", text.encode(), "text/csv")},
        )  # fmt: skip
        assert response.status_code == 202, response.text
        return str(response.json()["id"])

    def kill_mid_batch(self, batch_id: str, pids: list[int]) -> dict[str, Any]:
        """SIGKILL ``pids`` once a chunk or more is committed, well before the end."""
        polled = wait_until(
            lambda: (b := self.batch(batch_id))["rows_booked"] > 0 and b, 60, "a first chunk"
        )
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        wait_until(lambda: all(gone(pid) for pid in pids), 10, "the killed processes to go")
        return dict(polled)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        for pid in self.spawned:  # a worker orphaned by the test's own kill -9 of its server
            if not gone(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture
def platform_in(tmp_path: Path) -> Iterator[Running]:
    running = Running(tmp_path)
    try:
        yield running
    finally:
        running.stop()


def assert_booked_exactly_once(
    running: Running, batch_id: str, good: set[int], bad: set[int]
) -> None:
    done = wait_until(
        lambda: (b := running.batch(batch_id))["status"] == "completed" and b, 60, "the batch"
    )
    assert (done["rows_booked"], done["rows_failed"]) == (len(good), len(bad))
    with sqlite3.connect(running.folder / "var" / "postbridge.db") as database:
        per_row = database.execute(
            "SELECT batch_row, COUNT(*) FROM shipments WHERE batch_id = ? GROUP BY batch_row",
            (batch_id,),
        ).fetchall()
        announced = database.execute(
            "SELECT COUNT(*), COUNT(DISTINCT aggregate_key) FROM outbox_events "
            "WHERE type = 'shipment.booked' AND json_extract(payload, '$.batch_id') = ?",
            (batch_id,),
        ).fetchone()
    assert {row for row, _ in per_row} == good
    assert {count for _, count in per_row} == {1}
    assert announced == (len(good), len(good))
    rejected = httpx.get(
        f"{running.url}/v1/shipment-batches/{batch_id}/results?format=json&only=rejected",
        headers=running.headers(), timeout=60,
    ).json()["results"]  # fmt: skip
    assert {row["row"] for row in rejected} == bad
    assert {row["field"] for row in rejected} == {"weight_g"}


def test_killing_the_server_and_its_worker_mid_batch(platform_in: Running) -> None:
    text, good, bad = big_file("KILLALL")
    platform_in.start()
    batch_id = platform_in.upload(text)

    seen = platform_in.kill_mid_batch(
        batch_id, [*platform_in.worker_pids(), platform_in.server.pid]
    )

    assert seen["status"] == "processing"
    assert 0 < seen["rows_booked"] < len(good)
    platform_in.start()  # the same command again: the new worker reclaims the expired lease
    assert_booked_exactly_once(platform_in, batch_id, good, bad)


def test_killing_the_worker_alone_mid_batch(platform_in: Running) -> None:
    text, good, bad = big_file("KILLWORKER")
    platform_in.start()
    batch_id = platform_in.upload(text)
    worker = platform_in.worker_pid("jobs")

    seen = platform_in.kill_mid_batch(batch_id, [worker])

    assert 0 < seen["rows_booked"] < len(good)
    # The server starts a new worker, which claims the job once the dead one's lease expires.
    platform_in.spawned.add(platform_in.worker_pid("jobs", other_than={worker}))
    assert_booked_exactly_once(platform_in, batch_id, good, bad)
    with sqlite3.connect(platform_in.folder / "var" / "postbridge.db") as database:
        (attempts, status) = database.execute(
            "SELECT attempts, status FROM jobs WHERE dedupe_key = ?",
            (f"bulk.run_batch:{batch_id}",),
        ).fetchone()
    assert (attempts, status) == (2, "done")
