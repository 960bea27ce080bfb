"""Real console data, shared by bench/console.py and scripts/console_screenshots.py: merchants
with a console user each and one operator, shipments booked through the real booking path
(four destinations), their scans ingested end to end (``tracking.imports.import_file``, what
``postbridge tracking import`` runs), and one small bulk upload of the demo orders.

Bookings are stamped "now" by the booking path; scans may not precede a booking (the tracker
would exclude them), so the bookings are moved back in time first, spread over ``spread``,
with one SQL statement per shipment: what a week of real bookings would have left behind.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import text
from tests.builders import (
    RECIPIENT_BR,
    RECIPIENT_ES_MADRID,
    RECIPIENT_MX_CDMX,
    RECIPIENT_US,
    shipment_input,
)
from tests.console_builders import UserLogin, make_user
from tests.tracking_feed import JOURNEY, write_jsonl

from postbridge.bootstrap import Platform, partner_registry
from postbridge.bulk import batches
from postbridge.kit.clock import utc_now
from postbridge.merchants.models import Role
from postbridge.merchants.service import create_merchant
from postbridge.shipments import booking
from postbridge.tracking.imports import import_file

MERCHANT_NAMES = ("Shenzhen Gadgets Co", "Yiwu Home Goods", "Guangzhou Apparel Ltd")
# Mostly the US, as the platform's merchants ship; the others give the filters a choice.
RECIPIENTS = (RECIPIENT_US, RECIPIENT_US, RECIPIENT_US, RECIPIENT_BR, RECIPIENT_ES_MADRID,
              RECIPIENT_MX_CDMX)  # fmt: skip
# Where each scan of the journey happens: origin and Hong Kong hub, then the destination's
# gateway, sorting centre and delivery office.
ORIGIN_PLACES = (("Shenzhen", "CN"), ("Shenzhen", "CN"), ("Shenzhen", "CN"), ("Hong Kong", "HK"))
# Of the destination's three cities, the one of each later scan (EMD EDB EMF EDD EMG EMI).
DESTINATION_STEPS = (0, 0, 0, 1, 2, 2)
DESTINATION_CITIES = {
    "US": ("Los Angeles", "Dallas", "Austin"), "BR": ("Sao Paulo", "Sao Paulo", "Sao Paulo"),
    "ES": ("Madrid", "Madrid", "Madrid"), "MX": ("Ciudad de Mexico",) * 3,
}  # fmt: skip
SCAN_SPACING = timedelta(hours=9)
# A few parcels end in trouble, so the exceptions pages have something to show: held by import
# customs (UPU EME) or a failed delivery attempt (EMH), one parcel in six each.
TROUBLE_EVERY = 12
TROUBLE = {5: "EME", 9: "EMH"}


@dataclass(frozen=True, slots=True)
class ConsoleData:
    merchant_ids: list[str]
    merchant_user: UserLogin  # a user of the first merchant
    operator: UserLogin
    shipment_ids: list[str]  # the first merchant's
    tracking_numbers: list[str]  # the first merchant's
    batch_id: str | None
    events: int


def seed(
    platform: Platform,
    folder: Path,
    *,
    shipments_per_merchant: int,
    scans_per_shipment: int = 10,
    spread: timedelta = timedelta(days=6),
    seed_value: int = 15,
) -> ConsoleData:
    """Book, age, scan; the first merchant also gets the demo upload (booked in-process, as
    ``serve --demo`` does)."""
    rng = random.Random(seed_value)
    database = platform.database
    pepper = platform.settings.secret_key
    merchant_ids = [
        create_merchant(database=database, name=name, role=Role.MERCHANT, pepper=pepper).merchant_id
        for name in MERCHANT_NAMES
    ]
    booked: list[tuple[str, str, str]] = []  # (merchant id, shipment id, tracking number)
    for position, merchant_id in enumerate(merchant_ids):
        for serial in range(shipments_per_merchant):
            order = shipment_input(
                reference=f"ORD-{position + 1}{serial:05d}",
                recipient=RECIPIENTS[serial % len(RECIPIENTS)],
            )
            result = booking.book_shipment(
                deps=platform.booking, merchant_id=merchant_id, shipment=order
            )
            booked.append((merchant_id, result.shipment.id, result.shipment.tracking_number))
    batch_id = _demo_upload(platform, merchant_ids[0])
    for merchant_id in merchant_ids:  # one order per merchant called off before it left
        cancelled = next(shipment_id for owner, shipment_id, _ in booked if owner == merchant_id)
        booking.cancel_shipment(database=database, shipment_id=cancelled, merchant_id=merchant_id)
    now = utc_now()
    with database.engine.connect() as connection:
        stored = connection.execute(
            text(
                "SELECT id, tracking_number, status, destination_country FROM shipments ORDER BY id"
            )
        ).all()
    booked_at = {row.id: now - spread * rng.random() - timedelta(hours=1) for row in stored}
    _age_bookings(platform, booked_at)
    items = []
    for index, row in enumerate(stored):
        if row.status != "cancelled":
            last = TROUBLE.get(index % TROUBLE_EVERY)
            scans = _scans(
                row.tracking_number, row.destination_country, booked_at[row.id], now,
                scans_per_shipment, rng,
            )  # fmt: skip
            if last is not None:
                scans[-1] |= {"code": last, "description": UPU_TEXTS[last]}
            items.extend(scans)
    if items:
        import_file(
            database=database,
            path=write_jsonl(folder / "console-scans.jsonl", items),
            code_schemes=partner_registry().code_scheme,
            workers=0,
        )
    first = [(shipment_id, number) for owner, shipment_id, number in booked
             if owner == merchant_ids[0]]  # fmt: skip
    return ConsoleData(
        merchant_ids=merchant_ids,
        merchant_user=make_user(database, merchant_id=merchant_ids[0]),
        operator=make_user(database),
        shipment_ids=[shipment_id for shipment_id, _ in first],
        tracking_numbers=[number for _, number in first],
        batch_id=batch_id,
        events=len(items),
    )


def _demo_upload(platform: Platform, merchant_id: str) -> str | None:
    source = resources.files("postbridge.cli").joinpath("data/demo_orders.csv")
    with resources.as_file(source) as path:
        batch, _ = batches.open_batch(
            database=platform.database, merchant_id=merchant_id, batch_key="console-demo-orders",
            file_name=path.name, sha256=batches.file_sha256(path),
        )  # fmt: skip
        batch = batches.run_batch(deps=platform.booking, batch_id=batch.id, source=path)
    return batch.id


def _age_bookings(platform: Platform, booked_at: dict[str, datetime]) -> None:
    with platform.database.engine.begin() as connection:
        connection.execute(
            text("UPDATE shipments SET created_at = :at, updated_at = :at WHERE id = :id"),
            [{"id": shipment_id, "at": at} for shipment_id, at in booked_at.items()],
        )


def _upu_texts() -> dict[str, str]:
    """The UPU codes' texts from the platform's own code table (what a post sends with them)."""
    table = resources.files("postbridge.tracking").joinpath("data/code_tables/upu.csv")
    with table.open(encoding="utf-8") as handle:
        return {row["code"]: row["description"] for row in csv.DictReader(handle)}


UPU_TEXTS = _upu_texts()


def _place(index: int, destination: str) -> dict[str, str]:
    if index < len(ORIGIN_PLACES):
        city, country = ORIGIN_PLACES[index]
        return {"city": city, "country": country}
    cities = DESTINATION_CITIES.get(destination)
    if cities is None:  # a destination without named cities: the country alone
        return {"country": destination}
    return {"city": cities[DESTINATION_STEPS[index - len(ORIGIN_PLACES)]], "country": destination}


def _scans(
    number: str,
    destination: str,
    booked_at: datetime,
    now: datetime,
    count: int,
    rng: random.Random,
) -> list[dict[str, Any]]:
    """The parcel's journey so far: the UPU scans that fit between its booking and now, nine
    hours apart, then the last one repeated at the next facilities (a parcel waiting for its
    flight is scanned again) until ``count`` scans, none in the future."""
    reached = max(1, min(len(JOURNEY), int((now - booked_at) / SCAN_SPACING)))
    step = min(SCAN_SPACING, (now - booked_at) / (count + 1))
    scans = []
    for index in range(count):
        position = min(index, reached - 1)  # repeated scans happen where the last one did
        code = JOURNEY[position]
        at = booked_at + step * (index + 1) - timedelta(minutes=rng.randrange(10))
        scans.append({
            "tracking_number": number, "partner": "chinapost", "code": code,
            "description": UPU_TEXTS[code], "occurred_at": at.isoformat(),
            "location": _place(position, destination),
        })  # fmt: skip
    return scans
