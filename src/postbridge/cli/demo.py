"""Demo set-up for the first run: migrate, create the demo merchant, print its key once."""

from __future__ import annotations

import os
from pathlib import Path

from postbridge.bootstrap import build_platform
from postbridge.cli.common import stdout
from postbridge.config import DEFAULT_VAR_DIR, Settings
from postbridge.merchants import service
from postbridge.merchants.models import Role
from postbridge.merchants.repository import MerchantRepository
from postbridge.migrations import upgrade

DEMO_MERCHANT = "Demo Merchant (Shenzhen)"
DEMO_KEY_FILE = DEFAULT_VAR_DIR / "demo-api-key"


def prepare_demo(settings: Settings) -> None:
    upgrade(settings.database_url)
    platform = build_platform(settings)
    with platform.database.unit_of_work() as uow:
        exists = MerchantRepository(uow.session).get_by_name(DEMO_MERCHANT) is not None
    if exists:
        hint = f"its key is in {DEMO_KEY_FILE}" if DEMO_KEY_FILE.exists() else "see README"
        stdout.print(f"demo merchant ready ({hint})")
        return
    with platform.database.unit_of_work() as uow:
        created = service.create_merchant(
            uow=uow, name=DEMO_MERCHANT, role=Role.MERCHANT, pepper=settings.secret_key
        )
    _save_demo_key(DEMO_KEY_FILE, created.token)
    stdout.print(f"created {DEMO_MERCHANT} ({created.merchant_id}); API key, shown once:")
    stdout.print(created.token, markup=False)
    stdout.print(f"(also saved to {DEMO_KEY_FILE}, readable only by you)")
    platform.database.dispose()


def _save_demo_key(path: Path, token: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(token + "\n")
