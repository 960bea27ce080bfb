"""Connection Scan for one query: earliest arrival and the (arrival, cost) Pareto set.

Labels are "ready" times: the minute a parcel can leave a facility (after processing) or, at a
destination gateway, be handed to the postal partner. A connection can be taken when the
parcel is ready at its departure facility no later than its drop-off time (departure minus
cut-off). Every departure is its own trip, so no "already aboard" flags are needed.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from postbridge.routing.timetable import UNREACHED, ConnectionSet


@dataclass(frozen=True, slots=True)
class EarliestArrival:
    """One-to-all labels: ready minute per stop and the connection position that set it."""

    ready: list[int]
    via: list[int]  # position in the ConnectionSet, -1 for the origin or an unreached stop

    def journey(self, connections: ConnectionSet, target: int) -> list[int]:
        """Connection positions from the origin to ``target`` (empty if unreached or origin)."""
        dep_stop = connections.lists[2]
        path: list[int] = []
        position = self.via[target]
        while position >= 0:
            path.append(position)
            position = self.via[dep_stop[position]]
        path.reverse()
        return path


def earliest_arrival(
    connections: ConnectionSet, origin: int, ready_at: int, targets: Sequence[int] = ()
) -> EarliestArrival:
    """Scan once from ``ready_at``; stop early once every target is settled."""
    dropoff, ready, dep_stop, arr_stop = connections.lists
    stop_count = len(connections.timetable.stops)
    label = [UNREACHED] * stop_count
    via = [-1] * stop_count
    label[origin] = ready_at
    target_set = set(targets)
    bound = UNREACHED if target_set - {origin} else (ready_at if target_set else UNREACHED)
    for position in range(bisect_left(dropoff, ready_at), len(dropoff)):
        leave_by = dropoff[position]
        if leave_by >= bound:
            break  # everything later arrives after every target's label
        if label[dep_stop[position]] <= leave_by:
            stop = arr_stop[position]
            arrive = ready[position]
            if arrive < label[stop]:
                label[stop] = arrive
                via[stop] = position
                if stop in target_set:
                    bound = max(label[t] for t in target_set)
    return EarliestArrival(label, via)


def reachable_stops(
    connections: ConnectionSet, stops: Sequence[int], *, forward: bool
) -> NDArray[np.bool_]:
    """Stops reachable from ``stops`` (forward) or that can reach them (backward), ignoring time.

    A static filter: a connection whose departure is not reachable from the origin, or whose
    arrival cannot lead to a target, can be skipped by a scan. Cached per connection set.
    """
    key = ("reach", forward, tuple(sorted(stops)))
    cached = connections.memo.get(key)
    if cached is not None:
        return cached
    adjacency = connections.memo.get(("adjacency", forward))
    if adjacency is None:
        stop_count = len(connections.timetable.stops)
        adjacency = [[] for _ in range(stop_count)]
        pairs = np.unique(np.stack([connections.dep_stop, connections.arr_stop], axis=1), axis=0)
        for source, destination in pairs.tolist():
            if forward:
                adjacency[source].append(destination)
            else:
                adjacency[destination].append(source)
        connections.memo[("adjacency", forward)] = adjacency
    seen = np.zeros(len(connections.timetable.stops), dtype=np.bool_)
    frontier = list(stops)
    seen[frontier] = True
    while frontier:
        stop = frontier.pop()
        for neighbour in adjacency[stop]:
            if not seen[neighbour]:
                seen[neighbour] = True
                frontier.append(neighbour)
    connections.memo[key] = seen
    return seen


def candidate_positions(
    connections: ConnectionSet, origin: int, targets: Sequence[int], ready_at: int, latest: int
) -> NDArray[np.int64]:
    """Positions with drop-off in [ready_at, latest] that could lie on an origin-target journey."""
    first = int(np.searchsorted(connections.dropoff, ready_at, side="left"))
    last = int(np.searchsorted(connections.dropoff, latest, side="right"))
    from_origin = reachable_stops(connections, [origin], forward=True)
    to_target = reachable_stops(connections, targets, forward=False)
    useful = (
        from_origin[connections.dep_stop[first:last]] & to_target[connections.arr_stop[first:last]]
    )
    return (np.flatnonzero(useful) + first).astype(np.int64)


@dataclass(frozen=True, slots=True)
class ParetoLabel:
    ready: int
    cost: int
    position: int  # last connection (position in the ConnectionSet), -1 at the origin


@dataclass(frozen=True, slots=True)
class ParetoFront:
    """Per target, the non-dominated (ready, cost) labels, earliest first."""

    labels: dict[int, list[ParetoLabel]]
    parent: dict[int, int]

    def journey(self, label: ParetoLabel) -> list[int]:
        path: list[int] = []
        position = label.position
        while position >= 0:
            path.append(position)
            position = self.parent[position]
        path.reverse()
        return path


def pareto_front(
    connections: ConnectionSet,
    origin: int,
    ready_at: int,
    targets: Sequence[int],
    costs: Sequence[int],
    *,
    latest: int = UNREACHED,
    candidate_positions: NDArray[np.int64] | None = None,
) -> ParetoFront:
    """All Pareto-optimal (ready time, cost) journeys to each target, ready by ``latest``.

    A connection-based dynamic programme: for every connection, the cheapest journey that ends
    with it. Arrivals wait in a per-stop heap until the scan reaches their ready time; a
    connection then takes the cheapest label ready at its departure facility. Because the scan
    runs in drop-off order and every connection is ready after its own drop-off, each label is
    final when used, so the front is exact (checked against brute force in the tests).
    ``costs`` holds one non-negative cost per connection position. ``candidate_positions``
    optionally restricts the scan to a subset (e.g. connections that can reach a target).
    """
    dropoff, ready, dep_stop, arr_stop = connections.lists
    stop_count = len(connections.timetable.stops)
    # Per stop, labels not yet ready at the scan's current drop-off (a heap on ready time).
    pending: dict[int, list[tuple[int, int, int]]] = {origin: [(ready_at, 0, -1)]}
    cheapest = [UNREACHED] * stop_count  # cheapest label already ready at the stop
    cheapest_via = [-1] * stop_count
    target_set = set(targets)
    found: dict[int, list[tuple[int, int, int]]] = {t: [] for t in target_set}
    parent: dict[int, int] = {}
    if candidate_positions is None:
        first = bisect_left(dropoff, ready_at)
        last = bisect_left(dropoff, latest, lo=first) if latest < UNREACHED else len(dropoff)
        positions: Sequence[int] = range(first, last)
    else:
        positions = candidate_positions.tolist()
    for position in positions:
        leave_by = dropoff[position]
        if leave_by < ready_at:
            continue
        if leave_by > latest:
            break
        source = dep_stop[position]
        queue = pending.get(source)
        while queue and queue[0][0] <= leave_by:
            _, cost, via = heapq.heappop(queue)
            if cost < cheapest[source]:
                cheapest[source] = cost
                cheapest_via[source] = via
        base = cheapest[source]
        if base == UNREACHED:
            continue
        arrive = ready[position]
        if arrive > latest:
            continue
        stop = arr_stop[position]
        total = base + costs[position]
        if cheapest[stop] <= total:
            continue  # an earlier, no dearer label is already ready there
        parent[position] = cheapest_via[source]
        if stop in target_set:
            found[stop].append((arrive, total, position))
        waiting = pending.get(stop)
        if waiting is None:
            pending[stop] = [(arrive, total, position)]
        else:
            heapq.heappush(waiting, (arrive, total, position))
    labels = {target: _non_dominated(found[target]) for target in target_set}
    if origin in target_set:
        labels[origin] = [ParetoLabel(ready_at, 0, -1)]
    return ParetoFront(labels, parent)


def _non_dominated(candidates: list[tuple[int, int, int]]) -> list[ParetoLabel]:
    front: list[ParetoLabel] = []
    for arrive, cost, position in sorted(candidates):
        if not front or cost < front[-1].cost:
            front.append(ParetoLabel(arrive, cost, position))
    return front
