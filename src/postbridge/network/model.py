"""The parcel network as frozen value objects: facilities, scheduled legs, customs, partners, products.

Units follow the platform rules: minutes for durations, grams, millimetres, integer minor units of
money. Local times (departures, hand-over cut-offs) are minutes after local midnight in the
facility's IANA zone; the routing engine turns them into UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import IntEnum, StrEnum

# Shared terms, defined once in kit.terms (importable from here as before).
from postbridge.kit.terms import Incoterm, ServiceLevel


class FacilityKind(StrEnum):
    ORIGIN_SORTING_CENTRE = "origin_sorting_centre"
    AIR_GATEWAY = "air_gateway"
    TRANSIT_HUB = "transit_hub"
    OFFICE_OF_EXCHANGE = "office_of_exchange"
    PARTNER_INJECTION_POINT = "partner_injection_point"


class TransportMode(StrEnum):
    AIR = "air"
    TRUCK = "truck"


class RegionScheme(StrEnum):
    ZIP3 = "zip3"  # first three digits of a US ZIP code
    PREFIX = "prefix"  # longest matching postal-code prefix, "*" as the fallback row


class Weekday(IntEnum):
    MON = 0
    TUE = 1
    WED = 2
    THU = 3
    FRI = 4
    SAT = 5
    SUN = 6


@dataclass(frozen=True, slots=True)
class Spread:
    """A duration distribution given by its median and 90th percentile, in minutes."""

    median_min: int
    p90_min: int


@dataclass(frozen=True, slots=True)
class Facility:
    id: str
    kind: FacilityKind
    name: str
    city: str
    country: str
    time_zone: str
    processing: Spread
    iata: str | None = None
    upu_code: str | None = None


@dataclass(frozen=True, slots=True)
class Departure:
    """One weekly departure: a weekday and a local time at the leg's origin facility."""

    weekday: Weekday
    local_minute: int


@dataclass(frozen=True, slots=True)
class Leg:
    """A scheduled lane between two facilities; each weekly departure is one trip."""

    id: str
    origin: str
    destination: str
    mode: TransportMode
    operator: str
    services: frozenset[ServiceLevel]
    departures: tuple[Departure, ...]
    cutoff_min: int
    duration_min: int
    capacity_kg: int | None
    capacity_items: int | None
    cost_per_kg_minor: int
    cost_per_item_minor: int


@dataclass(frozen=True, slots=True)
class CustomsProfile:
    """Clearance at a destination gateway: the usual release plus a share of physical checks."""

    facility: str
    clearance: Spread
    inspection_rate: Decimal
    inspection_delay: Spread


@dataclass(frozen=True, slots=True)
class TransitDays:
    """Last-mile calendar of one postal region, counted in the partner's delivery days."""

    p50_days: int
    p90_days: int
    time_zone: str


@dataclass(frozen=True, slots=True)
class LastMilePartner:
    code: str
    name: str
    country: str
    time_zone: str
    region_scheme: RegionScheme
    delivery_weekdays: frozenset[Weekday]
    handover_cutoff_minute: int
    holidays: frozenset[date]
    injection_points: tuple[str, ...]
    # (service, injection facility) -> region -> transit days
    transit: dict[tuple[str, str], dict[str, TransitDays]] = field(repr=False)


@dataclass(frozen=True, slots=True)
class PriceBand:
    """Price of every parcel whose chargeable weight is at most ``up_to_g``."""

    up_to_g: int
    price_minor: int


@dataclass(frozen=True, slots=True)
class Product:
    code: str
    name: str
    service: ServiceLevel
    partner: str
    last_mile_service: str
    destination_countries: frozenset[str]
    injection_points: tuple[str, ...]
    max_weight_g: int
    max_side_mm: int
    max_dimensions_sum_mm: int
    promise_days: int
    volumetric_divisor: int
    fuel_surcharge_percent: Decimal
    currency: str
    incoterm: Incoterm
    # "US" or "US:967" (country, optionally a postal-code prefix) -> zone name
    zones: dict[str, str] = field(repr=False)
    prices: dict[str, tuple[PriceBand, ...]] = field(repr=False)


@dataclass(frozen=True, slots=True, eq=False)
class Network:
    """A whole network definition. Compared and hashed by identity: routers are cached per object."""

    name: str
    version: str
    cost_currency: str
    facilities: dict[str, Facility]
    legs: tuple[Leg, ...]
    customs: dict[str, CustomsProfile]
    partners: dict[str, LastMilePartner]
    products: dict[str, Product]
    # Per service level, what replaces the origin sorting centre's processing: priority
    # handling (premium is sorted first) or the wait for a consolidated dispatch (economy).
    # A level not listed gets the facility's own processing.
    origin_handling: dict[ServiceLevel, Spread] = field(default_factory=dict)

    def facility(self, facility_id: str) -> Facility:
        return self.facilities[facility_id]
