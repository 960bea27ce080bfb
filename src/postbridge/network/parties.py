"""Reading last-mile partners (with their transit tables) and products (with their prices)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from postbridge.network.model import (
    Facility,
    Incoterm,
    LastMilePartner,
    PriceBand,
    Product,
    RegionScheme,
    ServiceLevel,
    TransitDays,
)
from postbridge.network.source import (
    PathKey,
    Problems,
    YamlDocument,
    at,
    at_cell,
    parse_choice,
    parse_clock,
    parse_currency,
    parse_date,
    parse_decimal,
    parse_int,
    parse_minor,
    parse_weekdays,
    parse_zone,
    read_csv,
)

PRICES_FILE = "prices.csv"
TRANSIT_COLUMNS = ("service", "injection", "region", "p50_days", "p90_days")


def read_partners(
    doc: YamlDocument, directory: Path, facilities: dict[str, Facility]
) -> dict[str, LastMilePartner]:
    partners: dict[str, LastMilePartner] = {}
    for path, entry in doc.items("partners"):
        code = str(doc.get(entry, path, "code") or "")
        zone = parse_zone(doc.get(entry, path, "time_zone"), at(doc, (*path, "time_zone")))
        scheme = parse_choice(
            doc.get(entry, path, "region_scheme"), RegionScheme, at(doc, (*path, "region_scheme"))
        )
        weekdays = parse_weekdays(
            doc.get(entry, path, "delivery_weekdays"), at(doc, (*path, "delivery_weekdays"))
        )
        cutoff = parse_clock(
            doc.get(entry, path, "handover_cutoff"), at(doc, (*path, "handover_cutoff"))
        )
        holidays = [
            parse_date(value, at(doc, (*path, "holidays", index)))
            for index, value in enumerate(entry.get("holidays") or [])
        ]
        injection = _facility_list(doc, entry, (*path, "injection_points"), facilities)
        transit_file = doc.get(entry, path, "transit_file")
        if code in partners:
            doc.problem((*path, "code"), f"duplicate partner {code!r}")
        if not code or zone is None or scheme is None or not weekdays or cutoff is None:
            continue
        if transit_file is None or None in holidays:
            continue
        transit = _read_transit(directory / str(transit_file), doc.problems, injection, zone)
        partners[code] = LastMilePartner(
            code=code,
            name=str(entry.get("name") or code),
            country=str(entry.get("country") or ""),
            time_zone=zone,
            region_scheme=scheme,
            delivery_weekdays=weekdays,
            handover_cutoff_minute=cutoff,
            holidays=frozenset(day for day in holidays if day is not None),
            injection_points=injection,
            transit=transit,
        )
    return partners


def _facility_list(
    doc: YamlDocument, entry: dict[str, Any], path: PathKey, facilities: dict[str, Facility]
) -> tuple[str, ...]:
    values = entry.get(str(path[-1]))
    if not isinstance(values, list) or not values:
        doc.problem(path, "must list at least one facility")
        return ()
    for index, value in enumerate(values):
        if str(value) not in facilities:
            doc.problem((*path, index), f"unknown facility {value!r}")
    return tuple(str(value) for value in values)


def _read_transit(
    path: Path, problems: Problems, injection: tuple[str, ...], default_zone: str
) -> dict[tuple[str, str], dict[str, TransitDays]]:
    table: dict[tuple[str, str], dict[str, TransitDays]] = defaultdict(dict)
    for row in read_csv(path, TRANSIT_COLUMNS, problems):
        if row.values["injection"] not in injection:
            at_cell(problems, row, "injection")(
                f"{row.values['injection']!r} is not an injection point of this partner"
            )
            continue
        p50 = parse_int(row.values["p50_days"], at_cell(problems, row, "p50_days"))
        p90 = parse_int(row.values["p90_days"], at_cell(problems, row, "p90_days"))
        zone_text = row.values.get("time_zone") or default_zone
        zone = parse_zone(zone_text, at_cell(problems, row, "time_zone"))
        if p50 is None or p90 is None or zone is None:
            continue
        if p90 < p50:
            at_cell(problems, row, "p90_days")("must not be fewer than p50_days")
            continue
        key = (row.values["service"], row.values["injection"])
        table[key][row.values["region"]] = TransitDays(p50, p90, zone)
    return dict(table)


def read_products(
    doc: YamlDocument, directory: Path, partners: dict[str, LastMilePartner]
) -> dict[str, Product]:
    prices = _read_prices(doc.problems, directory)
    products: dict[str, Product] = {}
    currencies: dict[ServiceLevel, str] = {}
    for path, entry in doc.items("products"):
        product = _read_product(doc, path, entry, partners, prices)
        if product is None:
            continue
        if product.code in products:
            doc.problem((*path, "code"), f"duplicate product {product.code!r}")
        # Booking picks the cheapest product of a service level: their prices must compare.
        currency = currencies.setdefault(product.service, product.currency)
        if product.currency != currency:
            doc.problem(
                (*path, "currency"),
                f"products of service {product.service.value!r} must share one currency "
                f"({currency}): booking compares their prices",
            )
        products[product.code] = product
    for code in set(prices) - set(products):
        doc.problems.add(PRICES_FILE, 1, "product", f"prices for unknown product {code!r}")
    return products


def _read_product(
    doc: YamlDocument,
    path: PathKey,
    entry: dict[str, Any],
    partners: dict[str, LastMilePartner],
    prices: dict[str, dict[str, list[tuple[int, str]]]],
) -> Product | None:
    problems_before = len(doc.problems.items)
    code = str(doc.get(entry, path, "code") or "")

    def number(key: str, minimum: int = 1) -> int:
        value = parse_int(doc.get(entry, path, key), at(doc, (*path, key)), minimum=minimum)
        return value or 0

    service = parse_choice(
        doc.get(entry, path, "service"), ServiceLevel, at(doc, (*path, "service"))
    )
    incoterm = parse_choice(
        doc.get(entry, path, "incoterm"), Incoterm, at(doc, (*path, "incoterm"))
    )
    currency = parse_currency(doc.get(entry, path, "currency"), at(doc, (*path, "currency")))
    fuel = parse_decimal(
        doc.get(entry, path, "fuel_surcharge_percent"),
        at(doc, (*path, "fuel_surcharge_percent")),
        low=Decimal(0),
        high=Decimal(100),
    )
    partner = partners.get(str(doc.get(entry, path, "partner")))
    if partner is None:
        doc.problem((*path, "partner"), f"unknown partner {entry.get('partner')!r}")
    last_mile = str(doc.get(entry, path, "last_mile_service") or "")
    injection = tuple(str(v) for v in entry.get("injection_points") or [])
    if not injection:
        doc.problem((*path, "injection_points"), "must list at least one facility")
    for index, facility_id in enumerate(injection):
        if partner is not None and (last_mile, facility_id) not in partner.transit:
            doc.problem(
                (*path, "injection_points", index),
                f"partner {partner.code} has no {last_mile!r} transit table from {facility_id!r}",
            )
    countries = frozenset(str(c).upper() for c in entry.get("destination_countries") or [])
    if not countries:
        doc.problem((*path, "destination_countries"), "must list at least one country")
    zones = {str(key): str(value) for key, value in (entry.get("zones") or {}).items()}
    if not zones:
        doc.problem((*path, "zones"), "must map countries (or COUNTRY:prefix) to price zones")
    bands = _price_bands(doc, path, code, set(zones.values()), prices.get(code, {}), currency)
    limits = {key: number(key) for key in ("max_weight_g", "max_side_mm", "max_dimensions_sum_mm")}
    promise_days, divisor = number("promise_days"), number("volumetric_divisor")
    if len(doc.problems.items) > problems_before:
        return None
    assert service is not None
    assert incoterm is not None
    assert currency is not None
    assert fuel is not None
    assert partner is not None
    return Product(
        code=code,
        name=str(entry.get("name") or code),
        service=service,
        partner=partner.code,
        last_mile_service=last_mile,
        destination_countries=countries,
        injection_points=injection,
        max_weight_g=limits["max_weight_g"],
        max_side_mm=limits["max_side_mm"],
        max_dimensions_sum_mm=limits["max_dimensions_sum_mm"],
        promise_days=promise_days,
        volumetric_divisor=divisor,
        fuel_surcharge_percent=fuel,
        currency=currency,
        incoterm=incoterm,
        zones=zones,
        prices=bands,
    )


def _price_bands(
    doc: YamlDocument,
    path: PathKey,
    code: str,
    zone_names: set[str],
    rows: dict[str, list[tuple[int, str]]],
    currency: str | None,
) -> dict[str, tuple[PriceBand, ...]]:
    bands: dict[str, tuple[PriceBand, ...]] = {}
    for zone_name in sorted(zone_names):
        if zone_name not in rows:
            doc.problem((*path, "zones"), f"{PRICES_FILE} has no bands for {code} zone {zone_name}")
            continue
        if currency is None:
            continue
        parsed = [
            PriceBand(up_to, parse_minor(price, currency, at(doc, (*path, "currency"))) or 0)
            for up_to, price in sorted(rows[zone_name])
        ]
        bands[zone_name] = tuple(parsed)
    return bands


def _read_prices(
    problems: Problems, directory: Path
) -> dict[str, dict[str, list[tuple[int, str]]]]:
    columns = ("product", "zone", "up_to_g", "price")
    table: dict[str, dict[str, list[tuple[int, str]]]] = defaultdict(lambda: defaultdict(list))
    for row in read_csv(directory / PRICES_FILE, columns, problems):
        up_to = parse_int(row.values["up_to_g"], at_cell(problems, row, "up_to_g"), minimum=1)
        price = parse_decimal(
            row.values["price"],
            at_cell(problems, row, "price"),
            low=Decimal(0),
            high=Decimal(10**6),
        )
        if up_to is None or price is None:
            continue
        table[row.values["product"]][row.values["zone"]].append((up_to, row.values["price"]))
    return {code: dict(zones) for code, zones in table.items()}
