"""The shipment list's filter form, read from the query string: each field checked on its own,
so a bad value is named next to its field (never a 500), and the checked filters written back
into the paging links so that they survive paging."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode

from postbridge.kit.countries import UnknownCountry, normalize_country
from postbridge.kit.text import storable
from postbridge.shipments.lifecycle import ShipmentStatus
from postbridge.shipments.repository import ShipmentFilter
from postbridge.tracking.normalize import normalize_tracking_number

STATUSES = [status.value for status in ShipmentStatus]
REFERENCE_MATCHES = ("exact", "prefix")
MAX_REFERENCE = 100  # the column's length
MAX_COUNTRY_NAME = 60  # longer than any English country name pycountry knows
MAX_TRACKING_NUMBER = 34  # a partner's number is the longest the platform stores
# The form's field names, in the order the paging links carry them.
FIELDS = (
    "status", "destination", "reference", "reference_match", "tracking_number", "created_from",
    "created_to",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ListFilters:
    """What the form asked for (as typed, to show it again), the checked filter, and one
    message per refused field."""

    typed: dict[str, str]
    spec: ShipmentFilter
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return any(self.typed.get(name) for name in FIELDS if name != "reference_match")

    def query(self, *, cursor: str | None = None) -> str:
        """The query string of this filter (what was accepted), with ``cursor`` if given."""
        values = {name: self.typed[name] for name in FIELDS if self.typed.get(name)}
        if not values.get("reference"):
            values.pop("reference_match", None)
        if cursor:
            values["cursor"] = cursor
        return urlencode(values)


def _day(text: str) -> date:
    return date.fromisoformat(text)  # YYYY-MM-DD, what <input type="date"> sends


def read_filters(query: Mapping[str, str], *, merchant_id: str | None) -> ListFilters:
    typed = {name: query.get(name, "").strip() for name in FIELDS}
    typed["reference_match"] = typed["reference_match"] or "exact"
    errors: dict[str, str] = {}
    status = typed["status"] or None
    if status is not None and status not in STATUSES:
        errors["status"] = "Choose one of the listed statuses."
    destination = None
    if typed["destination"]:
        try:
            if len(typed["destination"]) > MAX_COUNTRY_NAME:
                raise UnknownCountry("longer than any country's name")
            destination = normalize_country(typed["destination"])
        except UnknownCountry:
            errors["destination"] = (
                "Not a country we know: give its ISO code (US, DE) or its English name."
            )
    reference = typed["reference"] or None
    if reference is not None and (len(reference) > MAX_REFERENCE or not storable(reference)):
        errors["reference"] = (
            f"A reference is at most {MAX_REFERENCE} characters, without control characters."
        )
    if typed["reference_match"] not in REFERENCE_MATCHES:
        errors["reference_match"] = "Choose “is exactly” or “starts with”."
    tracking_number = None
    if typed["tracking_number"]:
        number = normalize_tracking_number(typed["tracking_number"])
        if len(number) > MAX_TRACKING_NUMBER or not (number.isascii() and number.isalnum()):
            errors["tracking_number"] = (
                "A tracking number is letters and digits only, such as LX123456785CN."
            )
        else:
            tracking_number = number
    created_from = created_to = None
    for name in ("created_from", "created_to"):
        if not typed[name]:
            continue
        try:
            day = _day(typed[name][:20])  # a date is 10 characters; a longer text is no date
        except ValueError:
            errors[name] = "Give a date as YYYY-MM-DD, such as 2026-12-03."
            continue
        start = datetime.combine(day, time(), tzinfo=UTC)
        if name == "created_from":
            created_from = start
        elif day == date.max:  # no next midnight to end at: every later booking is included
            created_to = None
        else:  # the "to" day is included: the range ends at the next midnight (UTC)
            created_to = start + timedelta(days=1)
    if created_from and created_to and created_to <= created_from:
        errors["created_to"] = "The last day comes on or after the first day."
    prefix = typed["reference_match"] == "prefix"
    spec = ShipmentFilter(
        merchant_id=merchant_id, status=status, destination=destination,
        reference=None if prefix else reference, reference_prefix=reference if prefix else None,
        tracking_number=tracking_number, created_from=created_from, created_to=created_to,
    )  # fmt: skip
    return ListFilters(typed, spec, errors)
