"""A generated feed of canonical tracking events, as partners send them: a journey of UPU
scans per parcel, some resent (exact copies), some out of order, a few unmapped codes."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from postbridge.identifiers.s10 import s10_check_digit

JOURNEY = ("EMA", "EMB", "EMC", "EMJ", "EMD", "EDB", "EMF", "EDD", "EMG", "EMI")


def parcel_number(prefix: str, serial: int) -> str:
    digits = f"{serial:08d}"
    return f"{prefix}{digits}{s10_check_digit(digits)}CN"


def generate_feed(
    *, parcels: int, duplicate_share: float = 0.05, out_of_order_share: float = 0.10,
    prefix: str = "LX", seed: int = 13,
) -> tuple[list[dict[str, Any]], int]:  # fmt: skip
    """The items in feed order, and how many distinct events they hold."""
    rng = random.Random(seed)
    start = datetime(2026, 5, 1, tzinfo=UTC)
    items: list[dict[str, Any]] = []
    for serial in range(parcels):
        number = parcel_number(prefix, serial)
        posted = start + timedelta(minutes=rng.randrange(60 * 24 * 30))
        for step, code in enumerate(JOURNEY):
            if step == 8 and serial % 97 == 0:
                code = "ZZX"  # a code no table maps
            at = posted + timedelta(hours=9 * step, minutes=rng.randrange(50))
            items.append({
                "tracking_number": number, "partner": "chinapost", "code": code,
                "description": f"{code} scan", "occurred_at": at.isoformat(),
                "location": {"city": "Shenzhen" if step < 3 else "Los Angeles",
                             "country": "CN" if step < 3 else "US"},
            })  # fmt: skip
    distinct = len(items)
    for position in rng.sample(range(len(items) - 1), int(len(items) * out_of_order_share / 2)):
        items[position], items[position + 1] = items[position + 1], items[position]
    # Each resent copy arrives a little later than its original (up to 20,000 lines on).
    resent: dict[int, list[dict[str, Any]]] = {}
    for original in rng.sample(range(len(items)), int(distinct * duplicate_share)):
        later = min(len(items) - 1, original + rng.randrange(1, 20_000))
        resent.setdefault(later, []).append(dict(items[original]))
    feed = []
    for position, entry in enumerate(items):
        feed.append(entry)
        feed.extend(resent.get(position, ()))
    return feed, distinct


def write_jsonl(path: Path, items: list[dict[str, Any]]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(item) + b"\n" for item in items))
    return path
