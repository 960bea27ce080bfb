"""``postbridge serve``: the API, /docs and the console, with ``postbridge worker`` beside it
and, with ``--sandbox``, the partner sandbox (``postbridge sandbox serve``) that plays the posts.

Each is a child process started with PR_SET_PDEATHSIG, so it dies with the server even on
``kill -9``; on a normal exit the server stops it with SIGTERM (a running batch gives its job
back at its next chunk) and waits for it. A child that exits on its own is started again.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import typer

from postbridge.bootstrap import refuse_development_defaults
from postbridge.carriers.usps import UspsSettings
from postbridge.cli.common import one_line_errors, stderr, stdout
from postbridge.config import get_settings
from postbridge.kit.processes import die_with_parent
from postbridge.kit.structured_logs import configure_logging, logging_config

CHILD_STOP_SECONDS = 30
CHILD_RESTART_SECONDS = 2.0
BOUNDED_HTTP = "postbridge.api.http_protocol:HeaderBoundedProtocol"


class ChildProcess:
    """A ``postbridge`` command (``worker``, ``sandbox serve``) as a supervised child."""

    def __init__(self, name: str, *arguments: str) -> None:
        self.name = name
        self._arguments = arguments
        self._process: subprocess.Popen[bytes] | None = None
        self._stopping = False
        self._supervisor = threading.Thread(target=self._supervise, daemon=True)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        self._spawn()
        self._supervisor.start()

    def _spawn(self) -> None:
        # The kernel sends the death signal when the spawning *thread* ends: the main thread
        # (until uvicorn returns) or the supervisor (until stop()); both outlive the worker.
        parent = os.getpid()
        self._process = subprocess.Popen(
            [sys.executable, "-m", "postbridge.cli.main", *self._arguments],
            preexec_fn=lambda: die_with_parent(parent),
        )

    def _supervise(self) -> None:
        while not self._stopping:
            process = self._process
            if process is not None and process.poll() is not None and not self._stopping:
                stderr.print(f"{self.name} exited with status {process.returncode}; restarting")
                time.sleep(CHILD_RESTART_SECONDS)
                if not self._stopping:
                    self._spawn()
            time.sleep(0.5)

    def stop(self) -> None:
        self._stopping = True
        process = self._process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(CHILD_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@one_line_errors
def serve(
    host: str = typer.Option(None, help="Bind address (default from POSTBRIDGE_HOST)."),
    port: int = typer.Option(None, help="Port (default from POSTBRIDGE_PORT)."),
    demo: bool = typer.Option(False, "--demo", help="Migrate and seed the demo merchant first."),
    no_worker: bool = typer.Option(
        False, "--no-worker", help="Do not start the worker (run `postbridge worker` yourself)."
    ),
    sandbox: bool = typer.Option(
        False, "--sandbox", help="Also start the partner sandbox on POSTBRIDGE_SANDBOX_URL."
    ),
    workers: int = typer.Option(
        1, "--workers", min=1, help="API processes (uvicorn workers); the job worker stays one."
    ),
    event_workers: int = typer.Option(
        2,
        "--event-workers",
        min=1,
        max=32,
        help="Event worker processes (outbox relay and webhook deliveries).",
    ),
) -> None:
    """Serve the API, /docs and the web console, and run the worker beside them."""
    import uvicorn

    from postbridge.app import create_app
    from postbridge.cli.demo import prepare_demo

    settings = get_settings()
    configure_logging(settings.log_level)
    # Before any child starts: a production server on development defaults starts nothing.
    refuse_development_defaults(settings, UspsSettings())
    if demo:
        prepare_demo(settings)
    bind_host = host or settings.host
    bind_port = port or settings.port
    children = []
    if sandbox:  # first: the worker's partner calls go to it
        children.append(ChildProcess("partner sandbox", "sandbox", "serve"))
    if not no_worker:
        # The jobs in one process, the events (outbox relay, webhooks) in their own (worker.loop):
        # two event workers by default, one per core of the machine the platform is sized for,
        # since webhook delivery is CPU-bound (bench/webhooks.py: 1,700 deliveries/s with one,
        # 2,500 with two on 2 cores).
        children.append(ChildProcess("job worker", "worker", "--role", "jobs"))
        for number in range(1, event_workers + 1):
            children.append(ChildProcess(f"event worker {number}", "worker", "--role", "events"))
    for child in children:
        child.start()
        stdout.print(f"{child.name} started (pid {child.pid})")
    if sandbox:
        stdout.print(f"partner sandbox on {settings.sandbox_url}")
    stdout.print(f"postbridge on http://{bind_host}:{bind_port}  (API docs: /docs)")
    try:
        # Headers over max_header_bytes answer 431 inside the app (api.limits); the protocol
        # (httptools, bounded) stops at twice that, with the same 431 and no reset
        # (api.http_protocol).
        header_cap = 2 * settings.max_header_bytes
        if workers > 1:
            # Several processes need an import string: each builds its app from the
            # environment (create_app() with no arguments), so --demo must come first.
            uvicorn.run(
                "postbridge.app:create_app",
                factory=True,
                workers=workers,
                # uvicorn restarts a worker that does not answer its supervisor's ping within
                # 5 s; on a loaded 2-core machine a child importing the app takes longer than
                # that and was killed in a loop, so only a worker silent for a minute is hung.
                timeout_worker_healthcheck=60,
                host=bind_host,
                port=bind_port,
                log_level=settings.log_level,
                log_config=logging_config(settings.log_level),
                access_log=False,  # api.request_ids logs each request, with its id
                http=BOUNDED_HTTP,
                h11_max_incomplete_event_size=header_cap,
            )
        else:
            uvicorn.run(
                create_app(settings),
                host=bind_host,
                port=bind_port,
                log_level=settings.log_level,
                log_config=logging_config(settings.log_level),
                access_log=False,
                http=BOUNDED_HTTP,
                h11_max_incomplete_event_size=header_cap,
            )
    finally:
        for child in reversed(children):
            child.stop()
