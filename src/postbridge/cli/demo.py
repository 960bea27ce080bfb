"""Demo set-up for the first run: migrate, create the demo merchant, print its key once."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from postbridge.bootstrap import Platform, build_platform
from postbridge.bulk import batches
from postbridge.cli.common import stdout
from postbridge.config import Settings
from postbridge.merchants import service
from postbridge.merchants.models import Role
from postbridge.migrations import upgrade

DEMO_MERCHANT = "Demo Merchant (Shenzhen)"
DEMO_KEY_NAME = "demo-api-key"


def prepare_demo(settings: Settings) -> None:
    upgrade(settings.database_url)
    platform = build_platform(settings)
    key_file = settings.var_dir / DEMO_KEY_NAME
    exists = service.merchant_named(database=platform.database, name=DEMO_MERCHANT) is not None
    if exists:
        hint = f"its key is in {key_file}" if key_file.exists() else "see README"
        stdout.print(f"demo merchant ready ({hint})")
        return
    created = service.create_merchant(
        database=platform.database,
        name=DEMO_MERCHANT,
        role=Role.MERCHANT,
        pepper=settings.secret_key,
    )
    _save_demo_key(key_file, created.token)
    # One short line per fact, never wrapped by the console (soft_wrap): a terminal of 80
    # columns breaks a long path, not a sentence in the middle.
    for line in (
        f"created {DEMO_MERCHANT}: {created.merchant_id}",
        "its API key, shown once:",
        created.token,
        "also saved, readable only by you, to:",
        f"  {key_file}",
    ):
        stdout.print(line, markup=False, highlight=False, soft_wrap=True)
    _book_demo_orders(platform, created.merchant_id)
    platform.database.dispose()


def _book_demo_orders(platform: Platform, merchant_id: str) -> None:
    """Book the sample orders through the bulk path, so the console and API show real routes.
    The last sample row is wrong on purpose (a New York ZIP with Texas) to show a rejection.

    Booked here, in the CLI's own process, not queued: a dozen rows take a moment, the worker
    is not running yet when ``serve --demo`` seeds, and the first screen can then print the
    outcome. Their events go to the outbox like any other and the worker relays them."""
    source = resources.files("postbridge.cli").joinpath("data/demo_orders.csv")
    with resources.as_file(source) as path:
        batch, _ = batches.open_batch(
            database=platform.database,
            merchant_id=merchant_id,
            batch_key="demo-orders",
            file_name=path.name,
            sha256=batches.file_sha256(path),
        )
        batch = batches.run_batch(deps=platform.booking, batch_id=batch.id, source=path)
    for line in (
        f"booked {batch.rows_booked} demo orders, rejected {batch.rows_failed}; outcomes:",
        f"  GET /v1/shipment-batches/{batch.id}/results",
    ):
        stdout.print(line, markup=False, highlight=False, soft_wrap=True)


def _save_demo_key(path: Path, token: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(token + "\n")
