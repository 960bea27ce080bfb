"""Rates and booking routes on the network, with duties for duties-paid (DDP) sales.

``Quoter.rates`` answers POST /v1/rates: the best option of each product (every alternative on
request). ``Quoter.plan`` is the booking's RoutePlanner: the option the requested service picks,
as a route document (typed, ``route_document.RouteDocument``) and the partner number its last
mile needs (asked of the partner registry, so that no partner is named here).
Options are routed on the departures that will fly: the disruption feed (cancelled and delayed
departures, from capacity planning) is applied to the timetable of every quote.
Bulk capture plans thousands of parcels a second, so the options are memoised per (origin,
destination region group, 1 kg weight band, booking minute, disruptions) and the chosen route
per that group, service and incoterm; the price is always recomputed for the parcel's own
weight and size, and a DDP price adds the import charges of the parcel's own basket
(``quotes.duties``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from postbridge.addresses import check_postal_code
from postbridge.carriers import PartnerRegistry
from postbridge.customs import CustomsItem
from postbridge.errors import InvalidInput, ProblemList
from postbridge.kit.clock import ensure_utc, time_zone
from postbridge.kit.measures import Dimensions
from postbridge.kit.memo import MISSING, IdentityMemo, Memo
from postbridge.kit.money import Money
from postbridge.network.model import Facility, Incoterm, Network, Product
from postbridge.quotes.duties import DdpCharges, ddp_amount_or_refuse, ddp_charges, declared_goods
from postbridge.quotes.model import PlannedRoute, PlanRequest
from postbridge.quotes.origins import origin_facility
from postbridge.quotes.route_document import RouteDocument, RouteLeg, RoutePromise
from postbridge.routing import (
    NO_DISRUPTIONS,
    Disruptions,
    DutiesQuery,
    NoServiceAvailable,
    QuoteOption,
    QuoteRequest,
    choose,
    option_order,
    parcel_fits,
    quote,
    timetable_at,
)
from postbridge.routing.pricing import price_total, price_zone
from postbridge.routing.promise import find_transit, make_promise, postal_region_key

WEIGHT_BAND_G = 1000
PLAN_CACHE_SIZE = 65_536


@dataclass(frozen=True, slots=True)
class RateRequest:
    origin_country: str
    origin_postal_code: str
    destination_country: str
    destination_postal_code: str
    weight_g: int
    dimensions: Dimensions
    declared_value: Money
    incoterm: str = "DDU"
    alternatives: bool = False  # every (product, injection point) option, not each product's best


DisruptionFeed = Callable[[datetime], Disruptions]


def _no_disruptions(_now: datetime) -> Disruptions:
    return NO_DISRUPTIONS


def _transport_only(query: DutiesQuery) -> Money:
    """Options are priced on transport alone; a DDP sale adds the parcel's own import charges
    afterwards (``quotes.duties``), for every product alike."""
    return Money.zero(query.currency)


class Quoter:
    def __init__(
        self,
        network: Network,
        *,
        partners: PartnerRegistry,
        disruptions: DisruptionFeed | None = None,
    ) -> None:
        self.network = network
        self.partners = partners
        self.disruptions = disruptions or _no_disruptions
        # Bounded memos (kit.memo), cleared wholesale when full:
        # (origin, country, region group, service, incoterm, band, minute) -> chosen option
        self._choices: Memo[tuple[Any, ...], QuoteOption] = Memo(PLAN_CACHE_SIZE)
        # the same key without service and incoterm -> every option of the group
        self._group_options: Memo[tuple[Any, ...], list[QuoteOption]] = Memo(PLAN_CACHE_SIZE)
        # option, (region, minute) -> (option with the region's promise, route document)
        self._localised_routes: IdentityMemo[tuple[QuoteOption, RouteDocument]] = IdentityMemo(
            PLAN_CACHE_SIZE
        )
        # route legs -> (office of exchange, gateway, legs of the document)
        self._route_parts_of: IdentityMemo[tuple[Facility, str, tuple[RouteLeg, ...]]] = (
            IdentityMemo(PLAN_CACHE_SIZE)
        )
        self._origins: Memo[tuple[str, str], str] = Memo(PLAN_CACHE_SIZE)
        self._zones: Memo[tuple[str, str, str], str | None] = Memo(PLAN_CACHE_SIZE)

    def warm_up(self, now: datetime) -> None:
        """Build today's timetable now rather than on the first request (~50-100 ms)."""
        timetable_at(self.network, ensure_utc(now))

    # -- POST /v1/rates ---------------------------------------------------------------------

    def rates(self, request: RateRequest, *, now: datetime) -> list[QuoteOption]:
        problems = ProblemList()
        origin_postal = check_postal_code(
            request.origin_country, request.origin_postal_code,
            field="origin.postal_code", problems=problems,
        )  # fmt: skip
        destination_postal = check_postal_code(
            request.destination_country, request.destination_postal_code,
            field="destination.postal_code", problems=problems,
        )  # fmt: skip
        problems.raise_if_any()
        request = replace(
            request, origin_postal_code=origin_postal, destination_postal_code=destination_postal
        )
        origin = origin_facility(
            self.network, request.origin_country, request.origin_postal_code, field="origin.country"
        )
        self._served_or_refuse(request.destination_country)
        options = quote(
            self.network,
            QuoteRequest(
                origin=origin,
                destination_country=request.destination_country,
                destination_postal_code=request.destination_postal_code,
                weight_g=request.weight_g,
                dimensions=request.dimensions,
                declared_value=request.declared_value,
            ),
            now=now,
            duties=_transport_only,
            disruptions=self.disruptions(now),
        )
        if request.incoterm == Incoterm.DDP.value:
            items = declared_goods(request.declared_value, request.weight_g, request.origin_country)
            options = self._sold_ddp(options, request, items, now)
        else:  # a duties-paid product is sold duties paid only
            options = [o for o in options if o.incoterm is Incoterm.DDU]
        return options if request.alternatives else _best_per_product(options)

    def _served_or_refuse(self, country: str) -> None:
        products = self.network.products.values()
        if any(country in product.destination_countries for product in products):
            return
        served = sorted({c for product in products for c in product.destination_countries})
        raise InvalidInput.for_field(
            "destination.country",
            f"no product of the network delivers to {country}; products deliver to "
            f"{', '.join(served)}",
            code="not_served",
            error_code="destination_not_served",
        )

    def _sold_ddp(
        self,
        options: list[QuoteOption],
        request: RateRequest,
        items: tuple[CustomsItem, ...],
        now: datetime,
    ) -> list[QuoteOption]:
        """Every option sold duties paid: its transport price plus the import charges of the
        declared goods; none when the charges cannot be estimated completely (the problem
        says why)."""
        sold: list[QuoteOption] = []
        refused: DdpCharges | None = None
        for option in options:
            transport = option.price.total
            charges = ddp_charges(
                request.destination_country, items, transport, now.date(), request.origin_country
            )
            if charges.amount is None:
                refused = charges
                continue
            price = replace(
                option.price, duties_and_taxes=charges.amount, total=transport + charges.amount
            )
            sold.append(replace(option, incoterm=Incoterm.DDP, price=price))
        if not sold and refused is not None:
            ddp_amount_or_refuse(refused)
        sold.sort(key=option_order)
        return sold

    # -- booking ----------------------------------------------------------------------------

    def plan(self, request: PlanRequest) -> PlannedRoute:
        dims = Dimensions(request.length_mm, request.width_mm, request.height_mm)
        origin = self._origin(request.origin_country, request.origin_postal_code)
        country = request.destination_country
        postal_key = postal_region_key(request.destination_postal_code)
        # The group of postal codes that shares a route to the injection point. US: the ZIP's
        # first digit, USPS's national area (0 New England ... 9 West Coast), which decides the
        # ISC; elsewhere the first three characters.
        key = (
            origin,
            country,
            postal_key[:1] if country == "US" else postal_key[:3],
            request.service.lower(),
            request.incoterm,
            _up(request.weight_g, WEIGHT_BAND_G),
            request.booked_at.replace(second=0, microsecond=0),
            self.disruptions(request.booked_at),
        )
        choice = self._cached_choice(key, request, dims)
        option, document = self._localised(choice, postal_key, key[6], request)
        product = self.network.products[option.product]
        zone = self._zone(product, country, postal_key)
        total = None
        # The group's choice must take this parcel's own size and weight, or it is no choice.
        if zone is not None and parcel_fits(product, request.weight_g, dims):
            total = price_total(
                product, zone=zone, weight_g=request.weight_g, dimensions=dims, duties=None
            )
        if total is None:  # the group's choice does not take or price this parcel: no shortcut
            option = self._choose(request, dims, origin, key[-1])
            product = self.network.products[option.product]
            total = option.price.total
            document = self.route_document(option, request.destination_postal_code)
        duties = self._ddp_duties(request, product, total)
        return PlannedRoute(
            product=option.product,
            partner=option.partner,
            price=total if duties is None else total + duties,
            promise_p50=option.promise.p50,
            promise_p90=option.promise.p90,
            route=document,
            partner_scheme=self._partner_scheme(option.partner, product.last_mile_service),
            duties_included=duties,
        )

    def _ddp_duties(self, request: PlanRequest, product: Product, transport: Money) -> Money | None:
        """The import charges a DDP booking's price includes (None for DDU); a duties-paid
        product cannot be booked DDU, nor DDP when its charges cannot be estimated."""
        if str(request.incoterm) != Incoterm.DDP.value:
            if product.incoterm is Incoterm.DDP:
                raise InvalidInput.for_field(
                    "incoterm",
                    f"{product.code} is sold duties paid only: book it with incoterm DDP",
                    code="not_offered",
                    error_code="ddp_only_product",
                )
            return None
        charges = ddp_charges(
            request.destination_country,
            request.items,
            transport,
            request.booked_at.date(),
            request.origin_country,
        )
        return ddp_amount_or_refuse(charges)

    def _partner_scheme(self, partner: str, last_mile_service: str) -> str | None:
        scheme = self.partners.number_scheme(partner, last_mile_service)
        return None if scheme is None else scheme.name

    def _origin(self, country: str, postal_code: str) -> str:
        """origin_facility, memoised per sender postal code (a merchant ships from a few)."""
        key = (country, postal_code)
        found = self._origins.get(key)
        if found is not MISSING:
            return found
        facility = origin_facility(self.network, country, postal_code, field="sender.country")
        return self._origins.put(key, facility)

    def _zone(self, product: Product, country: str, postal_key: str) -> str | None:
        """price_zone, memoised per (product, postal code): a longest-prefix search per row
        cost more than the rest of the price."""
        key = (product.code, country, postal_key)
        found = self._zones.get(key)
        if found is not MISSING:
            return found
        return self._zones.put(key, price_zone(product, country, postal_key))

    def _localised(
        self, option: QuoteOption, postal_key: str, minute: datetime, request: PlanRequest
    ) -> tuple[QuoteOption, RouteDocument]:
        """The group's option with this delivery region's promise, and its route document,
        memoised per (option, region, minute): both depend on the postal code only through
        the last-mile region (ZIP3 in the US) and the sort code's first three characters."""
        region = postal_key[:3] if request.destination_country == "US" else postal_key
        found = self._localised_routes.get(option, (region, minute))
        if found is not MISSING:
            return found
        localised = self._for_postal_code(option, request)
        document = self.route_document(localised, request.destination_postal_code)
        return self._localised_routes.put(option, (region, minute), (localised, document))

    def _for_postal_code(self, option: QuoteOption, request: PlanRequest) -> QuoteOption:
        """The cached option, with the promise of this parcel's own delivery region: the route
        to the injection point is shared by the region group, the last mile is not."""
        partner = self.network.partners[option.partner]
        product = self.network.products[option.product]
        transit = find_transit(
            partner,
            product.last_mile_service,
            option.injection_point,
            request.destination_postal_code,
        )
        if transit is None:  # this postal code is not served the way its group is: no shortcut
            dims = Dimensions(request.length_mm, request.width_mm, request.height_mm)
            origin = option.route[0].origin if option.route else option.injection_point
            return self._choose(request, dims, origin, self.disruptions(request.booked_at))
        injection_zone = self.network.facilities[option.injection_point].time_zone
        promise = make_promise(
            partner,
            transit,
            injection_zone,
            option.promise.handover_p50,
            option.promise.handover_p90,
        )
        promised_by = request.booked_at.astimezone(time_zone(transit.time_zone)).date() + timedelta(
            days=product.promise_days
        )
        return replace(
            option,
            promise=promise,
            promised_by=promised_by,
            within_promise=promise.p90 <= promised_by,
        )

    def _cached_choice(
        self, key: tuple[Any, ...], request: PlanRequest, dims: Dimensions
    ) -> QuoteOption:
        """Refusals are not cached: they depend on the parcel (weight limits, a postal code
        the partner does not serve), not only on its group."""
        found = self._choices.get(key)
        if found is not MISSING:
            return found
        return self._choices.put(key, self._choose_in_group(key, request, dims))

    def _choose_in_group(
        self, key: tuple[Any, ...], request: PlanRequest, dims: Dimensions
    ) -> QuoteOption:
        """The choice among the options of the key's group without its service and incoterm:
        one quote serves every service level and incoterm of a region, weight band and minute.
        When the group's options have nothing for this parcel, it gets a quote of its own."""
        origin, country, region, _service, _incoterm, band, minute, disruptions = key
        group = (origin, country, region, band, minute, disruptions)
        options = self._group_options.get(group)
        if options is MISSING:
            options = self._group_options.put(
                group, self._quote(request, dims, origin, disruptions)
            )
        try:
            return _pick(options, request.incoterm, request.service)
        except NoServiceAvailable:
            return self._choose(request, dims, origin, disruptions)

    def _quote(
        self, request: PlanRequest, dims: Dimensions, origin: str, disruptions: Disruptions
    ) -> list[QuoteOption]:
        return quote(
            self.network,
            QuoteRequest(
                origin=origin,
                destination_country=request.destination_country,
                destination_postal_code=request.destination_postal_code,
                weight_g=request.weight_g,
                dimensions=dims,
                declared_value=request.declared_value,
            ),
            now=request.booked_at,
            duties=_transport_only,
            disruptions=disruptions,
        )

    def _choose(
        self, request: PlanRequest, dims: Dimensions, origin: str, disruptions: Disruptions
    ) -> QuoteOption:
        try:
            options = self._quote(request, dims, origin, disruptions)
            return _pick(options, request.incoterm, request.service)
        except NoServiceAvailable as exc:
            raise InvalidInput.for_field(
                "service",
                f"no {request.service} service from {request.origin_country} to "
                f"{request.destination_country} {request.destination_postal_code} for this parcel",
                code="not_served",
                error_code="no_service",
            ) from exc

    def route_document(self, option: QuoteOption, postal_code: str) -> RouteDocument:
        """What a shipment stores of its route: legs, hand-over point, label sort data."""
        exchange, gateway, legs = self._route_parts(option)
        return RouteDocument(
            product=option.product,
            product_name=option.product_name,
            service=option.service,
            partner=option.partner,
            partner_name=self.network.partners[option.partner].name,
            injection_point=option.injection_point,
            office_of_exchange=exchange.upu_code or exchange.id,
            sort_code=f"{gateway}-{postal_region_key(postal_code)[:3]}",
            partner_numbered=self.partners.number_scheme(option.partner) is not None,
            legs=legs,
            promise=RoutePromise.of(option.promise, option.promised_by, option.within_promise),
            linehaul_cost=option.linehaul_cost,
            network_version=self.network.version,
        )

    def _route_parts(self, option: QuoteOption) -> tuple[Facility, str, tuple[RouteLeg, ...]]:
        """Office of exchange, gateway and legs of the option's route, memoised per route:
        every delivery region of a group shares them."""
        found = self._route_parts_of.get(option.route)
        if found is not MISSING:
            return found
        facilities = self.network.facilities
        exchange = next(
            (facilities[leg.destination] for leg in reversed(option.route)
             if facilities[leg.destination].upu_code),
            facilities[option.injection_point],
        )  # fmt: skip
        gateway = exchange.iata or exchange.id.split("-")[0]
        legs = tuple(RouteLeg.of(leg) for leg in option.route)
        return self._route_parts_of.put(option.route, None, (exchange, gateway, legs))


def _pick(options: list[QuoteOption], incoterm: str, service: str) -> QuoteOption:
    try:
        return choose(_matching_incoterm(options, incoterm), service)
    except NoServiceAvailable:
        # No product of this incoterm at this service level: any product of the level; the
        # duties then follow the shipment's incoterm (who pays), not the product's.
        return choose(options, service)


def _matching_incoterm(options: list[QuoteOption], incoterm: str) -> list[QuoteOption]:
    """Options of the requested incoterm; when none exists, the others (duties then follow the
    booking's incoterm: the buyer pays at the door for DDU, the merchant is invoiced for DDP)."""
    matching = [o for o in options if o.incoterm.value == incoterm]
    return matching or options


def _best_per_product(options: list[QuoteOption]) -> list[QuoteOption]:
    """Each product's best option by its service level's rule (``routing.choose``): the
    fastest for premium, else the cheapest that keeps the promise."""
    products = dict.fromkeys(o.product for o in options)
    best = [choose(options, product) for product in products]
    best.sort(key=option_order)
    return best


def _up(value: int, step: int) -> int:
    return -(-value // step) * step
