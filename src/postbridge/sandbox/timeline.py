"""What happens to one parcel: its scans along the route, drawn from the reality model.

Pure and deterministic: the draws come from ``random.Random(f"{seed}:{tracking_number}")``, so
a parcel's story depends on the seed and its own number only, not on which parcels came
before it (a replayed run, or the same parcel pre-alerted again, tells the same story).

The steps are the partner-neutral milestones of postal-standards.md 3.1; ``rendering`` turns
them into the partner's own codes (UPU EMA..EMI, or USPS scan events).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

from postbridge.sandbox.parcels import ParcelPlan, delivery_office
from postbridge.sandbox.reality import Facility, LastMile, Reality


class Step(StrEnum):
    ACCEPTED = "accepted"  # EMA: the origin sorting centre scans it in
    ARRIVED_ORIGIN_EXCHANGE = "arrived_origin_exchange"  # EMB
    EXPORT_CUSTOMS = "export_customs"  # EXA
    DEPARTED_ORIGIN = "departed_origin"  # EMC
    ARRIVED_TRANSIT = "arrived_transit"  # EMJ
    DEPARTED_TRANSIT = "departed_transit"  # EMK
    ARRIVED_DESTINATION = "arrived_destination"  # EMD: at the last-mile partner's hand-over
    HELD_AT_EXCHANGE = "held_at_exchange"  # EDA: no accepted advance data (``holds``)
    IMPORT_CUSTOMS = "import_customs"  # EDB
    CUSTOMS_HELD = "customs_held"  # EME
    CUSTOMS_RELEASED = "customs_released"  # EDC
    DEPARTED_EXCHANGE = "departed_exchange"  # EMF
    INTO_SORTING_CENTRE = "into_sorting_centre"  # EDD
    ARRIVED_DELIVERY_OFFICE = "arrived_delivery_office"  # EMG
    OUT_FOR_DELIVERY = "out_for_delivery"  # EDG
    DELIVERY_ATTEMPTED = "delivery_attempted"  # EMH
    AT_PICKUP_POINT = "at_pickup_point"  # EDH
    DELIVERED = "delivered"  # EMI
    COLLECTED = "collected"  # EMI, at the pick-up point
    RETURNED_TO_SENDER = "returned_to_sender"


class Fate(StrEnum):
    DELIVERED = "delivered"
    COLLECTED = "collected"
    RETURNED = "returned"
    LOST = "lost"


# Why an attempt failed, with the shares USPS's notice-left variants suggest [assumption].
ATTEMPT_REASONS = (("notice_left", 0.6), ("no_access", 0.2), ("no_secure_location", 0.2))


@dataclass(frozen=True, slots=True)
class Scan:
    step: Step
    at: datetime  # aware UTC
    place: Facility
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Story:
    tracking_number: str
    scans: tuple[Scan, ...]  # in the order they happened
    fate: Fate
    missed_connections: int
    customs_held: bool
    failed_attempts: int


@dataclass(frozen=True, slots=True)
class Report:
    """One arrival of a scan in the partner's feed; a duplicate is a second Report."""

    scan_index: int
    reported_at: datetime


