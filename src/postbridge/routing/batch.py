"""Connection Scan vectorised across many queries at once.

One pass over the connections updates a label matrix (a row per stop while scanning), so Python's cost per
connection is paid once for the whole batch and NumPy does the per-query work. Labels are kept
as 32-bit minutes relative to the batch's earliest time, which halves the memory traffic.

* :func:`earliest_arrival_labels`: forward scan, earliest ready time at every stop per query;
* :func:`latest_departure_labels`: backward scan, the latest ready time at every stop that
  still reaches the query's target by its deadline;
* :func:`useful_positions`: connections on some feasible journey of one query (boardable in
  the forward labels and still leading to the target in time); a Pareto scan restricted to
  them gives the same front, faster.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

import numpy as np
from numpy.typing import NDArray

from postbridge.routing.scan import reachable_stops
from postbridge.routing.timetable import UNREACHED, ConnectionSet

_NEVER = np.iinfo(np.int32).max  # unreached (forward) in relative minutes
_TOO_LATE = np.iinfo(np.int32).min  # cannot reach the target in time (backward)
_CHECK_EVERY = 256

Labels = NDArray[np.int32]


def earliest_arrival_labels(
    connections: ConnectionSet,
    origins: NDArray[np.int64],
    ready_ats: NDArray[np.int64],
    deadlines: NDArray[np.int64] | None = None,
) -> tuple[Labels, int]:
    """(labels, base): labels[query, stop] + base = earliest ready minute; _NEVER if unreached.

    Without ``deadlines`` every connection is scanned. With them, a query's labels are exact
    for every time up to its own deadline (later updates, useless to it, are skipped) and the
    scan ends at the latest deadline. Columns are processed in ready-time order so that each
    connection touches only the queries that have started and not yet expired.
    """
    query_count = len(origins)
    stop_count = len(connections.timetable.stops)
    base = int(ready_ats.min()) if query_count else 0
    order = np.argsort(ready_ats, kind="stable")
    started = (ready_ats[order] - base).tolist()
    labels = np.full((stop_count, query_count), _NEVER, dtype=np.int32)
    labels[origins[order], np.arange(query_count)] = np.array(started, dtype=np.int32)
    if deadlines is None:
        expired_by: list[int] = []
        stop_at = len(connections.lists[0])
    else:
        # Running maximum of deadlines in ready order: columns [0, i) with expired_by[i-1]
        # below the current drop-off have all passed their deadline.
        expired_by = np.maximum.accumulate(deadlines[order] - base).tolist()
        stop_at = bisect_right(connections.lists[0], int(deadlines.max()))
    dropoff, ready, dep_stop, arr_stop = connections.lists
    reached = [False] * stop_count
    for stop in origins.tolist():
        reached[stop] = True
    for position in range(bisect_left(dropoff, base), stop_at):
        source = dep_stop[position]
        if not reached[source]:
            continue
        leave_by = dropoff[position] - base
        low = bisect_right(expired_by, leave_by)
        width = bisect_right(started, leave_by)
        destination = arr_stop[position]
        reached[destination] = True
        if low >= width:
            continue
        row = labels[destination, low:width]
        boardable = labels[source, low:width] <= leave_by
        np.minimum(row, np.where(boardable, np.int32(ready[position] - base), _NEVER), out=row)
    return _unpermute(labels, order), base


def _unpermute(labels: Labels, order: NDArray[np.int64]) -> Labels:
    """Back to the callers' query order, one contiguous row per query."""
    inverse = np.empty_like(order)
    inverse[order] = np.arange(len(order))
    return np.ascontiguousarray(labels[:, inverse].T)


def earliest_arrival_batch(
    connections: ConnectionSet,
    origins: NDArray[np.int64],
    ready_ats: NDArray[np.int64],
    targets: NDArray[np.int64],
) -> NDArray[np.int64]:
    """Earliest ready minute at each query's target (UNREACHED where there is no journey).

    Queries are ordered by ready time, so a connection only touches the queries already
    started (a prefix of the columns); settled queries (target label no later than the
    current drop-off) are dropped from the matrix as they accumulate.
    """
    query_count = len(origins)
    result = np.full(query_count, UNREACHED, dtype=np.int64)
    if query_count == 0:
        return result
    order = np.argsort(ready_ats, kind="stable")
    base = int(ready_ats[order[0]])
    stop_count = len(connections.timetable.stops)
    labels = np.full((stop_count, query_count), _NEVER, dtype=np.int32)
    started = (ready_ats[order] - base).tolist()  # sorted: columns [0, k) have started
    labels[origins[order], np.arange(query_count)] = np.array(started, dtype=np.int32)
    query_ids, query_targets = order, targets[order]
    dropoff, ready, dep_stop, arr_stop = connections.lists
    reached = [False] * stop_count
    for stop in origins.tolist():
        reached[stop] = True
    for position in range(bisect_left(dropoff, base), len(dropoff)):
        leave_by = dropoff[position] - base
        if position % _CHECK_EVERY == 0:
            columns = np.arange(len(query_ids))
            settled = labels[query_targets, columns] <= leave_by
            if settled.any() and settled.mean() >= 0.25:
                result[query_ids[settled]] = labels[query_targets[settled], columns[settled]]
                result[query_ids[settled]] += base
                keep = ~settled
                labels = np.ascontiguousarray(labels[:, keep])
                query_ids, query_targets = query_ids[keep], query_targets[keep]
                started = [
                    value for value, kept in zip(started, keep.tolist(), strict=True) if kept
                ]
                if not started:
                    return result
        source = dep_stop[position]
        if not reached[source]:
            continue
        width = bisect_right(started, leave_by)
        destination = arr_stop[position]
        row = labels[destination, :width]
        boardable = labels[source, :width] <= leave_by
        np.minimum(row, np.where(boardable, np.int32(ready[position] - base), _NEVER), out=row)
        reached[destination] = True
    at_target = labels[query_targets, np.arange(len(query_ids))].astype(np.int64)
    result[query_ids] = np.where(at_target == _NEVER, UNREACHED, at_target + base)
    return result


