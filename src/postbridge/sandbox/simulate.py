"""Volume through the reality model, vectorised: ``postbridge simulate --parcels N --days D``.

The same model as ``timeline`` (the same spreads, rates and rules), drawn with numpy for a
whole chunk of parcels at once instead of parcel by parcel; each parcel's timeline is a row of
a (parcels x steps) array of UTC seconds. Simplifications, for speed: departures run on a
fixed grid (daily for air, every 6 h for trucks: the reality file's ``next_departure_after``),
weekends and holidays are judged on UTC days, and the delivery week is the partner's weekdays
without holidays. Lanes are the demo network's main shapes (times of day UTC, block times).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from postbridge.sandbox.reality import Reality, Spread

DAY = 86_400
CHUNK = 250_000
Seconds = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class LaneShape:
    partner: str
    country: str
    share: float  # of the simulated volume
    legs: tuple[tuple[str, float, float], ...]  # (mode, departure hour UTC, block hours)
    handover_kind: str = "office_of_exchange"


# Shapes of the demo network's lanes (network/demo: schedules and block times).
LANES = (
    LaneShape("USPS", "US", 0.55, (("truck", 10.0, 3.0), ("air", 8.0, 13.0))),
    LaneShape(
        "CORREOS",
        "ES",
        0.15,
        (("truck", 4.0, 1.5), ("air", 14.0, 12.75), ("truck", 18.0, 28.0), ("truck", 8.0, 1.0)),
    ),
    LaneShape("SINGPOST", "SG", 0.10, (("truck", 10.0, 3.0), ("air", 6.0, 4.0))),
    LaneShape(
        "CORREIOS", "BR", 0.10, (("truck", 4.0, 1.5), ("air", 14.0, 12.75), ("air", 20.0, 12.0))
    ),
    LaneShape("CORREOSMX", "MX", 0.10, (("truck", 4.0, 1.5), ("air", 15.0, 17.5))),
)


@dataclass(frozen=True, slots=True)
class LaneResult:
    partner: str
    parcels: int
    delivered: int
    returned: int
    lost: int
    customs_held: int
    events: int
    door_to_door_p50_days: float
    door_to_door_p90_days: float


@dataclass(frozen=True, slots=True)
class SimulationResult:
    parcels: int
    days: int
    seconds: float
    lanes: tuple[LaneResult, ...]


def _draw(spread: Spread, rng: np.random.Generator, n: int) -> Seconds:
    return spread.median * np.exp(spread.sigma * rng.standard_normal(n))


def _rest_day(moments: Seconds) -> npt.NDArray[np.bool_]:
    return ((moments // DAY + 3) % 7) >= 5  # 1970-01-01 was a Thursday


def _next_slot(ready: Seconds, hour: float, period: float) -> Seconds:
    offset = hour * 3600.0
    return offset + np.ceil((ready - offset) / period) * period


def _lane(
    lane: LaneShape, n: int, start: float, days: int, reality: Reality, rng: np.random.Generator
) -> LaneResult:
    booked = start + rng.uniform(0, days * DAY, n)
    accepted = booked + _draw(reality.induction, rng, n)
    ready = accepted + _draw(reality.processing_for("origin_sorting_centre"), rng, n)
    steps = 2  # EMA + EXA
    for mode, hour, block_hours in lane.legs:
        rules = reality.departures_for(mode)
        period = rules.next_departure_after.total_seconds()
        departs = _next_slot(ready, hour, period)
        departs += np.where(rng.random(n) < rules.missed_connection_rate, period, 0.0)
        late = rng.random(n) >= rules.on_time_share
        departs += np.where(late, _draw(rules.delay, rng, n), 0.0)
        noise = np.maximum(0.5, 1 + rules.block_time_noise * rng.standard_normal(n))
        arrives = departs + block_hours * 3600 * noise
        dwell = _draw(reality.processing_for("transit_hub"), rng, n)
        ready = arrives + dwell * np.where(_rest_day(arrives), reality.weekend_factor, 1.0)
        steps += 2
    customs = reality.customs_for(lane.country)
    held = rng.random(n) < customs.hold_rate
    released = ready + _draw(customs.clearance, rng, n)
    released += np.where(held, _draw(customs.inspection, rng, n), 0.0)
    dispatched = released + _draw(reality.release_to_dispatch, rng, n)
    delivered_at, failed, returned = _last_mile(lane, dispatched, reality, rng)
    lost = rng.random(n) < reality.lost_rate
    door = (delivered_at - booked)[~lost & ~returned] / DAY
    events_per = steps + 4 + 3 + 2 * failed  # customs, last mile, attempts
    return LaneResult(
        partner=lane.partner,
        parcels=n,
        delivered=int((~lost & ~returned).sum()),
        returned=int((returned & ~lost).sum()),
        lost=int(lost.sum()),
        customs_held=int(held.sum()),
        events=int(events_per[~lost].sum() + (events_per[lost] // 2).sum()),
        door_to_door_p50_days=float(np.percentile(door, 50)) if door.size else math.nan,
        door_to_door_p90_days=float(np.percentile(door, 90)) if door.size else math.nan,
    )


def _last_mile(
    lane: LaneShape, dispatched: Seconds, reality: Reality, rng: np.random.Generator
) -> tuple[Seconds, npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    n = dispatched.size
    lm = reality.last_mile_for(lane.partner)
    holidays = {
        int(datetime.combine(day, datetime.min.time(), UTC).timestamp()) // DAY
        for day in reality.holidays.get(lane.country, frozenset())
    }
    delivery_days = np.zeros(7 * 60, dtype=bool)  # a lookup over the next 60 weeks of days
    base_day = int(dispatched.min() // DAY)
    for index in range(delivery_days.size):
        epoch_day = base_day + index
        delivery_days[index] = (
            (epoch_day + 3) % 7
        ) in lm.delivery_weekdays and epoch_day not in holidays
    # Transit days counted on delivery days only: walk each parcel's day forward.
    need = np.ceil(np.maximum(1.0, _draw(lm.transit_days, rng, n))).astype(np.int64)
    # Failed attempts before the first success, stopping at the partner's number of attempts.
    failed = np.minimum(rng.geometric(1.0 - lm.attempt_failure_rate, n) - 1, lm.attempts)
    failed_all = failed == lm.attempts
    need += failed  # each failed attempt costs a delivery day
    day = (dispatched // DAY).astype(np.int64) - base_day
    for _ in range(int(need.max()) + 14):
        moving = need > 0
        if not moving.any():
            break
        day[moving] += 1
        need -= moving & delivery_days[np.minimum(day, delivery_days.size - 1)]
    hour = lm.out_for_delivery[0] + rng.uniform(1.0, 8.0, n)
    delivered = (day + base_day) * DAY + hour * 3600.0
    collected = rng.random(n) < lm.collect_rate
    returned = failed_all & ~collected
    delivered += np.where(failed_all & collected, rng.uniform(0.2, lm.hold_days * 0.6, n) * DAY, 0)
    return delivered, failed, returned


def simulate(*, parcels: int, days: int, reality: Reality, seed: int) -> SimulationResult:
    rng = np.random.default_rng(seed)
    began = time.perf_counter()
    start = datetime(2026, 12, 1, tzinfo=UTC).timestamp()
    results = []
    for lane in LANES:
        count = round(parcels * lane.share)
        chunks = []
        for offset in range(0, count, CHUNK):
            chunks.append(_lane(lane, min(CHUNK, count - offset), start, days, reality, rng))
        if chunks:
            results.append(_merge(lane.partner, chunks))
    return SimulationResult(parcels, days, time.perf_counter() - began, tuple(results))


def _merge(partner: str, chunks: list[LaneResult]) -> LaneResult:
    weights = np.array([chunk.parcels for chunk in chunks], dtype=float)
    return LaneResult(
        partner=partner,
        parcels=sum(chunk.parcels for chunk in chunks),
        delivered=sum(chunk.delivered for chunk in chunks),
        returned=sum(chunk.returned for chunk in chunks),
        lost=sum(chunk.lost for chunk in chunks),
        customs_held=sum(chunk.customs_held for chunk in chunks),
        events=sum(chunk.events for chunk in chunks),
        # Chunks are draws of one distribution: their size-weighted percentiles are close.
        door_to_door_p50_days=float(
            np.average([c.door_to_door_p50_days for c in chunks], weights=weights)
        ),
        door_to_door_p90_days=float(
            np.average([c.door_to_door_p90_days for c in chunks], weights=weights)
        ),
    )