@lru_cache(maxsize=256)
def zone_info(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_date(at: datetime, place: Facility) -> date:
    return at.astimezone(zone_info(place.time_zone)).date()


def at_local(day: date, hour: int, minute: int, place: Facility) -> datetime:
    return datetime.combine(day, time(hour, minute), zone_info(place.time_zone)).astimezone(UTC)


def is_rest_day(at: datetime, place: Facility, reality: Reality) -> bool:
    day = local_date(at, place)
    return day.weekday() >= 5 or reality.is_holiday(place.country, day)


def _dwell(arrival: datetime, place: Facility, reality: Reality, rng: random.Random) -> timedelta:
    dwell = reality.processing_for(place.kind).draw_delta(rng)
    if is_rest_day(arrival, place, reality):
        dwell *= reality.weekend_factor
    return dwell


def next_delivery_day(day: date, lm: LastMile, country: str, reality: Reality) -> date:
    day += timedelta(days=1)
    while day.weekday() not in lm.delivery_weekdays or reality.is_holiday(country, day):
        day += timedelta(days=1)
    return day


def live_parcel(parcel: ParcelPlan, reality: Reality, *, seed: int) -> Story:
    """Every scan the parcel gets, from acceptance to its fate."""
    rng = random.Random(f"{seed}:{parcel.tracking_number}")
    lost = rng.random() < reality.lost_rate
    scans: list[Scan] = []
    trip = _fly(parcel, reality, rng, scans)
    held = _clear_customs(parcel, trip.handover, trip.arrived, trip.ready, reality, rng, scans)
    fate, failed = _deliver(parcel, trip.handover, scans[-1].at, reality, rng, scans)
    if lost:
        # It vanishes after some scan before the last one, and is never scanned again.
        scans = scans[: rng.randint(1, len(scans) - 1)]
        fate = Fate.LOST
    # Scanners stamp whole seconds; so do the partners' feeds.
    whole = tuple(replace(scan, at=scan.at.replace(microsecond=0)) for scan in scans)
    return Story(parcel.tracking_number, whole, fate, trip.missed, held, failed)


@dataclass(frozen=True, slots=True)
class _Trip:
    handover: Facility
    arrived: datetime
    ready: datetime
    missed: int


def _fly(parcel: ParcelPlan, reality: Reality, rng: random.Random, scans: list[Scan]) -> _Trip:
    first = reality.facility(parcel.legs[0].origin)
    origin_country = first.country
    accepted = parcel.booked_at + reality.induction.draw_delta(rng)
    scans.append(Scan(Step.ACCEPTED, accepted, first))
    arrived, ready = accepted, accepted + _dwell(accepted, first, reality, rng)
    exported, missed = False, 0
    for index, leg in enumerate(parcel.legs):
        source, target = reality.facility(leg.origin), reality.facility(leg.destination)
        rules = reality.departures_for(leg.mode)
        crossing = not exported and target.country != origin_country
        if crossing:
            # Export processing happens during the dwell before the international departure.
            if not any(scan.step is Step.ARRIVED_ORIGIN_EXCHANGE for scan in scans):
                scans.append(
                    Scan(Step.ARRIVED_ORIGIN_EXCHANGE, arrived + (ready - arrived) / 3, source)
                )
            scans.append(Scan(Step.EXPORT_CUSTOMS, arrived + (ready - arrived) * 2 / 3, source))
            exported = True
        departs = leg.departs
        if departs < ready or rng.random() < rules.missed_connection_rate:
            # Not ready for its planned departure, or offloaded (capacity rolled): it takes
            # the first later departure it is ready for.
            missed += 1
            departs += rules.next_departure_after
            while departs < ready:
                departs += rules.next_departure_after
        if rng.random() >= rules.on_time_share:
            departs += rules.delay.draw_delta(rng)
        block = (leg.arrives - leg.departs) * max(0.5, 1 + rng.gauss(0.0, rules.block_time_noise))
        arrives = departs + block
        if crossing:
            scans.append(Scan(Step.DEPARTED_ORIGIN, departs, source))
        elif source.country != origin_country:
            scans.append(Scan(Step.DEPARTED_TRANSIT, departs, source))
        # (a truck between two origin facilities gets no departure scan: UPU has no code for it)
        if index == len(parcel.legs) - 1:
            scans.append(Scan(Step.ARRIVED_DESTINATION, arrives, target))
        elif target.country == origin_country:
            scans.append(Scan(Step.ARRIVED_ORIGIN_EXCHANGE, arrives, target))
        else:
            scans.append(Scan(Step.ARRIVED_TRANSIT, arrives, target))
        arrived, ready = arrives, arrives + _dwell(arrives, target, reality, rng)
    return _Trip(reality.facility(parcel.legs[-1].destination), arrived, ready, missed)


def _clear_customs(
    parcel: ParcelPlan,
    handover: Facility,
    arrived: datetime,
    ready: datetime,
    reality: Reality,
    rng: random.Random,
    scans: list[Scan],
) -> bool:
    customs = reality.customs_for(parcel.destination_country)
    presented = arrived + (ready - arrived) / 2
    scans.append(Scan(Step.IMPORT_CUSTOMS, presented, handover))
    clearance = customs.clearance.draw_delta(rng)
    if is_rest_day(presented, handover, reality):
        clearance *= reality.weekend_factor
    held = rng.random() < customs.hold_rate
    if held:
        held_at = presented + clearance / 2
        scans.append(Scan(Step.CUSTOMS_HELD, held_at, handover, "inspection"))
        released = held_at + customs.inspection.draw_delta(rng)
    else:
        released = presented + clearance
    scans.append(Scan(Step.CUSTOMS_RELEASED, released, handover))
    dispatched = released + reality.release_to_dispatch.draw_delta(rng)
    scans.append(Scan(Step.DEPARTED_EXCHANGE, dispatched, handover))
    return held


def _minutes(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(minutes=rng.uniform(low, high))


def _deliver(
    parcel: ParcelPlan,
    handover: Facility,
    dispatched: datetime,
    reality: Reality,
    rng: random.Random,
    scans: list[Scan],
) -> tuple[Fate, int]:
    lm = reality.last_mile_for(parcel.partner)
    office = delivery_office(parcel.destination_country, parcel.destination_postal_code, handover)
    country = office.country
    day = local_date(dispatched, office)
    for _ in range(max(1, math.ceil(lm.transit_days.draw(rng)))):
        day = next_delivery_day(day, lm, country, reality)
    at_office = at_local(day, 5, 0, office) + _minutes(rng, 0, 90)
    scans.append(
        Scan(Step.INTO_SORTING_CENTRE, dispatched + (at_office - dispatched) * 0.6, office)
    )
    scans.append(Scan(Step.ARRIVED_DELIVERY_OFFICE, at_office, office))
    failed = 0
    for _attempt in range(lm.attempts):
        out = at_local(day, *lm.out_for_delivery, office) + _minutes(rng, 0, 60)
        window = (at_local(day, *lm.delivery_until, office) - out).total_seconds() / 60
        attempt_at = out + _minutes(rng, 30, max(31.0, window))
        scans.append(Scan(Step.OUT_FOR_DELIVERY, out, office))
        if rng.random() >= lm.attempt_failure_rate:
            scans.append(Scan(Step.DELIVERED, attempt_at, office))
            return Fate.DELIVERED, failed
        reason = rng.choices([r for r, _ in ATTEMPT_REASONS], [w for _, w in ATTEMPT_REASONS])[0]
        scans.append(Scan(Step.DELIVERY_ATTEMPTED, attempt_at, office, reason))
        failed += 1
        day = next_delivery_day(day, lm, country, reality)
    pickup = scans[-1].at + _minutes(rng, 60, 180)
    scans.append(Scan(Step.AT_PICKUP_POINT, pickup, office))
    if rng.random() < lm.collect_rate:
        collected = pickup + timedelta(days=rng.uniform(0.2, lm.hold_days * 0.6))
        scans.append(Scan(Step.COLLECTED, collected, office))
        return Fate.COLLECTED, failed
    scans.append(
        Scan(Step.RETURNED_TO_SENDER, pickup + timedelta(days=lm.hold_days), office, "unclaimed")
    )
    return Fate.RETURNED, failed


def resume_after_hold(
    parcel: ParcelPlan, reality: Reality, *, seed: int, released_at: datetime
) -> Story:
    """The rest of a parcel's story once the partner releases it from a hold at the hand-over:
    customs and the last mile again, from ``released_at`` (drawn with their own numbers)."""
    rng = random.Random(f"{seed}:{parcel.tracking_number}:released")
    handover = reality.facility(parcel.legs[-1].destination)
    scans: list[Scan] = []
    ready = released_at + _dwell(released_at, handover, reality, rng)
    held = _clear_customs(parcel, handover, released_at, ready, reality, rng, scans)
    fate, failed = _deliver(parcel, handover, scans[-1].at, reality, rng, scans)
    whole = tuple(replace(scan, at=scan.at.replace(microsecond=0)) for scan in scans)
    return Story(parcel.tracking_number, whole, fate, 0, held, failed)


def handover_time(story: Story) -> datetime | None:
    """When the parcel reached the last-mile partner; None when it was lost before."""
    for scan in story.scans:
        if scan.step is Step.ARRIVED_DESTINATION:
            return scan.at
    return None


def report_times(story: Story, reality: Reality, *, seed: int) -> list[Report]:
    """When each scan reaches the partner's feed: mostly minutes after it, some hours late (so
    out of order), some twice. In arrival order."""
    rng = random.Random(f"{seed}:{story.tracking_number}:reports")
    reporting = reality.reporting
    reports: list[Report] = []
    for index, scan in enumerate(story.scans):
        late = rng.random() < reporting.late_share
        lag = (reporting.late_lag if late else reporting.lag).draw_delta(rng)
        reported = (scan.at + lag).replace(microsecond=0)
        reports.append(Report(index, reported))
        if rng.random() < reporting.duplicate_share:
            again = reported + reporting.duplicate_lag.draw_delta(rng)
            reports.append(Report(index, again.replace(microsecond=0)))
    reports.sort(key=lambda report: (report.reported_at, report.scan_index))
    return reports
