"""``postbridge sandbox serve|advance|clock`` and ``postbridge simulate``: the partner sandbox."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

import httpx
import typer

from postbridge.cli.common import fail, one_line_errors, stdout
from postbridge.config import get_settings
from postbridge.kit.structured_logs import logging_config

app = typer.Typer(
    help="The partner sandbox: USPS, every other post and the origin scanners on one machine.",
    no_args_is_help=True,
)
CALL_TIMEOUT_S = 30.0


def _url() -> str:
    return get_settings().sandbox_url.rstrip("/")


@app.command("serve")
@one_line_errors
def serve(
    host: str = typer.Option(None, help="Bind address (default: POSTBRIDGE_SANDBOX_URL's host)."),
    port: int = typer.Option(None, help="Port (default: POSTBRIDGE_SANDBOX_URL's port)."),
    seed: int = typer.Option(None, "--seed", help="Seed of the reality model (default: its own)."),
    db: Path = typer.Option(None, "--db", help="SQLite file (default: <var>/sandbox.db)."),
    start: datetime = typer.Option(
        None,
        "--start",
        help="A new world's clock, UTC (default: this hour).",
        formats=["%Y-%m-%dT%H:%M"],
    ),
    reality: Path = typer.Option(None, "--reality", help="Another reality model file."),
    flaky: bool = typer.Option(
        False, "--flaky", help="Partners answer 500 or 429 now and then (reality.yaml `flaky`)."
    ),
) -> None:
    """Serve the partner sandbox (USPS v3, the UPU-style exchange, origin pre-alerts)."""
    import uvicorn

    from postbridge.sandbox.app import create_sandbox_app
    from postbridge.sandbox.sandbox import build_sandbox, sandbox_db_url

    settings = get_settings()
    where = urlparse(settings.sandbox_url)
    url = f"sqlite:///{db}" if db else sandbox_db_url(settings.var_dir)
    sandbox = build_sandbox(
        url=url,
        seed=seed,
        start=start.replace(tzinfo=UTC) if start else None,
        reality_file=reality,
    )
    bind_host, bind_port = host or where.hostname or "127.0.0.1", port or where.port or 8001
    stdout.print(f"partner sandbox on http://{bind_host}:{bind_port} (clock {sandbox.world.now()})")
    uvicorn.run(
        create_sandbox_app(sandbox, flaky=flaky),
        host=bind_host,
        port=bind_port,
        log_level="warning",
        log_config=logging_config("warning"),
    )


@app.command("advance")
@one_line_errors
def advance(
    hours: float = typer.Option(..., "--hours", min=0, help="Simulated hours to move on."),
) -> None:
    """Move the sandbox's clock on; every event whose time has come is emitted."""
    try:
        response = httpx.post(
            f"{_url()}/sandbox/v1/clock/advance", json={"hours": hours}, timeout=CALL_TIMEOUT_S
        )
    except httpx.HTTPError as error:
        raise fail(f"sandbox at {_url()}: {error}") from None
    if response.status_code != 200:
        raise fail(f"sandbox at {_url()} answered {response.status_code}: {response.text[:200]}")
    moved = response.json()
    stdout.print(
        f"now {moved['now']}: {moved['emitted']} events emitted, "
        f"{moved['notifications_delivered']} webhook notifications delivered"
    )


@app.command("clock")
@one_line_errors
def clock() -> None:
    """Print the sandbox's simulated time."""
    try:
        response = httpx.get(f"{_url()}/sandbox/v1/clock", timeout=CALL_TIMEOUT_S)
    except httpx.HTTPError as error:
        raise fail(f"sandbox at {_url()}: {error}") from None
    stdout.print(response.json()["now"])


@one_line_errors
def simulate(
    parcels: int = typer.Option(100_000, "--parcels", min=1, max=50_000_000),
    days: int = typer.Option(30, "--days", min=1, max=366, help="Days over which they are booked."),
    seed: int = typer.Option(None, "--seed", help="Seed (default: the reality model's)."),
) -> None:
    """Drive parcels through the sandbox's reality model (vectorised); print what happened."""
    import resource

    from postbridge.sandbox.reality import load_reality
    from postbridge.sandbox.simulate import simulate as run

    reality = load_reality()
    result = run(
        parcels=parcels, days=days, reality=reality, seed=reality.seed if seed is None else seed
    )
    stdout.print(f"{'partner':<10} {'parcels':>9} {'delivered':>9} {'returned':>8} {'lost':>6} "
                 f"{'held':>7} {'events':>10} {'p50 d':>6} {'p90 d':>6}")  # fmt: skip
    for lane in result.lanes:
        stdout.print(
            f"{lane.partner:<10} {lane.parcels:>9} {lane.delivered:>9} {lane.returned:>8} "
            f"{lane.lost:>6} {lane.customs_held:>7} {lane.events:>10} "
            f"{lane.door_to_door_p50_days:>6.1f} {lane.door_to_door_p90_days:>6.1f}"
        )
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    stdout.print(
        f"{result.parcels} parcels over {result.days} days in {result.seconds:.2f} s; "
        f"peak memory {peak_mib:.0f} MiB"
    )
