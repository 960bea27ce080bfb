"""Promise bench (issue 13, point 7): how good are the delivery promises and the moving estimates?

Books N parcels on the demo network in-process (``routing.quote``: the same quoter the API
books with; each parcel takes one of its feasible products at random), plays each through the
partner sandbox's own scan generator (``sandbox.timeline.live_parcel``, the reality model the
sandbox serves partners' scans from) and reports, per product and destination country:

* ``on_time_p90``: the share of parcels delivered by the p90 date promised at booking (lost
  and returned parcels count as not on time);
* ``mae_p50_days``: the mean absolute error, in days, of the booking's p50 date against the
  delivery date (delivered parcels);
* the same two for the estimate after the first scan in the destination country
  (``tracking.estimates.remaining_route_estimate`` from ``arrived_destination_country``).

The sandbox's HTTP partners are not used: playing 100k parcels through them to delivery would
measure the HTTP stack, not the promises; the timelines are the ones they would serve.
Parcels are booked on a 6-hour grid and quotes are cached per origin, postal code and slot,
so N parcels cost far fewer than N quotes.

Usage::

    python bench/promise.py --parcels 100000   # the BENCHMARKS.md figures
    python bench/promise.py --quick            # 2,000 parcels
    python bench/promise.py --json             # exactly one JSON object on stdout
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from postbridge.kit.clock import time_zone
from postbridge.kit.measures import Dimensions
from postbridge.kit.money import Money
from postbridge.network.demo import demo_network
from postbridge.network.model import Network
from postbridge.quotes.route_document import RouteLeg, RoutePromise
from postbridge.routing.quote import DutiesQuery, QuoteOption, QuoteRequest, quote
from postbridge.sandbox.parcels import ParcelPlan, PlannedLeg
from postbridge.sandbox.reality import Reality, load_reality
from postbridge.sandbox.timeline import Step, live_parcel
from postbridge.tracking.estimates import RoutePlan, remaining_route_estimate, route_plan
from postbridge.tracking.model import Milestone

START = datetime(2026, 11, 2, tzinfo=UTC)
BOOKING_DAYS = 14
# Parcels are booked on a 6-hour grid, so that one quote serves every parcel booked from the
# same origin to the same postal code in the same slot (the quoter is the bench's cost).
BOOKING_SLOT_HOURS = 6
SEED = 13
ORIGINS = ("SZX-SC", "CAN-SC", "HKG-SC", "PVG-SC", "YIW-SC", "HGH-SC")
# (country, postal codes) with the sandbox's lane shares (``sandbox.simulate.LANES``).
DESTINATIONS = (
    ("US", 0.55, ("78701", "10001", "94105", "60601", "33101", "98101")),
    ("ES", 0.15, ("28014", "08001", "41001", "46001")),
    ("SG", 0.10, ("018956", "238801", "560123")),
    ("BR", 0.10, ("01310-200", "20040-002", "30130-010")),
    ("MX", 0.10, ("06600", "44100", "64000")),
)
DELIVERED_STEPS = frozenset({Step.DELIVERED, Step.COLLECTED})


@dataclass(slots=True)
class Lane:
    parcels: int = 0
    delivered: int = 0
    on_time_booking: int = 0
    on_time_scan: int = 0
    scanned_in_destination: int = 0
    error_booking_days: int = 0
    error_scan_days: int = 0
    errors_scan: int = 0

    def row(self) -> dict[str, Any]:
        return {
            "parcels": self.parcels,
            "delivered": self.delivered,
            "on_time_p90_booking": _share(self.on_time_booking, self.parcels),
            "mae_p50_days_booking": _mean(self.error_booking_days, self.delivered),
            "on_time_p90_first_destination_scan": _share(
                self.on_time_scan, self.scanned_in_destination
            ),
            "mae_p50_days_first_destination_scan": _mean(self.error_scan_days, self.errors_scan),
        }


@dataclass(slots=True)
class Quotes:
    network: Network
    cache: dict[tuple[str, str, str, datetime], list[QuoteOption]] = field(default_factory=dict)
    computed: int = 0

    def options(self, origin: str, country: str, postal: str, at: datetime) -> list[QuoteOption]:
        key = (origin, country, postal, at)
        if key not in self.cache:
            request = QuoteRequest(
                origin=origin, destination_country=country, destination_postal_code=postal,
                weight_g=450, dimensions=Dimensions(250, 180, 60),
                declared_value=Money.parse("25.00", "USD"),
            )  # fmt: skip
            self.cache[key] = quote(self.network, request, now=at, duties=_no_duties)
            self.computed += 1
        return self.cache[key]


def _no_duties(query: DutiesQuery) -> Money:
    return Money.zero(query.currency)


def run(parcels: int, seed: int = SEED) -> dict[str, Any]:
    rng = random.Random(seed)
    quotes = Quotes(demo_network())
    reality = load_reality()
    lanes: dict[tuple[str, str], Lane] = {}
    unquoted = 0
    started = time.perf_counter()
    # Drawn first, then played in booking order: the quoter keeps the timetable of the day it
    # was last asked about, and random order would rebuild it for nearly every quote.
    bookings = []
    for index in range(parcels):
        country, postal = _destination(rng)
        slot = rng.randrange(BOOKING_DAYS * 24 // BOOKING_SLOT_HOURS)
        bookings.append((slot, index, rng.choice(ORIGINS), country, postal, rng.random()))
    bookings.sort()
    for slot, index, origin, country, postal, pick in bookings:
        booked_at = START + timedelta(hours=slot * BOOKING_SLOT_HOURS)
        options = quotes.options(origin, country, postal, booked_at)
        if not options:
            unquoted += 1
            continue
        option = options[int(pick * len(options))]
        lane = lanes.setdefault((option.product, country), Lane())
        _play(lane, option, country, postal, booked_at, f"BP{index:09d}XX", reality, seed)
    elapsed = time.perf_counter() - started
    return {
        "parcels": parcels,
        "unquoted": unquoted,
        "quotes_computed": quotes.computed,
        "seconds": round(elapsed, 2),
        "parcels_per_second": round(parcels / elapsed) if elapsed else None,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "lanes": [
            {"product": product, "country": country, **lane.row()}
            for (product, country), lane in sorted(lanes.items())
        ],
    }


def _play(
    lane: Lane,
    option: QuoteOption,
    country: str,
    postal: str,
    booked_at: datetime,
    number: str,
    reality: Reality,
    seed: int,
) -> None:
    legs = tuple(RouteLeg.of(leg) for leg in option.route)
    plan = route_plan(legs, RoutePromise.of(option.promise, option.promised_by, True))
    parcel = ParcelPlan(
        tracking_number=number, partner=option.partner, partner_tracking_number=None,
        destination_country=country, destination_postal_code=postal, weight_g=450,
        booked_at=booked_at,
        legs=tuple(
            PlannedLeg(leg.leg_id, leg.origin, leg.destination, leg.mode.value, leg.departs,
                       leg.arrives)
            for leg in option.route
        ),
    )  # fmt: skip
    story = live_parcel(parcel, reality, seed=seed)
    lane.parcels += 1
    zone = time_zone(plan.time_zone)
    delivered = next((s.at for s in story.scans if s.step in DELIVERED_STEPS), None)
    delivered_day = delivered.astimezone(zone).date() if delivered else None
    if delivered_day is not None:
        lane.delivered += 1
        lane.on_time_booking += delivered_day <= plan.promise_p90
        lane.error_booking_days += _days(plan.promise_p50, delivered_day)
    arrived = next((s.at for s in story.scans if s.step is Step.ARRIVED_DESTINATION), None)
    if arrived is None:
        return
    lane.scanned_in_destination += 1
    estimate = _after_first_destination_scan(plan, arrived)
    if delivered_day is not None:
        lane.on_time_scan += delivered_day <= estimate[1]
        lane.error_scan_days += _days(estimate[0], delivered_day)
        lane.errors_scan += 1


def _after_first_destination_scan(plan: RoutePlan, at: datetime) -> tuple[date, date]:
    estimate = remaining_route_estimate(
        plan, milestone=Milestone.ARRIVED_DESTINATION_COUNTRY, milestone_at=at, last_event_at=at
    )
    return estimate.p50, estimate.p90


def _destination(rng: random.Random) -> tuple[str, str]:
    draw = rng.random()
    for country, share, postals in DESTINATIONS:
        if draw < share:
            return country, rng.choice(postals)
        draw -= share
    country, _, postals = DESTINATIONS[0]
    return country, rng.choice(postals)


def _days(expected: date, actual: date) -> int:
    return abs((actual - expected).days)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _mean(total: int, count: int) -> float | None:
    return round(total / count, 3) if count else None


def print_table(result: dict[str, Any]) -> None:
    print(
        f"{result['parcels']:,} parcels in {result['seconds']} s "
        f"({result['parcels_per_second']:,}/s; {result['quotes_computed']:,} quotes; "
        f"{result['unquoted']} without a quote; load {result['load_average']})"
    )
    header = ("product", "to", "parcels", "delivered", "on time p90 (booking)",
              "MAE p50 d (booking)", "on time p90 (1st dest. scan)", "MAE p50 d (1st dest. scan)")  # fmt: skip
    print(" | ".join(header))
    for lane in result["lanes"]:
        print(
            " | ".join(
                str(value)
                for value in (
                    lane["product"], lane["country"], lane["parcels"], lane["delivered"],
                    _percent(lane["on_time_p90_booking"]), lane["mae_p50_days_booking"],
                    _percent(lane["on_time_p90_first_destination_scan"]),
                    lane["mae_p50_days_first_destination_scan"],
                )
            )
        )  # fmt: skip


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.1f} %"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parcels", type=int, default=20_000)
    parser.add_argument("--quick", action="store_true", help="2,000 parcels")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    result = run(2_000 if args.quick else args.parcels, seed=args.seed)
    if args.json:
        json.dump(result, sys.stdout)
        sys.stdout.write("\n")
    else:
        print_table(result)


if __name__ == "__main__":
    main()
