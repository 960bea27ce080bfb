"""Limits at the edge and overload answers, through HTTP: body and header sizes (413, 431),
the rate limit per key (429), load shedding (503), staged uploads and file modes, and
``serve --workers 2``. Streaming cases run on a real uvicorn server on a free port, with raw
sockets where the test must control what is sent and when."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from postbridge.app import create_app
from postbridge.bootstrap import Platform
from postbridge.cli.serve import BOUNDED_HTTP
from postbridge.storage.engine import make_engine
from postbridge.worker.loop import Worker
from postbridge.worker.roles import WorkerRole
from tests.csv_builders import csv_row, csv_text
from tests.e2e.conftest import auth
from tests.e2e.test_worker_crash import free_port, wait_until

POSTBRIDGE = str(Path(sys.executable).parent / "postbridge")


def limited(platform: Platform, tmp_path: Path, **limits: Any) -> Platform:
    """The suite's platform with other edge limits and its own var folder."""
    base = {"rate_limit_per_second": 0, "max_requests_in_flight": 100_000, "var_dir": tmp_path}
    settings = platform.settings.model_copy(update={**base, **limits})
    return replace(platform, settings=settings)


@pytest.fixture
def serve_app() -> Iterator[Any]:
    """Start ``create_app(platform=...)`` on uvicorn in a thread; yields a starter -> port."""
    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(platform: Platform) -> int:
        port = free_port()
        config = uvicorn.Config(
            create_app(platform=platform),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            http=BOUNDED_HTTP,
            h11_max_incomplete_event_size=2 * platform.settings.max_header_bytes,
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        wait_until(lambda: server.started, 20, "uvicorn to start")
        servers.append((server, thread))
        return port

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(timeout=10)


def read_response(connection: socket.socket) -> tuple[int, dict[str, str], dict[str, Any]]:
    """One HTTP/1.1 response with a Content-Length body: status, headers, JSON body."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        assert chunk, f"connection closed before a response: {data!r}"
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    headers = {name.lower(): value for name, value in headers.items()}
    while len(body) < int(headers["content-length"]):
        body += connection.recv(65536)
    return int(lines[0].split(" ")[1]), headers, json.loads(body)


RATES = b'{"origin": {"country": "CN", "postal_code": "518057"}}'


def test_a_declared_length_over_the_limit_is_refused_before_any_byte_of_the_body(
    platform: Platform, tmp_path: Path, serve_app: Any, merchant_key: str
) -> None:
    port = serve_app(limited(platform, tmp_path, max_json_bytes=1024))
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(
            b"POST /v1/rates HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            b"Authorization: Bearer " + merchant_key.encode() + b"\r\n"
            b"Content-Length: 50000000\r\n\r\n"
        )
        status, headers, body = read_response(connection)  # not one body byte sent
    assert status == 413
    assert headers["content-type"] == "application/problem+json"
    assert body["code"] == "payload_too_large"
    assert body["detail"] == "the JSON body exceeds the limit of 1 KiB"
    assert body["limit_bytes"] == 1024


def test_a_chunked_body_is_cut_as_its_count_passes_the_limit_and_the_connection_goes_on(
    platform: Platform, tmp_path: Path, serve_app: Any, merchant_key: str
) -> None:
    port = serve_app(limited(platform, tmp_path, max_json_bytes=1024))
    key = merchant_key.encode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(
            b"POST /v1/rates HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            b"Authorization: Bearer " + key + b"\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"600\r\n" + b" " * 0x600 + b"\r\n"  # 1,536 bytes: over 1 KiB, and more to come
        )
        status, _, body = read_response(connection)
        assert (status, body["code"]) == (413, "payload_too_large")
        # The client ends its body; the server drops it and serves the next request.
        connection.sendall(b"400\r\n" + b" " * 0x400 + b"\r\n0\r\n\r\n")
        connection.sendall(
            b"GET /v1/me HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + key + b"\r\n\r\n"
        )
        status, _, body = read_response(connection)
    assert status == 200
    assert body["role"] == "merchant"


def test_json_within_the_limit_is_served_and_over_it_refused(
    platform: Platform, tmp_path: Path, merchant_key: str
) -> None:
    app = create_app(platform=limited(platform, tmp_path, max_json_bytes=1024))
    with TestClient(app) as client:
        small = client.post("/v1/rates", content=RATES, headers=auth(merchant_key))
        large = client.post(
            "/v1/rates", content=RATES[:-1] + b" " * 1000 + b"}", headers=auth(merchant_key)
        )
    assert small.status_code == 422  # read and validated: the body is incomplete on purpose
    assert large.status_code == 413
    assert large.json()["detail"] == "the JSON body exceeds the limit of 1 KiB"


def test_headers_over_the_limit_answer_431_in_the_app_and_in_the_parser(
    platform: Platform, tmp_path: Path, serve_app: Any
) -> None:
    port = serve_app(limited(platform, tmp_path))
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
        in_app = client.get("/v1/me", headers=auth("a" * 20_000))  # over 16 KiB, under 32
        in_parser = client.get("/v1/me", headers=auth("a" * 1_000_000))  # the 1 MB
    assert in_app.status_code == 431
    assert in_app.json()["detail"] == "the request headers exceed 16 KiB"
    assert in_parser.status_code == 431
    assert in_parser.headers["content-type"] == "application/problem+json"
    assert in_parser.json()["code"] == "headers_too_large"
    assert in_parser.json()["detail"] == "the request headers exceed 32 KiB"


def test_a_head_over_the_parser_cap_in_one_write_is_refused_and_the_server_goes_on(
    platform: Platform, tmp_path: Path, serve_app: Any
) -> None:
    port = serve_app(limited(platform, tmp_path))
    head = b"GET /v1/me?x=1 HTTP/1.1\r\nHost: t\r\nX-Filler: " + b"f" * 40_000 + b"\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(head)
        status, headers, body = read_response(connection)
        assert connection.recv(1) == b""  # closed after the answer, not reset
    assert (status, headers["connection"]) == (431, "close")
    assert body["instance"] == "/v1/me"
    assert body["detail"] == "the request headers exceed 32 KiB"
    assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code == 200


def test_a_key_past_its_burst_gets_429_with_retry_after_and_ratelimit_headers(
    platform: Platform, tmp_path: Path, merchant_key: str, other_merchant_key: str
) -> None:
    # 0.01 token/s: nothing refills during the test, so every figure is exact.
    slow = limited(platform, tmp_path, rate_limit_per_second=0.01, rate_limit_burst=2)
    with TestClient(create_app(platform=slow)) as client:
        first, second, third = (client.get("/v1/me", headers=auth(merchant_key)) for _ in "abc")
        other = client.get("/v1/me", headers=auth(other_merchant_key))
        health = client.get("/healthz")
    assert [first.status_code, second.status_code, third.status_code] == [200, 200, 429]
    assert first.headers["RateLimit-Limit"] == "2"
    assert first.headers["RateLimit-Remaining"] == "1"
    assert first.headers["RateLimit-Reset"] == "100"
    assert second.headers["RateLimit-Remaining"] == "0"
    assert second.headers["RateLimit-Reset"] == "200"
    assert third.headers["Retry-After"] == "100"
    assert third.headers["RateLimit-Remaining"] == "0"
    assert third.headers["content-type"] == "application/problem+json"
    assert third.json()["code"] == "rate_limited"
    assert third.json()["detail"] == (
        "this API key is limited to 0.01 requests per second (bursts of 2); retry after 100 s"
    )
    assert (other.status_code, other.headers["RateLimit-Remaining"]) == (200, "1")
    assert "RateLimit-Limit" not in health.headers


def test_past_the_in_flight_bound_requests_are_shed_with_503_and_probes_still_answer(
    platform: Platform, tmp_path: Path, serve_app: Any, merchant_key: str
) -> None:
    port = serve_app(limited(platform, tmp_path, max_requests_in_flight=1))
    with socket.create_connection(("127.0.0.1", port), timeout=10) as held:
        # One request in flight: its body is promised and not sent, so the app waits for it.
        held.sendall(
            b"POST /v1/rates HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            b"Authorization: Bearer " + merchant_key.encode() + b"\r\n"
            b"Content-Length: 100\r\n\r\n{"
        )
        time.sleep(0.3)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            shed = client.get("/v1/shipments?limit=1", headers=auth(merchant_key))
            probe = client.get("/healthz")
            page = client.get("/docs")  # the console's pages and assets are not shed
            held.sendall(b" " * 98 + b"}")
            status, _, _ = read_response(held)
            after = client.get("/v1/me", headers=auth(merchant_key))
    assert shed.status_code == 503
    assert shed.headers["Retry-After"] == "1"
    assert shed.headers["content-type"] == "application/problem+json"
    assert shed.json()["code"] == "overloaded"
    assert shed.json()["detail"] == "1 requests are already in progress; retry after 1 s"
    assert probe.status_code == 200
    assert page.status_code == 200
    assert status == 422  # the held request was served once its body came
    assert after.status_code == 200


def test_an_upload_over_its_limit_answers_413_and_leaves_no_staged_file(
    platform: Platform, tmp_path: Path, merchant_key: str
) -> None:
    app = create_app(platform=limited(platform, tmp_path, max_upload_bytes=1024))
    with TestClient(app) as client:
        in_route = client.post(
            "/v1/shipment-batches",
            files={"file": ("big.csv", b"x" * 2000, "text/csv")},
            headers=auth(merchant_key),
        )
        at_edge = client.post(
            "/v1/shipment-batches",
            files={"file": ("huge.csv", b"x" * 70_000, "text/csv")},
            headers=auth(merchant_key),
        )
    assert in_route.status_code == 413
    assert in_route.json()["code"] == "payload_too_large"
    assert in_route.json()["detail"] == "file: larger than 1 KiB; split the file"
    assert at_edge.status_code == 413
    assert at_edge.json()["detail"] == "the upload exceeds the limit of 65 KiB"
    assert list((tmp_path / "batches").iterdir()) == []


def test_a_stored_upload_and_a_new_sqlite_file_are_readable_by_their_owner_only(
    platform: Platform, tmp_path: Path, merchant_key: str
) -> None:
    with TestClient(create_app(platform=limited(platform, tmp_path))) as client:
        answer = client.post(
            "/v1/shipment-batches",
            files={"file": ("orders.csv", csv_text([csv_row("MODE-CHECK")]).encode(), "text/csv")},
            headers=auth(merchant_key),
        )
    assert answer.status_code == 202
    [stored] = (tmp_path / "batches").iterdir()
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    engine = make_engine(f"sqlite:///{tmp_path / 'db' / 'new.db'}")
    with engine.connect():
        pass
    engine.dispose()
    assert stat.S_IMODE((tmp_path / "db" / "new.db").stat().st_mode) == 0o600


@pytest.mark.slow
def test_serve_with_two_workers_runs_two_api_processes_one_job_worker_two_event_workers(
    tmp_path: Path,
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "POSTBRIDGE_DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'postbridge.db'}",
        "POSTBRIDGE_VAR_DIR": str(tmp_path / "var"),
    }
    with (tmp_path / "serve.log").open("wb") as log:
        server = subprocess.Popen(
            [POSTBRIDGE, "serve", "--demo", "--workers", "2", "--port", str(port)],
            cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"

        def healthy() -> bool:
            try:
                return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(healthy, 90, "serve --workers 2 to answer /healthz", every=0.2)
        key = (tmp_path / "var" / "demo-api-key").read_text().strip()
        answers = [httpx.get(f"{url}/v1/me", headers=auth(key), timeout=5) for _ in range(4)]
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        commands = [Path(f"/proc/{child}/cmdline").read_bytes() for child in children]
        api_processes = [command for command in commands if b"spawn_main" in command]
        workers = sorted(
            command.split(b"\x00worker\x00", 1)[1]
            for command in commands
            if b"postbridge.cli.main\x00worker\x00" in command
        )
    finally:
        server.terminate()
        server.wait(30)
    assert [answer.status_code for answer in answers] == [200, 200, 200, 200]
    assert len(api_processes) == 2  # uvicorn's two worker processes (beside its resource tracker)
    # The worker processes stay the same whatever the API processes: two event workers, jobs.
    assert workers == [b"--role\x00events\x00"] * 2 + [b"--role\x00jobs\x00"]


def test_healthz_answers_within_100_ms_while_hostile_amounts_hit_the_rates(
    platform: Platform, tmp_path: Path, serve_app: Any, merchant_key: str
) -> None:
    """The amount that froze the server for 33 s (issue #10) is refused at once, and the
    process keeps answering its probe meanwhile."""
    from tests.e2e.test_hostile_amounts import RATES

    port = serve_app(limited(platform, tmp_path))
    hostile = {**RATES, "declared_value": {"amount": "1E999990", "currency": "USD"}}
    answers: list[httpx.Response] = []
    done = threading.Event()

    def attack() -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            while not done.is_set():
                answers.append(client.post("/v1/rates", json=hostile, headers=auth(merchant_key)))

    attackers = [threading.Thread(target=attack) for _ in range(3)]
    for attacker in attackers:
        attacker.start()
    waits: list[float] = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as probe:
        for _ in range(20):
            started = time.perf_counter()
            assert probe.get("/healthz").status_code == 200
            waits.append(time.perf_counter() - started)
            time.sleep(0.02)
    done.set()
    for attacker in attackers:
        attacker.join(timeout=30)
    assert len(answers) >= 3
    assert {response.status_code for response in answers} == {422}
    assert {response.json()["errors"][0]["field"] for response in answers} == {
        "declared_value.amount"
    }
    # 19 of 20 probes within 100 ms and none near a second: one scheduling hiccup of a shared
    # CI machine must not fail the suite (measured beside a bulk-capture bench: 14-18 ms).
    slowest = sorted(waits)
    assert slowest[-2] < 0.1, f"/healthz waits ms: {[round(w * 1000) for w in slowest]}"
    assert slowest[-1] < 1.0, f"/healthz waits ms: {[round(w * 1000) for w in slowest]}"


def test_the_job_worker_removes_uploads_past_their_retention(
    platform: Platform, tmp_path: Path
) -> None:
    folder = tmp_path / "batches"
    folder.mkdir()
    old, recent = folder / "upl_old.csv", folder / "upl_recent.csv"
    for path, days in ((old, 8), (recent, 6)):
        path.write_text("reference\nR1\n")
        when = time.time() - days * 86_400
        os.utime(path, (when, when))
    worker = Worker(limited(platform, tmp_path, upload_retention_days=7), role=WorkerRole.JOBS)

    worker.step()

    assert sorted(p.name for p in folder.iterdir()) == ["upl_recent.csv"]
