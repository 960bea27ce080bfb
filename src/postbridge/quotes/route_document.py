"""The route a shipment stores: a versioned, frozen document, parsed once and read by attribute.

Built by the quoter from its chosen option (``RouteLeg.of``, ``RoutePromise.of``) when a shipment
is booked, re-timed by capacity planning, printed on the
label and shown by the API. Stored as JSON in ``shipment_documents`` under the digest of its text,
so ``to_json`` must give back the stored text's dict exactly:

- Version 1 is the shape written since routes were first stored. Its documents carry no
  ``version`` field, and ``to_json`` writes none: the digest of an unchanged route stays its
  digest, and the API shows the route as it always has. A later version writes ``"version": N``
  (``kit.documents``).
- ``from_json`` refuses a version it does not know (``DocumentVersionError``) instead of guessing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import lru_cache
from typing import Any, ClassVar

from postbridge.kit.documents import DocumentError, document_version
from postbridge.kit.money import Money
from postbridge.kit.terms import ServiceLevel
from postbridge.routing.journey import PlannedLeg
from postbridge.routing.promise import Promise

ROUTE_VERSION = 1
AIR = "air"


def utc_text(moment: datetime) -> str:
    """An aware UTC time as the route documents write it: ISO 8601 with ``Z``."""
    return moment.isoformat().replace("+00:00", "Z")


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass(frozen=True, slots=True)
class RouteLeg:
    """One planned leg: UTC times, and the local times at its two ends with their zones."""

    leg: str  # network leg id, e.g. "HKG-HUB>LAX-ISC"
    origin: str  # facility ids
    destination: str
    mode: str  # "air" or "truck"
    operator: str
    latest_dropoff: datetime
    departs: datetime
    departs_local: datetime
    departs_time_zone: str
    arrives: datetime
    arrives_local: datetime
    arrives_time_zone: str
    ready: datetime  # arrival plus dwell: when the parcel can take the next leg

    @classmethod
    def of(cls, planned: PlannedLeg) -> RouteLeg:
        """A route's planned leg as the document holds it (cached: a dated departure is in
        many routes)."""
        return _leg_of(planned)

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> RouteLeg:
        try:
            return _leg_from_items(tuple(raw.items()))
        except TypeError as exc:  # a value that is no string cannot be cached, nor is valid
            raise DocumentError(f"route leg {raw.get('leg')!r}: {exc}") from exc

    def to_json(self) -> dict[str, str]:
        return dict(_leg_json(self))

    @property
    def is_air(self) -> bool:
        return self.mode == AIR


@lru_cache(maxsize=16_384)
def _leg_of(leg: PlannedLeg) -> RouteLeg:
    return RouteLeg(
        leg=leg.leg_id,
        origin=leg.origin,
        destination=leg.destination,
        mode=leg.mode.value,
        operator=leg.operator,
        latest_dropoff=leg.latest_dropoff,
        departs=leg.departs,
        departs_local=leg.departs_local,
        departs_time_zone=leg.origin_time_zone,
        arrives=leg.arrives,
        arrives_local=leg.arrives_local,
        arrives_time_zone=leg.destination_time_zone,
        ready=leg.ready,
    )


@lru_cache(maxsize=16_384)
def _leg_from_items(items: tuple[tuple[str, Any], ...]) -> RouteLeg:
    """Parsed legs, cached by their text: a dated departure appears in many stored routes."""
    raw = dict(items)
    try:
        return RouteLeg(
            leg=raw["leg"],
            origin=raw["from"],
            destination=raw["to"],
            mode=raw["mode"],
            operator=raw["operator"],
            latest_dropoff=parse_time(raw["latest_dropoff"]),
            departs=parse_time(raw["departs"]),
            departs_local=datetime.fromisoformat(raw["departs_local"]),
            departs_time_zone=raw["departs_time_zone"],
            arrives=parse_time(raw["arrives"]),
            arrives_local=datetime.fromisoformat(raw["arrives_local"]),
            arrives_time_zone=raw["arrives_time_zone"],
            ready=parse_time(raw["ready"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise DocumentError(f"route leg {raw.get('leg')!r}: {exc!r}") from exc


@lru_cache(maxsize=16_384)
def _leg_json(leg: RouteLeg) -> dict[str, str]:
    """JSON of a leg, cached: the same dated departure appears in many routes."""
    return {
        "leg": leg.leg,
        "from": leg.origin,
        "to": leg.destination,
        "mode": leg.mode,
        "operator": leg.operator,
        "latest_dropoff": utc_text(leg.latest_dropoff),
        "departs": utc_text(leg.departs),
        "departs_local": leg.departs_local.isoformat(),
        "departs_time_zone": leg.departs_time_zone,
        "arrives": utc_text(leg.arrives),
        "arrives_local": leg.arrives_local.isoformat(),
        "arrives_time_zone": leg.arrives_time_zone,
        "ready": utc_text(leg.ready),
    }


@dataclass(frozen=True, slots=True)
class RoutePromise:
    """Delivery dates (recipient's zone), hand-over times (UTC) and the promise they meet."""

    p50: date
    p90: date
    time_zone: str
    handover_p50: datetime
    handover_p90: datetime
    transit_days_p50: int
    transit_days_p90: int
    promised_by: date
    within_promise: bool

    @classmethod
    def of(cls, promise: Promise, promised_by: date, within_promise: bool) -> RoutePromise:
        return cls(
            p50=promise.p50,
            p90=promise.p90,
            time_zone=promise.time_zone,
            handover_p50=promise.handover_p50,
            handover_p90=promise.handover_p90,
            transit_days_p50=promise.transit_days_p50,
            transit_days_p90=promise.transit_days_p90,
            promised_by=promised_by,
            within_promise=within_promise,
        )

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> RoutePromise:
        return cls(
            p50=date.fromisoformat(raw["p50"]),
            p90=date.fromisoformat(raw["p90"]),
            time_zone=raw["time_zone"],
            handover_p50=parse_time(raw["handover_p50"]),
            handover_p90=parse_time(raw["handover_p90"]),
            transit_days_p50=raw["transit_days_p50"],
            transit_days_p90=raw["transit_days_p90"],
            promised_by=date.fromisoformat(raw["promised_by"]),
            within_promise=raw["within_promise"],
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "p50": self.p50.isoformat(),
            "p90": self.p90.isoformat(),
            "time_zone": self.time_zone,
            "handover_p50": utc_text(self.handover_p50),
            "handover_p90": utc_text(self.handover_p90),
            "transit_days_p50": self.transit_days_p50,
            "transit_days_p90": self.transit_days_p90,
            "promised_by": self.promised_by.isoformat(),
            "within_promise": self.within_promise,
        }


@dataclass(frozen=True, slots=True)
class CapacityNote:
    """Added by capacity planning: the departure the parcel is planned on, and whether the
    plan puts its promise at risk."""

    departure: str | None
    at_risk: bool

    def to_json(self) -> dict[str, Any]:
        return {"departure": self.departure, "at_risk": self.at_risk}


@dataclass(frozen=True, slots=True)
class RouteDocument:
    product: str
    product_name: str
    service: ServiceLevel
    partner: str  # the last-mile partner's network code
    partner_name: str
    injection_point: str  # facility where the partner takes the parcel over
    office_of_exchange: str  # UPU IMPC code of the destination office, or its facility id
    sort_code: str  # printed on the label: gateway and postal region
    # The partner issues a number of its own for the parcel (printed in its label block). In
    # version 1 only the USPS did, and the field is stored and shown as ``usps_last_mile``.
    partner_numbered: bool
    legs: tuple[RouteLeg, ...]
    promise: RoutePromise
    linehaul_cost: Money
    network_version: str
    capacity: CapacityNote | None = None
    VERSION: ClassVar[int] = ROUTE_VERSION

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> RouteDocument:
        document_version(raw, "route", (ROUTE_VERSION,))
        try:
            capacity = raw.get("capacity")
            cost = raw["linehaul_cost"]
            return cls(
                product=raw["product"],
                product_name=raw["product_name"],
                service=ServiceLevel(raw["service"]),
                partner=raw["partner"],
                partner_name=raw["partner_name"],
                injection_point=raw["injection_point"],
                office_of_exchange=raw["office_of_exchange"],
                sort_code=raw["sort_code"],
                partner_numbered=bool(raw["usps_last_mile"]),
                legs=tuple(RouteLeg.from_json(leg) for leg in raw["legs"]),
                promise=RoutePromise.from_json(raw["promise"]),
                linehaul_cost=Money.parse(cost["amount"], cost["currency"]),
                network_version=raw["network_version"],
                capacity=(
                    None
                    if capacity is None
                    else CapacityNote(capacity["departure"], bool(capacity["at_risk"]))
                ),
            )
        except DocumentError:
            raise
        except (KeyError, TypeError, ValueError) as exc:
            raise DocumentError(f"route document: missing or invalid {exc!r}") from exc

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "product": self.product,
            "product_name": self.product_name,
            "service": self.service.value,
            "partner": self.partner,
            "partner_name": self.partner_name,
            "injection_point": self.injection_point,
            "office_of_exchange": self.office_of_exchange,
            "sort_code": self.sort_code,
            "usps_last_mile": self.partner_numbered,
            "legs": [leg.to_json() for leg in self.legs],
            "promise": self.promise.to_json(),
            "linehaul_cost": self.linehaul_cost.to_json(),
            "network_version": self.network_version,
        }
        if self.capacity is not None:
            document["capacity"] = self.capacity.to_json()
        return document  # version 1: no version field (see the module docstring)

    def first_air_leg(self) -> int | None:
        """Position of the route's first flight, or None for a route without one."""
        return next((index for index, leg in enumerate(self.legs) if leg.is_air), None)

    def with_capacity(self, note: CapacityNote) -> RouteDocument:
        return replace(self, capacity=note)
