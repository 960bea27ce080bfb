"""Delivery promises: p50 and p90 dates in the recipient's time zone.

The p50 date follows the planned route (median dwell at every facility, median customs), then
the partner's p50 transit days. The p90 date re-times the same route with p90 dwell (taking
later departures where a cut-off is missed), then adds the p90 transit days. Adding quantiles
stage by stage assumes the stages are correlated, which overstates the p90 a little: the
promise errs on the safe side.

Days are counted on the partner's delivery weekdays, skipping its holidays, from the day of
hand-over at the injection point (the next day after the partner's hand-over cut-off, in the
injection point's local time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from postbridge.kit.clock import time_zone
from postbridge.network.model import LastMilePartner, RegionScheme, TransitDays

_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Promise:
    p50: date
    p90: date
    time_zone: str
    handover_p50: datetime
    handover_p90: datetime
    transit_days_p50: int
    transit_days_p90: int

    def to_json(self) -> dict[str, str | int]:
        return {
            "p50": self.p50.isoformat(),
            "p90": self.p90.isoformat(),
            "time_zone": self.time_zone,
            "handover_p50": self.handover_p50.isoformat().replace("+00:00", "Z"),
            "handover_p90": self.handover_p90.isoformat().replace("+00:00", "Z"),
            "transit_days_p50": self.transit_days_p50,
            "transit_days_p90": self.transit_days_p90,
        }


@lru_cache(maxsize=65_536)
def postal_region_key(postal_code: str) -> str:
    """Postal code without spaces and hyphens, upper case: the form transit tables use.
    Memoised: bulk capture asks for the same codes several times per parcel."""
    return "".join(ch for ch in postal_code.upper() if ch.isalnum())


def find_transit(
    partner: LastMilePartner, service: str, injection: str, postal_code: str
) -> TransitDays | None:
    """Transit days to a postal code: ZIP3 row, else the longest matching prefix, else ``*``."""
    table = partner.transit.get((service, injection))
    if table is None:
        return None
    key = postal_region_key(postal_code)
    if partner.region_scheme is RegionScheme.ZIP3:
        return table.get(key[:3]) if len(key) >= 5 and key[:5].isdigit() else None
    for length in range(len(key), 0, -1):
        found = table.get(key[:length])
        if found is not None:
            return found
    return table.get("*")


def is_delivery_day(partner: LastMilePartner, day: date) -> bool:
    return day.weekday() in partner.delivery_weekdays and day not in partner.holidays


def delivery_date(
    partner: LastMilePartner, handover: datetime, injection_zone: str, days: int
) -> date:
    """Date of delivery ``days`` delivery days after a hand-over at the injection point."""
    local = handover.astimezone(time_zone(injection_zone))
    day = local.date()
    if local.hour * 60 + local.minute > partner.handover_cutoff_minute:
        day += _DAY
    counted = 0
    while counted < days:
        day += _DAY
        if is_delivery_day(partner, day):
            counted += 1
    while not is_delivery_day(partner, day):
        day += _DAY  # a zero-day transit still needs a delivery day
    return day


def make_promise(
    partner: LastMilePartner,
    transit: TransitDays,
    injection_zone: str,
    handover_p50: datetime,
    handover_p90: datetime,
) -> Promise:
    return Promise(
        p50=delivery_date(partner, handover_p50, injection_zone, transit.p50_days),
        p90=delivery_date(partner, handover_p90, injection_zone, transit.p90_days),
        time_zone=transit.time_zone,
        handover_p50=handover_p50,
        handover_p90=handover_p90,
        transit_days_p50=transit.p50_days,
        transit_days_p90=transit.p90_days,
    )
