"""Property tests: the scans agree with brute force on random small networks.

Networks are random but small (a few facilities in time zones on both sides of the date
line, a few legs with daily or weekly departures, cut-offs and processing times), so every
journey can be enumerated.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postbridge.network.model import (
    Departure,
    Facility,
    FacilityKind,
    Leg,
    Network,
    ServiceLevel,
    Spread,
    TransportMode,
    Weekday,
)
from postbridge.routing.batch import (
    earliest_arrival_batch,
    earliest_arrival_labels,
    latest_departure_labels,
    useful_positions,
)
from postbridge.routing.scan import earliest_arrival, pareto_front
from postbridge.routing.timetable import UNREACHED, Timetable, build_timetable

# Zones chosen to cross the date line both ways and to include DST and half-hour offsets.
ZONES = (
    "Pacific/Auckland",
    "Asia/Tokyo",
    "Pacific/Honolulu",
    "America/Los_Angeles",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "Asia/Kolkata",
    "Europe/Madrid",
)
START = datetime(2026, 3, 27, 0, 0, tzinfo=UTC)  # spans the European DST change of 29 March
HORIZON_DAYS = 3


@st.composite
def small_networks(draw: st.DrawFn) -> Network:
    stop_count = draw(st.integers(min_value=2, max_value=5))
    facilities = {}
    for index in range(stop_count):
        median = draw(st.integers(min_value=0, max_value=180))
        facilities[f"F{index}"] = Facility(
            id=f"F{index}",
            kind=FacilityKind.TRANSIT_HUB,
            name=f"F{index}",
            city="",
            country="US",
            time_zone=draw(st.sampled_from(ZONES)),
            processing=Spread(median, median + 60),
        )
    legs = []
    for index in range(draw(st.integers(min_value=1, max_value=7))):
        origin = draw(st.integers(min_value=0, max_value=stop_count - 1))
        destination = draw(
            st.integers(min_value=0, max_value=stop_count - 1).filter(lambda d, o=origin: d != o)
        )
        days = draw(st.lists(st.sampled_from(list(Weekday)), min_size=1, max_size=7, unique=True))
        minutes = draw(st.lists(st.integers(0, 1439), min_size=1, max_size=2, unique=True))
        legs.append(
            Leg(
                id=f"L{index}",
                origin=f"F{origin}",
                destination=f"F{destination}",
                mode=TransportMode.AIR,
                operator="test",
                services=frozenset(
                    draw(st.lists(st.sampled_from(list(ServiceLevel)), min_size=1, unique=True))
                ),
                departures=tuple(Departure(day, minute) for day in days for minute in minutes),
                cutoff_min=draw(st.integers(min_value=0, max_value=240)),
                duration_min=draw(st.integers(min_value=1, max_value=900)),
                capacity_kg=None,
                capacity_items=None,
                cost_per_kg_minor=draw(st.integers(min_value=0, max_value=500)),
                cost_per_item_minor=draw(st.integers(min_value=0, max_value=50)),
            )
        )
    return Network("random", "1", "USD", facilities, tuple(legs), {}, {}, {})


def all_journeys(timetable: Timetable, origin: int, ready_at: int) -> list[list[int]]:
    """Every feasible connection sequence from the origin (depth-first enumeration)."""
    journeys: list[list[int]] = []
    leaving: dict[int, list[tuple[int, int, int, int]]] = {}
    for position in range(len(timetable)):
        leaving.setdefault(int(timetable.dep_stop[position]), []).append(
            (
                position,
                int(timetable.dropoff[position]),
                int(timetable.arr_stop[position]),
                int(timetable.ready[position]),
            )
        )

    def extend(stop: int, ready: int, path: list[int]) -> None:
        for position, dropoff, arrival_stop, arrival_ready in leaving.get(stop, []):
            if dropoff >= ready:
                step = [*path, position]
                journeys.append(step)
                extend(arrival_stop, arrival_ready, step)

    extend(origin, ready_at, [])
    return journeys


def journey_is_feasible(timetable: Timetable, origin: int, ready_at: int, path: list[int]) -> bool:
    stop, ready = origin, ready_at
    for position in path:
        if timetable.dep_stop[position] != stop or timetable.dropoff[position] < ready:
            return False
        stop, ready = int(timetable.arr_stop[position]), int(timetable.ready[position])
    return True


queries = st.tuples(
    st.integers(min_value=0, max_value=4),
    st.integers(min_value=0, max_value=4),
    st.integers(min_value=0, max_value=2 * 1440),
)
fast = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fast
@given(small_networks(), queries)
def test_earliest_arrival_equals_brute_force(network: Network, query: tuple[int, int, int]) -> None:
    timetable = build_timetable(network, START, HORIZON_DAYS)
    origin, target = query[0] % len(timetable.stops), query[1] % len(timetable.stops)
    ready_at = timetable.start_minute + query[2]
    connections = timetable.connections()

    result = earliest_arrival(connections, origin, ready_at, [target])

    journeys = all_journeys(timetable, origin, ready_at)
    arrivals = [
        int(timetable.ready[j[-1]]) for j in journeys if timetable.arr_stop[j[-1]] == target
    ]
    expected = ready_at if origin == target else min(arrivals, default=UNREACHED)
    assert result.ready[target] == expected
    if expected != UNREACHED and origin != target:
        path = result.journey(connections, target)
        assert journey_is_feasible(timetable, origin, ready_at, path)
        assert int(timetable.arr_stop[path[-1]]) == target
        assert int(timetable.ready[path[-1]]) == expected


@fast
@given(small_networks(), st.lists(queries, min_size=1, max_size=6))
def test_batch_equals_single_queries(network: Network, batch: list[tuple[int, int, int]]) -> None:
    timetable = build_timetable(network, START, HORIZON_DAYS)
    connections = timetable.connections()
    count = len(timetable.stops)
    origins = np.array([q[0] % count for q in batch], dtype=np.int64)
    targets = np.array([q[1] % count for q in batch], dtype=np.int64)
    ready_ats = np.array([timetable.start_minute + q[2] for q in batch], dtype=np.int64)

    answers = earliest_arrival_batch(connections, origins, ready_ats, targets)

    for index, (origin, target, ready_at) in enumerate(
        zip(origins, targets, ready_ats, strict=True)
    ):
        single = earliest_arrival(connections, int(origin), int(ready_at), [int(target)])
        assert int(answers[index]) == single.ready[int(target)]


@fast
@given(small_networks(), queries, st.integers(min_value=0, max_value=5000))
def test_pareto_front_equals_brute_force(
    network: Network, query: tuple[int, int, int], weight_g: int
) -> None:
    timetable = build_timetable(network, START, HORIZON_DAYS)
    origin, target = query[0] % len(timetable.stops), query[1] % len(timetable.stops)
    ready_at = timetable.start_minute + query[2]
    connections = timetable.connections()
    costs = (timetable.cost_per_item + (timetable.cost_per_kg * weight_g + 500) // 1000).tolist()

    front = pareto_front(connections, origin, ready_at, [target], costs)

    if origin == target:
        assert [(label.ready, label.cost) for label in front.labels[target]] == [(ready_at, 0)]
        return
    points = sorted(
        (int(timetable.ready[j[-1]]), sum(costs[p] for p in j))
        for j in all_journeys(timetable, origin, ready_at)
        if timetable.arr_stop[j[-1]] == target
    )
    expected: list[tuple[int, int]] = []
    for arrive, cost in points:
        if not expected or cost < expected[-1][1]:
            expected.append((arrive, cost))
    assert [(label.ready, label.cost) for label in front.labels[target]] == expected
    for label in front.labels[target]:
        path = front.journey(label)
        assert journey_is_feasible(timetable, origin, ready_at, path)
        assert sum(costs[p] for p in path) == label.cost


@fast
@given(small_networks())
def test_connections_follow_local_schedules_and_cutoffs(network: Network) -> None:
    timetable = build_timetable(network, START, HORIZON_DAYS)

    for position in range(len(timetable)):
        leg = network.legs[int(timetable.leg[position])]
        zone = ZoneInfo(network.facilities[leg.origin].time_zone)
        departs = datetime.fromtimestamp(int(timetable.departure[position]) * 60, UTC)
        local = departs.astimezone(zone)
        scheduled = {(d.weekday, d.local_minute) for d in leg.departures}
        # A local time skipped by a spring-forward change is read with the offset before the
        # change, so it shows one hour later on the clock.
        shifted = local - timedelta(hours=1)
        assert (local.weekday(), local.hour * 60 + local.minute) in scheduled or (
            shifted.weekday(),
            shifted.hour * 60 + shifted.minute,
        ) in scheduled
        assert timetable.dropoff[position] == timetable.departure[position] - leg.cutoff_min
        assert timetable.arrival[position] == timetable.departure[position] + leg.duration_min
        assert timetable.ready[position] > timetable.dropoff[position]
    assert np.all(np.diff(timetable.dropoff) >= 0)


@fast
@given(small_networks(), st.lists(queries, min_size=1, max_size=4), st.integers(0, 3 * 1440))
def test_pruned_pareto_scan_equals_the_full_scan(
    network: Network, batch: list[tuple[int, int, int]], slack: int
) -> None:
    timetable = build_timetable(network, START, HORIZON_DAYS)
    connections = timetable.connections()
    count = len(timetable.stops)
    origins = np.array([q[0] % count for q in batch], dtype=np.int64)
    targets = np.array([q[1] % count for q in batch], dtype=np.int64)
    ready_ats = np.array([timetable.start_minute + q[2] for q in batch], dtype=np.int64)
    deadlines = ready_ats + slack
    costs = (timetable.cost_per_item + timetable.cost_per_kg).tolist()

    forward, forward_base = earliest_arrival_labels(connections, origins, ready_ats, deadlines)
    backward, backward_base = latest_departure_labels(connections, targets, deadlines, ready_ats)

    for index in range(len(batch)):
        origin, target = int(origins[index]), int(targets[index])
        ready_at, latest = int(ready_ats[index]), int(deadlines[index])
        useful = useful_positions(
            connections,
            forward,
            forward_base,
            backward,
            backward_base,
            index,
            target,
            ready_at,
            latest,
        )
        full = pareto_front(connections, origin, ready_at, [target], costs, latest=latest)
        pruned = pareto_front(
            connections,
            origin,
            ready_at,
            [target],
            costs,
            latest=latest,
            candidate_positions=useful,
        )
        assert [(x.ready, x.cost) for x in pruned.labels[target]] == [
            (x.ready, x.cost) for x in full.labels[target]
        ]
