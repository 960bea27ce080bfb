"""The reality model (``data/reality.yaml``) as frozen values: how parcels actually move.

Pure: parsing and sampling only. Spreads are lognormal from a median and a 90th percentile,
the two figures operations people quote; a sample is drawn from a caller's ``random.Random``
so one seed replays the same world.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

DEFAULT_KEY = "default"
_Z90 = 1.2815515655446004  # the standard normal's 90th percentile
_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class RealityError(ValueError):
    """A reality or rules file that cannot be used, naming the field."""


def parse_duration(value: Any, where: str) -> timedelta:
    match = _DURATION.fullmatch(str(value))
    if not value or match is None or not any(match.groups()):
        raise RealityError(f"{where}: expected a duration such as 90m, 4h or 1d6h, got {value!r}")
    days, hours, minutes = (int(part or 0) for part in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes)


@dataclass(frozen=True, slots=True)
class Spread:
    """A lognormal spread in seconds (or any unit): ``median`` and ``sigma`` of its log."""

    median: float
    sigma: float

    @classmethod
    def of(cls, median: float, p90: float, where: str) -> Spread:
        if not 0 < median <= p90:
            raise RealityError(f"{where}: expected 0 < median <= p90, got {median} and {p90}")
        return cls(median, math.log(p90 / median) / _Z90)

    def draw(self, rng: random.Random) -> float:
        return self.median * math.exp(self.sigma * rng.gauss(0.0, 1.0))

    def draw_delta(self, rng: random.Random) -> timedelta:
        return timedelta(seconds=self.draw(rng))


def _spread(raw: Any, where: str) -> Spread:
    if not isinstance(raw, dict) or set(raw) != {"median", "p90"}:
        raise RealityError(f"{where}: expected {{median: ..., p90: ...}}")
    median = parse_duration(raw["median"], f"{where}.median").total_seconds()
    return Spread.of(median, parse_duration(raw["p90"], f"{where}.p90").total_seconds(), where)


def _day_spread(raw: Any, where: str) -> Spread:
    if not isinstance(raw, dict) or set(raw) != {"median", "p90"}:
        raise RealityError(f"{where}: expected {{median: days, p90: days}}")
    return Spread.of(float(raw["median"]), float(raw["p90"]), where)


def _share(raw: Any, where: str) -> float:
    if not isinstance(raw, int | float) or isinstance(raw, bool) or not 0 <= raw <= 1:
        raise RealityError(f"{where}: expected a share between 0 and 1, got {raw!r}")
    return float(raw)


@dataclass(frozen=True, slots=True)
class Departures:
    on_time_share: float
    delay: Spread
    block_time_noise: float  # standard deviation of the block time, as a share of it
    missed_connection_rate: float
    next_departure_after: timedelta


@dataclass(frozen=True, slots=True)
class Customs:
    clearance: Spread
    hold_rate: float
    inspection: Spread


@dataclass(frozen=True, slots=True)
class LastMile:
    transit_days: Spread  # in days
    delivery_weekdays: frozenset[int]  # date.weekday() numbers
    attempt_failure_rate: float
    attempts: int
    collect_rate: float
    hold_days: int
    out_for_delivery: tuple[int, int]  # local hour, minute
    delivery_until: tuple[int, int]


@dataclass(frozen=True, slots=True)
class Reporting:
    lag: Spread
    late_share: float
    late_lag: Spread
    duplicate_share: float
    duplicate_lag: Spread


@dataclass(frozen=True, slots=True)
class Flaky:
    error_rate: float  # share of calls answered 500
    rate_limit_rate: float  # share answered 429 with Retry-After
    retry_after_s: int


@dataclass(frozen=True, slots=True)
class Facility:
    id: str
    kind: str
    code: str  # the office code scanned (UPU IMPC where one exists)
    name: str
    city: str
    country: str
    postal_code: str
    time_zone: str
    state: str | None = None


@dataclass(frozen=True, slots=True)
class Reality:
    seed: int
    induction: Spread
    processing: dict[str, Spread]
    weekend_factor: float
    departures: dict[str, Departures]
    customs: dict[str, Customs]
    release_to_dispatch: Spread
    last_mile: dict[str, LastMile]
    lost_rate: float
    reporting: Reporting
    holidays: dict[str, frozenset[date]]
    facilities: dict[str, Facility]
    flaky: Flaky

    def processing_for(self, kind: str) -> Spread:
        return self.processing.get(kind, self.processing[DEFAULT_KEY])

    def departures_for(self, mode: str) -> Departures:
        return self.departures.get(mode, self.departures["truck"])

    def customs_for(self, country: str) -> Customs:
        return self.customs.get(country, self.customs[DEFAULT_KEY])

    def last_mile_for(self, partner: str) -> LastMile:
        return self.last_mile.get(partner, self.last_mile[DEFAULT_KEY])

    def is_holiday(self, country: str, day: date) -> bool:
        return day in self.holidays.get(country, frozenset())

    def facility(self, facility_id: str) -> Facility:
        """A listed facility, or a stand-in for an unknown one: a UTC transit hub (see the file)."""
        known = self.facilities.get(facility_id)
        if known is not None:
            return known
        return Facility(facility_id, "transit_hub", facility_id, facility_id, "", "", "", "UTC")


def _clock_time(raw: Any, where: str) -> tuple[int, int]:
    hours, _, minutes = str(raw).partition(":")
    if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
        raise RealityError(f"{where}: expected a local time HH:MM, got {raw!r}")
    return int(hours), int(minutes)


def _last_mile(raw: dict[str, Any], where: str) -> LastMile:
    weekdays = raw["delivery_weekdays"]
    if not weekdays or any(day not in WEEKDAYS for day in weekdays):
        raise RealityError(f"{where}.delivery_weekdays: expected names from {WEEKDAYS}")
    return LastMile(
        transit_days=_day_spread(raw["transit_days"], f"{where}.transit_days"),
        delivery_weekdays=frozenset(WEEKDAYS.index(day) for day in weekdays),
        attempt_failure_rate=_share(raw["attempt_failure_rate"], f"{where}.attempt_failure_rate"),
        attempts=int(raw["attempts"]),
        collect_rate=_share(raw["collect_rate"], f"{where}.collect_rate"),
        hold_days=int(raw["hold_days"]),
        out_for_delivery=_clock_time(raw["out_for_delivery"], f"{where}.out_for_delivery"),
        delivery_until=_clock_time(raw["delivery_until"], f"{where}.delivery_until"),
    )


def parse_reality(raw: Any) -> Reality:
    if not isinstance(raw, dict) or raw.get("format") != "postbridge-sandbox-reality/1":
        raise RealityError("format: expected postbridge-sandbox-reality/1")
    try:
        departures = {
            mode: Departures(
                on_time_share=_share(spec["on_time_share"], f"departures.{mode}.on_time_share"),
                delay=_spread(spec["delay"], f"departures.{mode}.delay"),
                block_time_noise=float(spec["block_time_noise"]),
                missed_connection_rate=_share(
                    spec["missed_connection_rate"], f"departures.{mode}.missed_connection_rate"
                ),
                next_departure_after=parse_duration(
                    spec["next_departure_after"], f"departures.{mode}.next_departure_after"
                ),
            )
            for mode, spec in raw["departures"].items()
        }
        customs = {
            country: Customs(
                clearance=_spread(spec["clearance"], f"customs.{country}.clearance"),
                hold_rate=_share(spec["hold_rate"], f"customs.{country}.hold_rate"),
                inspection=_spread(spec["inspection"], f"customs.{country}.inspection"),
            )
            for country, spec in raw["customs"].items()
        }
        reporting, flaky = raw["reporting"], raw["flaky"]
        reality = Reality(
            seed=int(raw["seed"]),
            induction=_spread(raw["induction"], "induction"),
            processing={
                kind: _spread(spec, f"processing.{kind}")
                for kind, spec in raw["processing"].items()
            },
            weekend_factor=float(raw["weekend_factor"]),
            departures=departures,
            customs=customs,
            release_to_dispatch=_spread(raw["release_to_dispatch"], "release_to_dispatch"),
            last_mile={
                partner: _last_mile(spec, f"last_mile.{partner}")
                for partner, spec in raw["last_mile"].items()
            },
            lost_rate=_share(raw["lost_rate"], "lost_rate"),
            reporting=Reporting(
                lag=_spread(reporting["lag"], "reporting.lag"),
                late_share=_share(reporting["late_share"], "reporting.late_share"),
                late_lag=_spread(reporting["late_lag"], "reporting.late_lag"),
                duplicate_share=_share(reporting["duplicate_share"], "reporting.duplicate_share"),
                duplicate_lag=_spread(reporting["duplicate_lag"], "reporting.duplicate_lag"),
            ),
            holidays={
                country: frozenset(days) for country, days in (raw.get("holidays") or {}).items()
            },
            facilities={
                facility_id: Facility(
                    id=facility_id,
                    kind=spec["kind"],
                    code=spec["code"],
                    name=spec["name"],
                    city=spec["city"],
                    country=spec["country"],
                    postal_code=str(spec.get("postal_code") or ""),
                    time_zone=spec["time_zone"],
                    state=spec.get("state"),
                )
                for facility_id, spec in raw["facilities"].items()
            },
            flaky=Flaky(
                error_rate=_share(flaky["error_rate"], "flaky.error_rate"),
                rate_limit_rate=_share(flaky["rate_limit_rate"], "flaky.rate_limit_rate"),
                retry_after_s=int(flaky["retry_after_s"]),
            ),
        )
    except KeyError as missing:
        raise RealityError(f"missing field {missing.args[0]!r}") from None
    for table, name in ((reality.processing, "processing"), (reality.customs, "customs")):
        if DEFAULT_KEY not in table:
            raise RealityError(f"{name}: needs a {DEFAULT_KEY!r} entry")
    if DEFAULT_KEY not in reality.last_mile:
        raise RealityError(f"last_mile: needs a {DEFAULT_KEY!r} entry")
    return reality


def load_reality(path: Path | None = None) -> Reality:
    """The shipped reality model, or the file at ``path``."""
    if path is None:
        text = resources.files("postbridge.sandbox").joinpath("data", "reality.yaml").read_text()
    else:
        text = path.read_text("utf-8")
    return parse_reality(yaml.safe_load(text))
