"""The min-cost-flow network of the plan, built with NumPy and solved by OR-Tools.

Flow unit: one parcel. Every demand group ``g`` can take any departure of its lane that leaves
at or after its ``ready_at`` ("options", in chain order). Two equivalent shapes are built:

* ``CHAIN`` — the group waits at node ``w(g, j)`` for its ``j``-th option: a *take* arc to the
  departure node (transport + lateness cost), an explicit *roll-over* arc to ``w(g, j + 1)``
  (``rollover_per_parcel``) and, after the last option, an *overflow* arc to the sink.
* ``DIRECT`` — the transportation form: one node per group, a take arc per option whose cost
  already includes ``j`` roll-overs, and one overflow arc.

Departure nodes drain into the sink through one arc whose capacity is the departure's parcel
capacity. The overflow arc keeps the problem feasible whatever the capacities are, and its cost
exceeds the dearest real option, so overflow only carries what no departure can take. Lateness
must sit on group-specific arcs: a chain shared by the lane would mix parcels with different
promises, so each group owns its waiting chain while departure capacity stays shared.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from ortools.graph.python import min_cost_flow

from postbridge.errors import PostbridgeError
from postbridge.planning.inputs import (
    BoolArray,
    DemandGroups,
    Departures,
    Int64Array,
    PlanningCosts,
)
from postbridge.planning.schedule import LaneSchedule

MINUTES_PER_HOUR = 60
GRAMS_PER_KG = 1000


class GraphShape(StrEnum):
    CHAIN = "chain"
    DIRECT = "direct"


class PlanningFailed(PostbridgeError):
    code = "planning_failed"
    http_status = 500
    title = "Capacity planning failed"


@dataclass(frozen=True, slots=True, eq=False)
class Options:
    """Every (group, catchable departure) pair: the take arcs, with their unit costs.

    Arcs are laid out lane by lane (lane slot ``k`` owns ``lane_arc_start[k]:[k + 1]``); the
    arcs of one group are consecutive and in chain order, and ``step`` counts roll-overs.
    Groups are listed lane by lane in ``groups_by_lane`` the same way. The extra lane slot
    ``lane_count`` holds demand on lanes without usable departures.
    """

    group: Int64Array
    step: Int64Array
    position: Int64Array
    transport_cost: Int64Array
    lateness_cost: Int64Array
    rollover_cost: Int64Array
    late: BoolArray
    arc_lane: Int64Array
    lane_arc_start: Int64Array
    group_lane: Int64Array
    groups_by_lane: Int64Array
    lane_group_start: Int64Array
    group_option_count: Int64Array
    total_cost: Int64Array
    overflow_cost: int
    rollover_unit: int


def build_options(
    departures: Departures,
    demand: DemandGroups,
    schedule: LaneSchedule,
    costs: PlanningCosts,
    *,
    max_options_per_group: int | None = None,
) -> Options:
    lane_pos, first, end, known = schedule.catchable_range(demand.lane_id, demand.ready_at)
    count = end - first
    if max_options_per_group is not None:
        count = np.minimum(count, max_options_per_group)
    lane_slots = np.arange(schedule.lane_count + 2)
    group_lane = np.where(known, lane_pos, schedule.lane_count)
    groups_by_lane = np.argsort(group_lane, kind="stable").astype(np.int64)
    lane_group_start = np.searchsorted(group_lane[groups_by_lane], lane_slots).astype(np.int64)
    sorted_count = count[groups_by_lane]
    group = np.repeat(groups_by_lane, sorted_count)
    sorted_start = np.cumsum(sorted_count) - sorted_count
    step = np.arange(len(group), dtype=np.int64) - np.repeat(sorted_start, sorted_count)
    position = first[group] + step
    row = schedule.order[position]
    arc_lane = group_lane[group]

    parcels = demand.parcels[group]
    per_kg = departures.cost_per_kg[row] * demand.grams[group]
    divisor = GRAMS_PER_KG * parcels
    transport = departures.cost_per_parcel[row] + (per_kg + divisor // 2) // divisor
    late_minutes = departures.effective_arrives_at[row] - demand.deadline[group]
    late = late_minutes > 0
    late_hours = -(-late_minutes // MINUTES_PER_HOUR)
    lateness = np.where(late, late_hours * costs.late_per_hour + costs.late_once, 0)
    rollover = step * costs.rollover_per_parcel
    total = transport + lateness + rollover
    dearest = int(total.max()) if len(group) else 0
    return Options(
        group=group,
        step=step,
        position=position,
        transport_cost=transport,
        lateness_cost=lateness,
        rollover_cost=rollover,
        late=late,
        arc_lane=arc_lane,
        lane_arc_start=np.searchsorted(arc_lane, lane_slots).astype(np.int64),
        group_lane=group_lane,
        groups_by_lane=groups_by_lane,
        lane_group_start=lane_group_start,
        group_option_count=count,
        total_cost=total,
        overflow_cost=max(costs.overflow_per_parcel, dearest + 1),
        rollover_unit=costs.rollover_per_parcel,
    )


@dataclass(frozen=True, slots=True, eq=False)
class LaneFlows:
    """Solver output for every option arc and group of the lanes it was asked about."""

    arcs: Int64Array
    option_flow: Int64Array
    groups: Int64Array
    overflow: Int64Array
    solved_arcs: int


def concatenated_ranges(starts: Int64Array, ends: Int64Array) -> Int64Array:
    """``concatenate([arange(s, e) for s, e in zip(starts, ends)])`` without a Python loop."""
    lengths = ends - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    offsets = np.cumsum(lengths) - lengths
    return np.arange(total, dtype=np.int64) + np.repeat(starts - offsets, lengths)


def solve_lanes(
    options: Options,
    demand: DemandGroups,
    schedule: LaneSchedule,
    capacity: Int64Array,
    lanes: Int64Array,
    shape: GraphShape,
) -> LaneFlows:
    """Solve the min-cost flow of the given lane slots (sorted, unique) on their own."""
    groups = options.groups_by_lane[
        concatenated_ranges(options.lane_group_start[lanes], options.lane_group_start[lanes + 1])
    ]
    arcs = concatenated_ranges(options.lane_arc_start[lanes], options.lane_arc_start[lanes + 1])
    overflow = np.zeros(len(groups), np.int64)
    # Groups with no catchable departure need no solver: all their parcels overflow.
    stranded = options.group_option_count[groups] == 0
    overflow[stranded] = demand.parcels[groups[stranded]]
    if len(arcs) == 0:
        return LaneFlows(arcs, np.zeros(0, np.int64), groups, overflow, 0)

    real_lanes = lanes[lanes < schedule.lane_count]
    positions = concatenated_ranges(
        schedule.lane_start[real_lanes], schedule.lane_start[real_lanes + 1]
    )
    solvable = np.flatnonzero(~stranded)
    supply = demand.parcels[groups[solvable]]
    total = int(supply.sum())
    steps = options.step[arcs]
    arc_parcels = demand.parcels[options.group[arcs]]
    local_position = np.searchsorted(positions, options.position[arcs])
    network = _Network()

    if shape is GraphShape.DIRECT:
        departure_base, sink = len(solvable), len(solvable) + len(positions)
        # Arcs come group after group, each group's run starting at step 0.
        take_tail = np.cumsum(steps == 0) - 1
        take_cost = options.total_cost[arcs]
        overflow_tail = np.arange(len(solvable))
        overflow_cost = np.full(len(solvable), options.overflow_cost, np.int64)
        supply_nodes = np.arange(len(solvable))
    else:
        departure_base, sink = len(arcs), len(arcs) + len(positions)
        take_tail = np.arange(len(arcs))
        take_cost = options.transport_cost[arcs] + options.lateness_cost[arcs]
        last_step = options.group_option_count[options.group[arcs]] - 1
        rolls = np.flatnonzero(steps < last_step)
        roll_cost = np.full(len(rolls), options.rollover_unit, np.int64)
        network.add(rolls, rolls + 1, arc_parcels[rolls], roll_cost)
        overflow_tail = np.flatnonzero(steps == last_step)
        # The overflow path already paid (k - 1) roll-overs; charge the rest here so both
        # shapes have the same objective.
        overflow_cost = options.overflow_cost - steps[overflow_tail] * options.rollover_unit
        supply_nodes = np.flatnonzero(steps == 0)

    take = network.add(take_tail, departure_base + local_position, arc_parcels, take_cost)
    spill = network.add(overflow_tail, np.full(len(overflow_tail), sink), supply, overflow_cost)
    network.add(
        departure_base + np.arange(len(positions)),
        np.full(len(positions), sink),
        np.minimum(capacity[positions], total),
        np.zeros(len(positions), np.int64),
    )
    node_supply = np.zeros(sink + 1, np.int64)
    node_supply[supply_nodes] = supply
    node_supply[sink] = -total
    network.solve(node_supply)
    overflow[solvable] = network.flows(spill)
    return LaneFlows(arcs, network.flows(take), groups, overflow, network.arc_count)


class _Network:
    """Thin wrapper that feeds NumPy columns to OR-Tools in one call per arc family."""

    def __init__(self) -> None:
        self._solver = min_cost_flow.SimpleMinCostFlow()
        self.arc_count = 0

    def add(
        self, tails: Int64Array, heads: Int64Array, capacities: Int64Array, costs: Int64Array
    ) -> np.ndarray:
        self.arc_count += len(tails)
        arcs: np.ndarray = self._solver.add_arcs_with_capacity_and_unit_cost(
            np.asarray(tails, np.int32),
            np.asarray(heads, np.int32),
            np.asarray(capacities, np.int64),
            np.asarray(costs, np.int64),
        )
        return np.asarray(arcs, np.int32)

    def solve(self, node_supply: Int64Array) -> None:
        nodes = np.arange(len(node_supply), dtype=np.int32)
        self._solver.set_nodes_supplies(nodes, np.asarray(node_supply, np.int64))
        status = self._solver.solve()
        if status != self._solver.OPTIMAL:
            raise PlanningFailed(f"min-cost flow ended with status {status!r}")

    def flows(self, arcs: np.ndarray) -> Int64Array:
        return np.asarray(self._solver.flows(arcs), np.int64)
