"""Quotes: every feasible (product, injection point) option with price, promise and route.

``quote`` routes once per service level (a Pareto scan from the origin to all injection points
of the eligible products), then for each product and injection point picks one route from the
Pareto set: the fastest for premium products, otherwise the cheapest (line-haul cost) whose
p90 date meets the product's promise, falling back to the fastest when none does.

``postbridge.routing.choice.choose`` then picks the option a booking uses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

from postbridge.errors import InvalidInput, ProblemList
from postbridge.kit.clock import ensure_utc, time_zone
from postbridge.kit.countries import UnknownCountry, normalize_country
from postbridge.kit.measures import Dimensions
from postbridge.kit.money import Money
from postbridge.network.model import (
    FacilityKind,
    Incoterm,
    LastMilePartner,
    Network,
    Product,
    ServiceLevel,
    TransitDays,
)
from postbridge.routing.disruptions import NO_DISRUPTIONS, Disruptions, disrupted
from postbridge.routing.journey import PlannedLeg, plan_legs, retime
from postbridge.routing.pricing import PriceBreakdown, chargeable_weight, price_parcel, price_zone
from postbridge.routing.promise import Promise, find_transit, make_promise
from postbridge.routing.scan import ParetoFront, ParetoLabel, candidate_positions, pareto_front
from postbridge.routing.timetable import (
    MINUTES_PER_DAY,
    ConnectionSet,
    Timetable,
    from_minute,
    timetable_at,
    to_minute,
)

# Routes are searched up to this many days beyond the longest promise of the products quoted:
# later hand-overs cannot meet a promise, and the fastest route is almost always much earlier.
_SEARCH_SLACK_DAYS = 2


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


@dataclass(frozen=True, slots=True)
class QuoteOption:
    product: str
    product_name: str
    service: ServiceLevel
    partner: str
    injection_point: str
    incoterm: Incoterm
    price: PriceBreakdown
    promise: Promise
    promised_by: date  # the product's promise as a date in the recipient's zone
    within_promise: bool  # the p90 date is no later than promised_by
    route: tuple[PlannedLeg, ...]
    linehaul_cost: Money  # what the legs cost us, not part of the price

    def to_json(self) -> dict[str, object]:
        return {
            "product": self.product,
            "product_name": self.product_name,
            "service": self.service.value,
            "partner": self.partner,
            "injection_point": self.injection_point,
            "incoterm": self.incoterm.value,
            "price": self.price.to_json(),
            "promise": {
                **self.promise.to_json(),
                "promised_by": self.promised_by.isoformat(),
                "within_promise": self.within_promise,
            },
            "route": [leg.to_json() for leg in self.route],
        }


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


def connection_costs(connections: ConnectionSet, weight_g: int) -> list[int]:
    """Line-haul cost of each connection for one parcel: per item plus per kg (rounded)."""
    timetable = connections.timetable
    per_kg = timetable.cost_per_kg[connections.ids]
    per_item = timetable.cost_per_item[connections.ids]
    costs: list[int] = (per_item + (per_kg * weight_g + 500) // 1000).tolist()
    return costs


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
            _options_for_service(timetable, service, products, priced, request, origin, now)
        )
    options.sort(key=option_order)
    return options


def option_order(option: QuoteOption) -> tuple[date, str, int, str, str]:
    """Earliest p50 first. Products of different service levels may price in different
    currencies: ties on the date order by currency, then amount, never by minor units of two
    currencies."""
    total = option.price.total
    return (option.promise.p50, total.currency, total.minor, option.product, option.injection_point)


def _options_for_service(
    timetable: Timetable,
    service: ServiceLevel,
    products: list[Product],
    priced: dict[str, PriceBreakdown],
    request: QuoteRequest,
    origin: str,
    now: datetime,
) -> list[QuoteOption]:
    network = timetable.network
    origin_index = timetable.stop_index[origin]
    now_minute = to_minute(now)
    handling = network.origin_handling.get(service)
    if handling is None:
        ready_p50 = now_minute + int(timetable.dwell_p50[origin_index])
        ready_p90 = now_minute + int(timetable.dwell_p90[origin_index])
    else:  # priority handling, or the wait for a consolidated dispatch
        ready_p50 = now_minute + handling.median_min
        ready_p90 = now_minute + handling.p90_min
    targets = sorted(
        {timetable.stop_index[p] for product in products for p in product.injection_points}
    )
    longest = max(product.promise_days for product in products) + _SEARCH_SLACK_DAYS
    latest = min(now_minute + longest * MINUTES_PER_DAY, timetable.end_minute)
    connections = timetable.connections(service)
    costs = connection_costs(connections, request.weight_g)
    useful = candidate_positions(connections, origin_index, targets, ready_p50, latest)
    front = pareto_front(
        connections,
        origin_index,
        ready_p50,
        targets,
        costs,
        latest=latest,
        candidate_positions=useful,
    )
    options = []
    for product in products:
        partner = network.partners[product.partner]
        for injection in product.injection_points:
            transit = find_transit(
                partner, product.last_mile_service, injection, request.destination_postal_code
            )
            labels = front.labels.get(timetable.stop_index[injection], [])
            if transit is None or not labels:
                continue
            promised_by = now.astimezone(time_zone(transit.time_zone)).date() + timedelta(
                days=product.promise_days
            )

            evaluate = partial(
                _evaluate,
                timetable=timetable,
                connections=connections,
                front=front,
                ready_p90=ready_p90,
                partner=partner,
                transit=transit,
                injection_zone=network.facilities[injection].time_zone,
            )
            chosen = _pick_route(product.service, labels, evaluate, promised_by)
            if chosen is None:
                continue
            label, path, promise = chosen
            options.append(
                QuoteOption(
                    product=product.code,
                    product_name=product.name,
                    service=product.service,
                    partner=partner.code,
                    injection_point=injection,
                    incoterm=product.incoterm,
                    price=priced[product.code],
                    promise=promise,
                    promised_by=promised_by,
                    within_promise=promise.p90 <= promised_by,
                    route=plan_legs(timetable, path),
                    linehaul_cost=Money(network.cost_currency, label.cost),
                )
            )
    return options


Candidate = tuple[ParetoLabel, list[int], Promise]


def _evaluate(
    label: ParetoLabel,
    *,
    timetable: Timetable,
    connections: ConnectionSet,
    front: ParetoFront,
    ready_p90: int,
    partner: LastMilePartner,
    transit: TransitDays,
    injection_zone: str,
) -> Candidate | None:
    """The route of a Pareto label with its promise (``None`` if p90 runs past the horizon)."""
    path: list[int] = connections.ids[front.journey(label)].tolist()
    p90_minute = retime(timetable, path, ready_p90)
    if p90_minute is None:
        return None
    handover_p50, handover_p90 = from_minute(label.ready), from_minute(p90_minute)
    return label, path, make_promise(partner, transit, injection_zone, handover_p50, handover_p90)


def _pick_route(
    service: ServiceLevel,
    labels: list[ParetoLabel],
    evaluate: Callable[[ParetoLabel], Candidate | None],
    promised_by: date,
) -> Candidate | None:
    """Premium: the earliest hand-over. Others: the cheapest label whose p90 meets the promise.

    Labels come earliest first with strictly falling cost, so walking them backwards visits
    the cheapest first; the earliest hand-over is the fallback when none is on time.
    """
    if service is not ServiceLevel.PREMIUM:
        for label in reversed(labels):
            candidate = evaluate(label)
            if candidate is not None and candidate[2].p90 <= promised_by:
                return candidate
    for label in labels:
        candidate = evaluate(label)
        if candidate is not None:
            return candidate
    return None


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
