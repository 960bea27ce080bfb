"""One service level's options for a quote: a Pareto search from the origin to the injection
points of its products, then one route per (product, injection point) from the Pareto set
(``routing.quote`` explains the choice), remembered until they can change
(``routing.option_cache``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial

from postbridge.kit.clock import time_zone
from postbridge.kit.memo import MISSING, Memo
from postbridge.kit.money import Money
from postbridge.network.model import LastMilePartner, Product, ServiceLevel, TransitDays
from postbridge.routing.journey import plan_legs, retime
from postbridge.routing.option import QuoteOption
from postbridge.routing.option_cache import (
    HORIZON_EXTENSION_MIN,
    ServiceOptions,
    ValidUntil,
    remember,
    remembered,
)
from postbridge.routing.pricing import PriceBreakdown
from postbridge.routing.promise import Promise, find_transit, make_promise
from postbridge.routing.scan import ParetoFront, ParetoLabel, candidate_positions, pareto_front
from postbridge.routing.timetable import (
    MINUTES_PER_DAY,
    ConnectionSet,
    Timetable,
    from_minute,
    to_minute,
)

# Routes are searched up to this many days beyond the longest promise of the products quoted:
# later hand-overs cannot meet a promise, and the fastest route is almost always much earlier.
_SEARCH_SLACK_DAYS = 2
_TRANSITS_MEMO = "transits"
TRANSITS_MEMO_SIZE = 65_536


def connection_costs(connections: ConnectionSet, weight_g: int) -> list[int]:
    """Line-haul cost of each connection for one parcel: per item plus per kg (rounded)."""
    timetable = connections.timetable
    per_kg = timetable.cost_per_kg[connections.ids]
    per_item = timetable.cost_per_item[connections.ids]
    costs: list[int] = (per_item + (per_kg * weight_g + 500) // 1000).tolist()
    return costs


def service_options(
    timetable: Timetable,
    service: ServiceLevel,
    products: list[Product],
    priced: dict[str, PriceBreakdown],
    weight_g: int,
    postal_code: str,
    origin: str,
    now: datetime,
) -> list[QuoteOption]:
    """``_options_for_service``, remembered until the options can change (``option_cache``)
    with this parcel's own prices put back. The postal code counts only through the transit
    rows it selects, the weight through the line-haul costs, so both are in the key."""
    transits = _transits(timetable, products, postal_code)
    key = (service, origin, weight_g, tuple(p.code for p in products), transits)
    minute = to_minute(now)
    found = remembered(timetable, key, minute)
    if found is None:
        found = _options_for_service(
            timetable, service, products, priced, weight_g, origin, now, transits
        )
        remember(timetable, key, found)
    return [_priced(option, priced[option.product]) for option in found.options]


def _priced(option: QuoteOption, price: PriceBreakdown) -> QuoteOption:
    """The option at this parcel's price (``dataclasses.replace`` cost more than the quote's
    lookup; an equal price, the common case of a repeated parcel, keeps the object)."""
    if option.price == price:
        return option
    return QuoteOption(
        product=option.product,
        product_name=option.product_name,
        service=option.service,
        partner=option.partner,
        injection_point=option.injection_point,
        incoterm=option.incoterm,
        price=price,
        promise=option.promise,
        promised_by=option.promised_by,
        within_promise=option.within_promise,
        route=option.route,
        linehaul_cost=option.linehaul_cost,
    )


def _transits(
    timetable: Timetable, products: list[Product], postal_code: str
) -> tuple[TransitDays | None, ...]:
    """The last-mile transit row of each (product, injection point), remembered per postal
    code: a longest-prefix search per injection point cost as much as the rest of a hit."""
    key = (tuple(p.code for p in products), postal_code)
    memo = timetable.memo.get(_TRANSITS_MEMO)
    if memo is None:
        memo = timetable.memo.setdefault(_TRANSITS_MEMO, Memo(TRANSITS_MEMO_SIZE))
    found = memo.get(key)
    if found is not MISSING:
        return found
    partners = timetable.network.partners
    transits = tuple(
        find_transit(partners[product.partner], product.last_mile_service, injection, postal_code)
        for product in products
        for injection in product.injection_points
    )
    return memo.put(key, transits)


def _options_for_service(
    timetable: Timetable,
    service: ServiceLevel,
    products: list[Product],
    priced: dict[str, PriceBreakdown],
    weight_g: int,
    origin: str,
    now: datetime,
    transits: tuple[TransitDays | None, ...],
) -> ServiceOptions:
    """The service's options at ``now``, and until when they stay the same (``ValidUntil``:
    each instant that could change them caps it)."""
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
    horizon = (max(product.promise_days for product in products) + _SEARCH_SLACK_DAYS) * (
        MINUTES_PER_DAY
    )
    latest = min(now_minute + horizon, timetable.end_minute)
    # Searched a little beyond ``latest``: the labels ready by ``latest`` are exactly those of
    # a search that stops there (a label is final before any later drop-off is scanned), and
    # the later ones say when a later minute's horizon takes in a new label.
    searched_to = min(latest + HORIZON_EXTENSION_MIN, timetable.end_minute)
    connections = timetable.connections(service)
    costs = connection_costs(connections, weight_g)
    useful = candidate_positions(connections, origin_index, targets, ready_p50, searched_to)
    front = pareto_front(
        connections,
        origin_index,
        ready_p50,
        targets,
        costs,
        latest=searched_to,
        candidate_positions=useful,
    )
    valid = ValidUntil()
    valid.cap_by_origin_cut_off(connections, useful, front, origin_index, ready_p50 - now_minute)
    valid.cap_by_horizon(front, latest, searched_to, horizon, timetable.end_minute)
    options = []
    transit_of = iter(transits)
    for product in products:
        partner = network.partners[product.partner]
        for injection in product.injection_points:
            transit = next(transit_of)
            labels = [
                label
                for label in front.labels.get(timetable.stop_index[injection], [])
                if label.ready <= latest
            ]
            if transit is None or not labels:
                continue
            valid.cap_at_local_midnight(now, transit.time_zone)
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
                valid=valid,
                p90_delay=ready_p90 - now_minute,
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
    return ServiceOptions(tuple(options), now_minute, valid.before)


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
    valid: ValidUntil,
    p90_delay: int,
) -> Candidate | None:
    """The route of a Pareto label with its promise (``None`` if p90 runs past the horizon).
    Its p90 stays the same until a later parcel misses the first leg's departure it takes."""
    path: list[int] = connections.ids[front.journey(label)].tolist()
    valid.cap_by_first_leg(timetable, path, ready_p90, p90_delay)
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


__all__ = ["connection_costs", "service_options"]
