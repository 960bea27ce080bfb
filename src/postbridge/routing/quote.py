"""Quotes: every feasible (product, injection point) option with price, promise and route.

``quote`` routes once per service level (a Pareto scan from the origin to all injection points
of the eligible products), then for each product and injection point picks one route from the
Pareto set: the fastest for premium products, otherwise the cheapest (line-haul cost) whose
p90 date meets the product's promise, falling back to the fastest when none does.

``postbridge.routing.choice.choose`` then picks the option a booking uses.
A service level's options are remembered per process until the next instant that can change
them (``routing.service_options``, ``routing.option_cache``); prices are computed per parcel.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from postbridge.errors import InvalidInput, ProblemList
from postbridge.kit.clock import ensure_utc
from postbridge.kit.countries import UnknownCountry, normalize_country
from postbridge.kit.measures import Dimensions
from postbridge.kit.money import Money
from postbridge.network.model import (
    FacilityKind,
    Incoterm,
    Network,
    Product,
    ServiceLevel,
)
from postbridge.routing.disruptions import NO_DISRUPTIONS, Disruptions, disrupted
from postbridge.routing.option import QuoteOption
from postbridge.routing.pricing import PriceBreakdown, chargeable_weight, price_parcel, price_zone
from postbridge.routing.service_options import connection_costs, service_options
from postbridge.routing.timetable import timetable_at


@dataclass(frozen=True, slots=True)
class QuoteRequest:
    origin: str  # origin facility id, its IATA code or its city
    destination_country: str
    destination_postal_code: str
    weight_g: int
    dimensions: Dimensions
    declared_value: Money


@dataclass(frozen=True, slots=True)
class DutiesQuery:
    """What a duty estimator is told about a DDP parcel; it answers in ``currency``."""

    product: str
    destination_country: str
    destination_postal_code: str
    declared_value: Money
    weight_g: int
    currency: str


DutiesEstimator = Callable[[DutiesQuery], Money | None]


def resolve_origin(network: Network, text: str) -> str:
    """The origin sorting centre named by its id, IATA code or city (case-insensitive)."""
    wanted = text.strip().casefold()
    origins = [
        f for f in network.facilities.values() if f.kind is FacilityKind.ORIGIN_SORTING_CENTRE
    ]
    for facility in origins:
        names = (facility.id, facility.iata or "", facility.city)
        if wanted in (name.casefold() for name in names):
            return facility.id
    raise InvalidInput.for_field(
        "origin", f"{text!r} is not an origin of the network", code="unknown_origin"
    )


def _validate(request: QuoteRequest) -> str:
    problems = ProblemList()
    country = ""
    try:
        country = normalize_country(request.destination_country)
    except UnknownCountry as exc:
        problems.add("destination.country", str(exc))
    # No postal-code check here: the address (booking: recipient.postal_code) or the rate
    # request (destination.postal_code) says whether its country requires one; Chile and
    # Colombia do not, and their parcels are routed by the country's "*" rows.
    if request.weight_g <= 0:
        problems.add("weight_g", "must be positive")
    dims = request.dimensions
    if min(dims.length_mm, dims.width_mm, dims.height_mm) <= 0:
        problems.add("dimensions", "every side must be positive")
    problems.raise_if_any()
    return country


def _fits(product: Product, country: str, request: QuoteRequest) -> bool:
    return country in product.destination_countries and parcel_fits(
        product, request.weight_g, request.dimensions
    )


def parcel_fits(product: Product, weight_g: int, dimensions: Dimensions) -> bool:
    """The product takes a parcel of this weight and size (its destinations aside)."""
    sides = (dimensions.length_mm, dimensions.width_mm, dimensions.height_mm)
    return (
        weight_g <= product.max_weight_g
        and max(sides) <= product.max_side_mm
        and sum(sides) <= product.max_dimensions_sum_mm
        and chargeable_weight(product, weight_g, dimensions) > 0
    )


def _duties_for(
    product: Product, request: QuoteRequest, country: str, duties: Money | DutiesEstimator | None
) -> tuple[bool, Money | None]:
    """(priceable, duties): DDP products need an estimate in their currency."""
    if product.incoterm is not Incoterm.DDP:
        return True, None
    if duties is None:
        return False, None
    if isinstance(duties, Money):
        estimate: Money | None = duties
    else:
        estimate = duties(
            DutiesQuery(
                product=product.code,
                destination_country=country,
                destination_postal_code=request.destination_postal_code,
                declared_value=request.declared_value,
                weight_g=request.weight_g,
                currency=product.currency,
            )
        )
    if estimate is None:
        return False, None
    if estimate.currency != product.currency:
        raise InvalidInput.for_field(
            "duties", f"estimate must be in {product.currency}, got {estimate.currency}"
        )
    return True, estimate


def quote(
    network: Network,
    request: QuoteRequest,
    *,
    now: datetime,
    duties: Money | DutiesEstimator | None = None,
    disruptions: Disruptions = NO_DISRUPTIONS,
) -> list[QuoteOption]:
    """Every feasible option, sorted by p50 date then total price (``option_order``).

    DDP products are quoted only when ``duties`` (an amount, or a callable estimating one per
    product) gives an estimate in the product's currency; without one they cannot be priced.
    ``disruptions`` (cancelled and delayed departures) are applied to the timetable first, so
    that only departures that will fly are used, at their new times.
    """
    now = ensure_utc(now)
    country = _validate(request)
    origin = resolve_origin(network, request.origin)
    timetable = disrupted(timetable_at(network, now), disruptions)
    priced: dict[str, PriceBreakdown] = {}
    for product in network.products.values():
        if not _fits(product, country, request):
            continue
        priceable, estimate = _duties_for(product, request, country, duties)
        zone = price_zone(product, country, request.destination_postal_code)
        if not priceable or zone is None:
            continue
        price = price_parcel(
            product,
            zone=zone,
            weight_g=request.weight_g,
            dimensions=request.dimensions,
            duties=estimate,
        )
        if price is not None:
            priced[product.code] = price
    by_service: dict[ServiceLevel, list[Product]] = defaultdict(list)
    for code in priced:
        by_service[network.products[code].service].append(network.products[code])
    options: list[QuoteOption] = []
    for service, products in by_service.items():
        options.extend(
            service_options(
                timetable,
                service,
                products,
                priced,
                request.weight_g,
                request.destination_postal_code,
                origin,
                now,
            )
        )
    options.sort(key=option_order)
    return options


def option_order(option: QuoteOption) -> tuple[date, str, int, str, str]:
    """Earliest p50 first. Products of different service levels may price in different
    currencies: ties on the date order by currency, then amount, never by minor units of two
    currencies."""
    total = option.price.total
    return (option.promise.p50, total.currency, total.minor, option.product, option.injection_point)


__all__ = [
    "DutiesEstimator",
    "DutiesQuery",
    "QuoteOption",
    "QuoteRequest",
    "connection_costs",
    "option_order",
    "quote",
    "resolve_origin",
]