def latest_departure_labels(
    connections: ConnectionSet,
    targets: NDArray[np.int64],
    deadlines: NDArray[np.int64],
    ready_ats: NDArray[np.int64],
) -> tuple[Labels, int]:
    """(labels, base): labels[query, stop] + base = latest ready minute at ``stop`` from which
    the query's target is reached by its deadline; _TOO_LATE if it cannot be.

    Exact for every time from the query's own ready time on (earlier updates, useless to it,
    are skipped). Scans backwards from the latest deadline; columns are in falling deadline
    order so that each connection touches only the queries it can still serve.
    """
    query_count = len(targets)
    stop_count = len(connections.timetable.stops)
    base = int(ready_ats.min()) if query_count else 0
    order = np.argsort(-deadlines, kind="stable")
    open_until = (deadlines[order] - base).tolist()  # falling
    labels = np.full((stop_count, query_count), _TOO_LATE, dtype=np.int32)
    labels[targets[order], np.arange(query_count)] = np.array(open_until, dtype=np.int32)
    negated = [-value for value in open_until]  # rising, for bisect
    # Suffix minimum of ready times in column order: columns [i, n) with started_after[i]
    # above the current drop-off all start later, so this connection cannot serve them.
    started_after = np.minimum.accumulate((ready_ats[order] - base)[::-1])[::-1].tolist()
    dropoff, ready, dep_stop, arr_stop = connections.lists
    reaching = [False] * stop_count
    for stop in targets.tolist():
        reaching[stop] = True
    last = bisect_right(dropoff, int(deadlines.max())) if query_count else 0
    for position in range(last - 1, bisect_left(dropoff, base) - 1, -1):
        destination = arr_stop[position]
        if not reaching[destination]:
            continue
        leave_by = dropoff[position] - base
        arrive = ready[position] - base
        width = min(bisect_right(negated, -arrive), bisect_right(started_after, leave_by))
        reaching[dep_stop[position]] = True
        if width == 0:
            continue
        row = labels[dep_stop[position], :width]
        usable = labels[destination, :width] >= arrive
        np.maximum(row, np.where(usable, np.int32(leave_by), _TOO_LATE), out=row)
    return _unpermute(labels, order), base


def _positions_leading_to(connections: ConnectionSet, target: int) -> NDArray[np.int64]:
    """Positions whose arrival facility can reach ``target`` at all (static, cached)."""
    key = ("leading_to", target)
    cached = connections.memo.get(key)
    if cached is None:
        can_reach = reachable_stops(connections, [target], forward=False)
        cached = np.flatnonzero(can_reach[connections.arr_stop]).astype(np.int64)
        connections.memo[key] = cached
    return cached


def useful_positions(
    connections: ConnectionSet,
    forward: Labels,
    forward_base: int,
    backward: Labels,
    backward_base: int,
    query: int,
    target: int,
    ready_at: int,
    latest: int,
) -> NDArray[np.int64]:
    """Positions of the connections on some journey of ``query`` to ``target`` by ``latest``.

    A connection is kept when the parcel can be at its departure facility by its drop-off
    (forward labels) and its arrival still reaches the target in time (backward labels).
    """
    static = _positions_leading_to(connections, target)
    dropoff = connections.lists[0]
    first = static.searchsorted(bisect_left(dropoff, ready_at))
    last = static.searchsorted(bisect_right(dropoff, latest))
    window = static[first:last]
    ready_by = forward[query].astype(np.int64) + forward_base
    leave_by = backward[query].astype(np.int64) + backward_base
    boardable = ready_by[connections.dep_stop[window]] <= connections.dropoff[window]
    in_time = connections.ready[window] <= leave_by[connections.arr_stop[window]]
    return window[boardable & in_time]
