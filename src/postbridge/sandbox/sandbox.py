"""The sandbox put together: its world, its USPS, and how faults and errors are answered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from postbridge.sandbox.reality import Reality, load_reality
from postbridge.sandbox.rules import Rules, load_rules
from postbridge.sandbox.store import open_store
from postbridge.sandbox.usps import UspsSandbox
from postbridge.sandbox.webhooks import WebhookSender, http_sender
from postbridge.sandbox.world import World


@dataclass(frozen=True, slots=True)
class Sandbox:
    world: World
    usps: UspsSandbox
    reality: Reality
    rules: Rules

    def advance(self, delta: timedelta) -> dict[str, Any]:
        now, emitted = self.world.advance(delta)
        delivered = self.usps.push_notifications()
        return {"now": now, "emitted": emitted, "notifications_delivered": delivered}


def default_start() -> datetime:
    """A new world starts at the current hour (UTC), so bookings made now are in its present."""
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def build_sandbox(
    *,
    url: str,
    seed: int | None = None,
    start: datetime | None = None,
    reality_file: Path | None = None,
    rules_file: Path | None = None,
    sender: WebhookSender = http_sender,
) -> Sandbox:
    """A sandbox on the database at ``url`` (created if new). ``start`` sets a new world's
    clock; an existing database keeps its own."""
    reality = load_reality(reality_file)
    rules = load_rules(rules_file)
    engine = open_store(url)
    world = World(
        engine,
        reality=reality,
        rules=rules,
        seed=reality.seed if seed is None else seed,
        start=start or default_start(),
    )
    usps = UspsSandbox(engine, rules=rules, reality=reality, sender=sender)
    return Sandbox(world, usps, reality, rules)


def sandbox_db_url(var_dir: Path) -> str:
    return f"sqlite:///{var_dir / 'sandbox.db'}"
