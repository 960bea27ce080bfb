"""Load and validate a network definition directory.

Layout of a directory (see ``demo/`` for a commented example):

* ``network.yaml``: format marker, version, facilities, legs, customs, partners, products;
* ``schedules.csv``: ``leg,days,departs`` (one row per local departure time of a leg);
* ``prices.csv``: ``product,zone,up_to_g,price`` (price bands per product and zone);
* one transit CSV per partner, named in ``partners[].transit_file``:
  ``service,injection,region,p50_days,p90_days,time_zone``.

Every problem is collected and reported together as :class:`NetworkDefinitionError`, each
naming the file, the line and the field.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from postbridge.kit.countries import UnknownCountry, normalize_country
from postbridge.network.errors import NetworkDefinitionError
from postbridge.network.model import (
    CustomsProfile,
    Departure,
    Facility,
    FacilityKind,
    Leg,
    Network,
    ServiceLevel,
    Spread,
    TransportMode,
)
from postbridge.network.parties import read_partners, read_products
from postbridge.network.source import (
    PathKey,
    Problems,
    YamlDocument,
    at,
    at_cell,
    parse_choice,
    parse_clock,
    parse_currency,
    parse_decimal,
    parse_duration,
    parse_int,
    parse_minor,
    parse_spread,
    parse_weekdays,
    parse_zone,
    read_csv,
)

FORMAT = "postbridge-network/1"
DEFINITION_FILE = "network.yaml"
SCHEDULES_FILE = "schedules.csv"


def load_network(directory: Path) -> Network:
    """Read ``directory/network.yaml`` and its CSV files; raise on any invalid field."""
    problems = Problems()
    definition = directory / DEFINITION_FILE
    if not definition.is_file():
        problems.add(DEFINITION_FILE, 1, "(file)", f"not found in {directory}")
        raise NetworkDefinitionError(problems.items)
    doc = YamlDocument.read(definition, problems)
    if not isinstance(doc.data, dict):
        if not problems.items:
            doc.problem((), "the document must be a mapping")
        raise NetworkDefinitionError(problems.items)
    if doc.data.get("format") != FORMAT:
        doc.problem(("format",), f"must be {FORMAT!r}")
    name = str(doc.get(doc.data, (), "name") or "")
    version = str(doc.get(doc.data, (), "version") or "")
    cost_currency = parse_currency(
        doc.get(doc.data, (), "cost_currency"), at(doc, ("cost_currency",))
    )
    facilities = _read_facilities(doc)
    legs = _read_legs(doc, directory, facilities, cost_currency or "USD")
    customs = _read_customs(doc, facilities)
    partners = read_partners(doc, directory, facilities)
    products = read_products(doc, directory, partners)
    origin_handling = _read_origin_handling(doc)
    if problems.items:
        raise NetworkDefinitionError(problems.items)
    return Network(
        name=name,
        version=version,
        cost_currency=cost_currency or "USD",
        facilities=facilities,
        legs=legs,
        customs=customs,
        partners=partners,
        products=products,
        origin_handling=origin_handling,
    )


def _read_origin_handling(doc: YamlDocument) -> dict[ServiceLevel, Spread]:
    """``service_levels: {premium: {origin_handling: {median, p90}}, ...}`` (optional)."""
    raw = doc.data.get("service_levels")
    if raw is None:
        return {}
    levels = doc.mapping(raw, ("service_levels",))
    handling: dict[ServiceLevel, Spread] = {}
    for name, entry in (levels or {}).items():
        path: PathKey = ("service_levels", name)
        level = next((s for s in ServiceLevel if s.value == name), None)
        if level is None:
            doc.problem(path, f"unknown service level {name!r}")
            continue
        settings = doc.mapping(entry, path) or {}
        if "origin_handling" not in settings:
            continue
        spread = parse_spread(doc, settings["origin_handling"], (*path, "origin_handling"))
        if spread is not None:
            handling[level] = spread
    return handling


def read_country(doc: YamlDocument, value: Any, path: PathKey) -> str | None:
    try:
        return normalize_country(str(value))
    except UnknownCountry:
        doc.problem(path, f"{value!r} is not an ISO 3166-1 country")
        return None


def _read_facilities(doc: YamlDocument) -> dict[str, Facility]:
    facilities: dict[str, Facility] = {}
    for path, entry in doc.items("facilities"):
        facility_id = doc.get(entry, path, "id")
        kind = parse_choice(doc.get(entry, path, "kind"), FacilityKind, at(doc, (*path, "kind")))
        zone = parse_zone(doc.get(entry, path, "time_zone"), at(doc, (*path, "time_zone")))
        country = read_country(doc, doc.get(entry, path, "country"), (*path, "country"))
        processing = parse_spread(doc, doc.get(entry, path, "processing"), (*path, "processing"))
        upu_code = entry.get("upu_code")
        if kind is FacilityKind.OFFICE_OF_EXCHANGE and not upu_code:
            doc.problem((*path, "upu_code"), "is required for an office of exchange")
        if facility_id in facilities:
            doc.problem((*path, "id"), f"duplicate facility id {facility_id!r}")
            continue
        if facility_id is None or kind is None or zone is None or country is None:
            continue
        if processing is None:
            continue
        facilities[str(facility_id)] = Facility(
            id=str(facility_id),
            kind=kind,
            name=str(entry.get("name") or facility_id),
            city=str(doc.get(entry, path, "city") or ""),
            country=country,
            time_zone=zone,
            processing=processing,
            iata=str(entry["iata"]) if entry.get("iata") else None,
            upu_code=str(upu_code) if upu_code else None,
        )
    return facilities


def _read_legs(
    doc: YamlDocument, directory: Path, facilities: dict[str, Facility], currency: str
) -> tuple[Leg, ...]:
    schedules = _read_schedules(doc, directory)
    legs: list[Leg] = []
    seen: set[str] = set()
    for path, entry in doc.items("legs"):
        leg_id = str(doc.get(entry, path, "id") or "")
        ends = []
        for key in ("from", "to"):
            value = doc.get(entry, path, key)
            if value is not None and str(value) not in facilities:
                doc.problem((*path, key), f"unknown facility {value!r}")
            ends.append(str(value))
        if ends[0] == ends[1]:
            doc.problem((*path, "to"), "a leg must join two different facilities")
        mode = parse_choice(doc.get(entry, path, "mode"), TransportMode, at(doc, (*path, "mode")))
        services = _read_services(doc, entry, path)
        cutoff = parse_duration(doc.get(entry, path, "cutoff"), at(doc, (*path, "cutoff")))
        duration = parse_duration(doc.get(entry, path, "duration"), at(doc, (*path, "duration")))
        if duration == 0:
            doc.problem((*path, "duration"), "must be at least one minute")
        capacity = entry.get("capacity") or {}
        cost = doc.mapping(doc.get(entry, path, "cost"), (*path, "cost")) or {}
        if cost.get("currency", currency) != currency:
            doc.problem((*path, "cost", "currency"), f"leg costs must be in {currency}")
        per_kg = parse_minor(cost.get("per_kg", 0), currency, at(doc, (*path, "cost", "per_kg")))
        per_item = parse_minor(
            cost.get("per_item", 0), currency, at(doc, (*path, "cost", "per_item"))
        )
        if leg_id in seen:
            doc.problem((*path, "id"), f"duplicate leg id {leg_id!r}")
        seen.add(leg_id)
        departures = schedules.pop(leg_id, ())
        if leg_id and not departures:
            doc.problem((*path, "id"), f"leg {leg_id!r} has no departures in {SCHEDULES_FILE}")
        values = (mode, services, cutoff, duration, per_kg, per_item)
        if any(value is None for value in values) or not leg_id or not departures:
            continue
        assert mode is not None
        assert services is not None
        assert cutoff is not None
        assert duration is not None
        assert per_kg is not None
        assert per_item is not None
        legs.append(
            Leg(
                id=leg_id,
                origin=ends[0],
                destination=ends[1],
                mode=mode,
                operator=str(doc.get(entry, path, "operator") or ""),
                services=services,
                departures=tuple(sorted(departures, key=lambda d: (d.weekday, d.local_minute))),
                cutoff_min=cutoff,
                duration_min=duration,
                capacity_kg=_optional_int(doc, capacity, (*path, "capacity", "kg")),
                capacity_items=_optional_int(doc, capacity, (*path, "capacity", "items")),
                cost_per_kg_minor=per_kg,
                cost_per_item_minor=per_item,
            )
        )
    for leg_id, _ in schedules.items():
        doc.problems.add(SCHEDULES_FILE, 1, "leg", f"schedule rows for unknown leg {leg_id!r}")
    return tuple(legs)


def _optional_int(doc: YamlDocument, entry: dict[str, Any], path: PathKey) -> int | None:
    value = entry.get(str(path[-1]))
    return None if value is None else parse_int(value, at(doc, path), minimum=1)


def _read_services(
    doc: YamlDocument, entry: dict[str, Any], path: PathKey
) -> frozenset[ServiceLevel] | None:
    values = doc.get(entry, path, "services")
    if not isinstance(values, list) or not values:
        doc.problem((*path, "services"), "must list the service levels allowed on this leg")
        return None
    report = at(doc, (*path, "services"))
    levels = [parse_choice(value, ServiceLevel, report) for value in values]
    return None if None in levels else frozenset(level for level in levels if level is not None)


def _read_schedules(doc: YamlDocument, directory: Path) -> dict[str, list[Departure]]:
    problems = doc.problems
    departures: dict[str, list[Departure]] = defaultdict(list)
    for row in read_csv(directory / SCHEDULES_FILE, ("leg", "days", "departs"), problems):
        days = parse_weekdays(row.values["days"], at_cell(problems, row, "days"))
        minute = parse_clock(row.values["departs"], at_cell(problems, row, "departs"))
        if days is None or minute is None:
            continue
        departures[row.values["leg"]].extend(Departure(day, minute) for day in sorted(days))
    return dict(departures)


def _read_customs(doc: YamlDocument, facilities: dict[str, Facility]) -> dict[str, CustomsProfile]:
    customs: dict[str, CustomsProfile] = {}
    gateway_kinds = {FacilityKind.OFFICE_OF_EXCHANGE, FacilityKind.PARTNER_INJECTION_POINT}
    for path, entry in doc.items("customs"):
        facility_id = str(doc.get(entry, path, "facility"))
        facility = facilities.get(facility_id)
        if facility is None:
            doc.problem((*path, "facility"), f"unknown facility {facility_id!r}")
        elif facility.kind not in gateway_kinds:
            doc.problem((*path, "facility"), "customs apply at destination gateways only")
        clearance = parse_spread(doc, doc.get(entry, path, "clearance"), (*path, "clearance"))
        delay = parse_spread(
            doc, doc.get(entry, path, "inspection_delay"), (*path, "inspection_delay")
        )
        rate = parse_decimal(
            doc.get(entry, path, "inspection_rate"),
            at(doc, (*path, "inspection_rate")),
            low=Decimal(0),
            high=Decimal(1),
        )
        if facility is None or clearance is None or delay is None or rate is None:
            continue
        customs[facility_id] = CustomsProfile(facility_id, clearance, rate, delay)
    return customs
