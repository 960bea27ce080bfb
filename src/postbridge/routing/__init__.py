"""Routing over the scheduled network: timetable, Connection Scan, promises, prices and quotes.

Pure calculation: no I/O beyond the network object it is given.
"""

from postbridge.routing.batch import (
    earliest_arrival_batch,
    earliest_arrival_labels,
    latest_departure_labels,
    useful_positions,
)
from postbridge.routing.choice import choose
from postbridge.routing.disruptions import NO_DISRUPTIONS, Disruptions, disrupted
from postbridge.routing.errors import NoServiceAvailable
from postbridge.routing.journey import PlannedLeg, plan_legs, retime
from postbridge.routing.pricing import PriceBreakdown, price_parcel, price_zone
from postbridge.routing.promise import Promise, delivery_date, find_transit, make_promise
from postbridge.routing.quote import (
    DutiesEstimator,
    DutiesQuery,
    QuoteOption,
    QuoteRequest,
    connection_costs,
    option_order,
    parcel_fits,
    quote,
    resolve_origin,
)
from postbridge.routing.scan import (
    EarliestArrival,
    ParetoFront,
    ParetoLabel,
    candidate_positions,
    earliest_arrival,
    pareto_front,
    reachable_stops,
)
from postbridge.routing.timetable import (
    HORIZON_DAYS,
    UNREACHED,
    ConnectionSet,
    Timetable,
    build_timetable,
    from_minute,
    timetable_at,
    to_minute,
)

__all__ = [
    "HORIZON_DAYS",
    "NO_DISRUPTIONS",
    "UNREACHED",
    "ConnectionSet",
    "Disruptions",
    "DutiesEstimator",
    "DutiesQuery",
    "EarliestArrival",
    "NoServiceAvailable",
    "ParetoFront",
    "ParetoLabel",
    "PlannedLeg",
    "PriceBreakdown",
    "Promise",
    "QuoteOption",
    "QuoteRequest",
    "Timetable",
    "build_timetable",
    "candidate_positions",
    "choose",
    "connection_costs",
    "delivery_date",
    "disrupted",
    "earliest_arrival",
    "earliest_arrival_batch",
    "earliest_arrival_labels",
    "find_transit",
    "from_minute",
    "latest_departure_labels",
    "make_promise",
    "option_order",
    "pareto_front",
    "parcel_fits",
    "plan_legs",
    "price_parcel",
    "price_zone",
    "quote",
    "reachable_stops",
    "resolve_origin",
    "retime",
    "timetable_at",
    "to_minute",
    "useful_positions",
]
