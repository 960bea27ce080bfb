"""Daily capacity plan: assign demand groups to lane departures under capacity.

See :mod:`postbridge.planning` for the model. This module orchestrates one plan: chain the
departures, enumerate options, solve the min-cost flow (whole graph or in lane batches),
repair weight overbooking, and lay the result out as per-departure loads and per-group rows.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import ArrayLike

from postbridge.errors import InvalidInput, ProblemList
from postbridge.kit.money import Money
from postbridge.planning.inputs import (
    NO_LIMIT,
    BoolArray,
    DemandGroups,
    Departures,
    Int64Array,
    PlanningCosts,
)
from postbridge.planning.network import GraphShape, Options, build_options, solve_lanes
from postbridge.planning.schedule import LaneSchedule, parcel_capacity

OVERFLOW = -1  # departure row of an assignment row that no departure could take


@dataclass(frozen=True, slots=True)
class PlanSettings:
    """How to solve; none of these change the optimal cost.

    ``lane_batches``: lanes are independent, so contiguous lane ranges of about equal arc
    counts are solved one after another; the push-relabel solver is superlinear, and 64
    batches ran 3-4x faster than one whole graph on the 1M-parcel bench. ``shape``: DIRECT
    (transportation form) solved ~3-5x faster than CHAIN there. ``weight_repair_rounds``
    bounds the re-solves that tighten departures whose group-mean weight exceeds their kg
    limit. ``max_options_per_group`` caps how many later departures a group may roll to.
    """

    shape: GraphShape = GraphShape.DIRECT
    lane_batches: int = 64
    max_options_per_group: int | None = None
    weight_repair_rounds: int = 3

    def __post_init__(self) -> None:
        problems = ProblemList()
        if self.lane_batches < 1:
            problems.add("settings.lane_batches", "must be >= 1")
        if self.weight_repair_rounds < 0:
            problems.add("settings.weight_repair_rounds", "must be >= 0")
        if self.max_options_per_group is not None and self.max_options_per_group < 1:
            problems.add("settings.max_options_per_group", "must be >= 1")
        problems.raise_if_any("the planning settings are invalid")


@dataclass(frozen=True, slots=True, eq=False)
class PlanInput:
    departures: Departures
    demand: DemandGroups
    costs: PlanningCosts = field(default_factory=PlanningCosts)
    settings: PlanSettings = field(default_factory=PlanSettings)


@dataclass(frozen=True, slots=True, eq=False)
class CapacityPlan:
    """The plan. Assignment rows are sorted by group, then arrival time, overflow last.

    ``departure_*`` columns are aligned with the departures table rows. ``departure_grams`` is
    estimated from group mean weights; :func:`disaggregate` gives exact per-parcel weights.
    """

    input: PlanInput
    assignment_group: Int64Array
    assignment_departure: Int64Array
    assignment_parcels: Int64Array
    assignment_late: BoolArray
    departure_parcels: Int64Array
    departure_grams: Int64Array
    departure_capacity_parcels: Int64Array
    group_late_parcels: Int64Array
    group_overflow_parcels: Int64Array
    transport_cost: int
    lateness_cost: int
    rollover_cost: int
    overflow_cost: int
    solved_arcs: int
    stage_seconds: dict[str, float]

    @property
    def total_cost(self) -> Money:
        minor = self.transport_cost + self.lateness_cost + self.rollover_cost + self.overflow_cost
        return Money(self.input.costs.currency.upper(), minor)

    @property
    def late_parcels(self) -> int:
        return int(self.group_late_parcels.sum())

    @property
    def overflow_parcels(self) -> int:
        return int(self.group_overflow_parcels.sum())

    @property
    def group_at_risk(self) -> BoolArray:
        """Groups with at least one parcel whose promise the plan cannot keep."""
        return (self.group_late_parcels + self.group_overflow_parcels) > 0

    def assignment_departure_ids(self) -> Int64Array:
        ids = self.input.departures.departure_id
        rows = self.assignment_departure
        return np.where(rows == OVERFLOW, OVERFLOW, ids[np.maximum(rows, 0)] if len(ids) else -1)


def plan_capacity(
    plan_input: PlanInput,
    *,
    previous: CapacityPlan | None = None,
    only_lane_ids: ArrayLike | None = None,
    parcel_limit: ArrayLike | None = None,
) -> CapacityPlan:
    """Solve the daily capacity plan for every lane of ``plan_input``.

    With ``previous`` and ``only_lane_ids``, only those lanes are solved again and every other
    lane keeps its previous assignment verbatim (lanes are independent, and a re-solve could
    pick an equally cheap but different optimum that would move parcels for nothing). The
    demand table must be the one ``previous`` was planned with. ``parcel_limit`` (one value
    per departure row, :data:`NO_LIMIT` for none) caps parcels on top of the table's limits.
    """
    departures, demand, settings = plan_input.departures, plan_input.demand, plan_input.settings
    clock = time.perf_counter()
    schedule = LaneSchedule.build(departures)
    options = build_options(
        departures,
        demand,
        schedule,
        plan_input.costs,
        max_options_per_group=settings.max_options_per_group,
    )
    capacity = parcel_capacity(departures, schedule, _lane_mean_grams(demand, schedule))
    if parcel_limit is not None:
        extra = np.asarray(parcel_limit, np.int64)[schedule.order]
        capacity = np.where(extra == NO_LIMIT, capacity, np.minimum(capacity, extra))
    build_seconds = time.perf_counter() - clock

    clock = time.perf_counter()
    option_flow = np.zeros(len(options.group), np.int64)
    overflow = np.zeros(len(demand), np.int64)
    solvable = np.ones(schedule.lane_count + 1, np.bool_)
    if previous is not None and only_lane_ids is not None:
        solvable = _lane_mask_of(schedule, np.asarray(only_lane_ids, np.int64))
        option_flow, overflow = _previous_flows(previous, options, schedule, ~solvable)
        kept = ~solvable[schedule.position_lane]
        capacity = np.where(kept, previous.departure_capacity_parcels[schedule.order], capacity)
    solved_arcs = _solve_in_batches(
        options, demand, schedule, capacity, solvable, settings, option_flow, overflow
    )
    solve_seconds = time.perf_counter() - clock

    clock = time.perf_counter()
    capacity, repair_arcs = _repair_mean_weight(
        options, demand, schedule, departures, capacity, solvable, settings, option_flow, overflow
    )
    stage_seconds = {"build": build_seconds, "solve": solve_seconds}
    stage_seconds["weight_repair"] = time.perf_counter() - clock

    clock = time.perf_counter()
    plan = _assemble(plan_input, schedule, options, capacity, option_flow, overflow)
    stage_seconds["extract"] = time.perf_counter() - clock
    return replace(plan, solved_arcs=solved_arcs + repair_arcs, stage_seconds=stage_seconds)


def _repair_mean_weight(
    options: Options,
    demand: DemandGroups,
    schedule: LaneSchedule,
    departures: Departures,
    capacity: Int64Array,
    solvable: BoolArray,
    settings: PlanSettings,
    option_flow: Int64Array,
    overflow: Int64Array,
) -> tuple[Int64Array, int]:
    """Tighten departures whose group-mean weight exceeds the kg limit; re-solve their lanes.

    Each round lowers an overweight departure's parcel limit in proportion
    (``load x limit / weight``), so limits only fall and the rounds converge.
    """
    mean_grams = demand.grams / demand.parcels
    limit_grams = departures.capacity_grams[schedule.order]
    solved_arcs = 0
    for _ in range(settings.weight_repair_rounds):
        load = np.bincount(options.position, option_flow, minlength=len(capacity))
        grams = np.bincount(
            options.position, option_flow * mean_grams[options.group], minlength=len(capacity)
        )
        heavy = (limit_grams != NO_LIMIT) & (grams > limit_grams + 1e-6)
        heavy &= solvable[schedule.position_lane]
        if not np.any(heavy):
            break
        capacity = capacity.copy()
        capacity[heavy] = np.floor(load[heavy] * limit_grams[heavy] / grams[heavy]).astype(np.int64)
        redo = np.zeros(schedule.lane_count + 1, np.bool_)
        redo[schedule.position_lane[heavy]] = True
        solved_arcs += _solve_in_batches(
            options, demand, schedule, capacity, redo, settings, option_flow, overflow
        )
    return capacity, solved_arcs


def _lane_mean_grams(demand: DemandGroups, schedule: LaneSchedule) -> Int64Array:
    lane_pos, known = schedule.lane_position(demand.lane_id)
    lanes = schedule.lane_count
    parcels = np.bincount(lane_pos[known], demand.parcels[known], minlength=lanes)
    grams = np.bincount(lane_pos[known], demand.grams[known], minlength=lanes)
    # Round up: a conservative mean keeps the kg limit rather than overshooting it.
    return np.ceil(grams / np.maximum(parcels, 1)).astype(np.int64)


def _solve_in_batches(
    options: Options,
    demand: DemandGroups,
    schedule: LaneSchedule,
    capacity: Int64Array,
    lanes: BoolArray,
    settings: PlanSettings,
    option_flow: Int64Array,
    overflow: Int64Array,
) -> int:
    """Solve the selected lanes in ``settings.lane_batches`` runs of about equal arc counts,
    writing their flows into ``option_flow`` / ``overflow``; returns the arcs solved."""
    selected = np.flatnonzero(lanes)
    if len(selected) == 0:
        return 0
    arcs_per_lane = np.diff(options.lane_arc_start)[selected] + 1
    batches = max(1, min(settings.lane_batches, len(selected)))
    cumulative = np.cumsum(arcs_per_lane)
    cuts = np.searchsorted(cumulative, cumulative[-1] * np.arange(1, batches) / batches)
    solved_arcs = 0
    for batch in np.split(selected, np.unique(cuts)):
        if len(batch) == 0:
            continue
        flows = solve_lanes(options, demand, schedule, capacity, batch, settings.shape)
        option_flow[flows.arcs] = flows.option_flow
        overflow[flows.groups] = flows.overflow
        solved_arcs += flows.solved_arcs
    return solved_arcs


def _lane_mask_of(schedule: LaneSchedule, lane_ids: Int64Array) -> BoolArray:
    mask = np.zeros(schedule.lane_count + 1, np.bool_)
    position, known = schedule.lane_position(lane_ids)
    mask[position[known]] = True
    mask[schedule.lane_count] = True  # demand on lanes left with no departure at all
    return mask


def _previous_flows(
    previous: CapacityPlan, options: Options, schedule: LaneSchedule, kept_lanes: BoolArray
) -> tuple[Int64Array, Int64Array]:
    """Carry the previous plan's rows over to this plan's options, for the kept lanes only."""
    if len(previous.input.demand) != len(options.group_lane):
        raise InvalidInput.for_field("previous", "was planned for a different demand table")
    width = len(previous.input.departures) + 1
    planned = previous.assignment_departure != OVERFLOW
    previous_keys = (
        previous.assignment_group[planned] * width + previous.assignment_departure[planned]
    )
    sorter = np.argsort(previous_keys, kind="stable")
    option_keys = options.group * width + schedule.order[options.position]
    spot = np.searchsorted(previous_keys, option_keys, sorter=sorter)
    spot = np.minimum(spot, max(len(previous_keys) - 1, 0))
    option_flow = np.zeros(len(options.group), np.int64)
    if len(previous_keys):
        match = previous_keys[sorter[spot]] == option_keys
        match &= kept_lanes[options.arc_lane]
        option_flow[match] = previous.assignment_parcels[planned][sorter[spot[match]]]
    overflow = np.where(kept_lanes[options.group_lane], previous.group_overflow_parcels, 0)
    return option_flow, overflow.astype(np.int64)


def _assemble(
    plan_input: PlanInput,
    schedule: LaneSchedule,
    options: Options,
    capacity: Int64Array,
    option_flow: Int64Array,
    overflow: Int64Array,
) -> CapacityPlan:
    departures, demand = plan_input.departures, plan_input.demand
    mean_grams = demand.grams / np.maximum(demand.parcels, 1)
    used = np.flatnonzero(option_flow > 0)
    spilled = np.flatnonzero(overflow > 0)
    group = np.concatenate([options.group[used], spilled])
    row = np.concatenate([schedule.order[options.position[used]], np.full(len(spilled), OVERFLOW)])
    parcels = np.concatenate([option_flow[used], overflow[spilled]])
    late = np.concatenate([options.late[used], np.zeros(len(spilled), np.bool_)])
    is_overflow = row == OVERFLOW
    safe_row = np.maximum(row, 0)
    # Disaggregation hands the earliest arrival to the most urgent parcels, so rows are kept
    # in arrival order inside each group; departure time and id break ties deterministically.
    sort = np.lexsort(
        (
            departures.departure_id[safe_row] if len(departures) else row,
            departures.effective_departs_at[safe_row] if len(departures) else row,
            departures.effective_arrives_at[safe_row] if len(departures) else row,
            is_overflow,
            group,
        )
    )
    load_by_position = np.bincount(options.position, option_flow, minlength=len(capacity))
    grams_by_position = np.bincount(
        options.position, option_flow * mean_grams[options.group], minlength=len(capacity)
    )
    departure_parcels = np.zeros(len(departures), np.int64)
    departure_parcels[schedule.order] = load_by_position.astype(np.int64)
    departure_grams = np.zeros(len(departures), np.int64)
    departure_grams[schedule.order] = np.rint(grams_by_position).astype(np.int64)
    departure_capacity = np.zeros(len(departures), np.int64)
    departure_capacity[schedule.order] = np.minimum(capacity, int(demand.parcels.sum()))
    return CapacityPlan(
        input=plan_input,
        assignment_group=group[sort],
        assignment_departure=row[sort],
        assignment_parcels=parcels[sort],
        assignment_late=late[sort],
        departure_parcels=departure_parcels,
        departure_grams=departure_grams,
        departure_capacity_parcels=departure_capacity,
        group_late_parcels=np.bincount(
            options.group, option_flow * options.late, minlength=len(demand)
        ).astype(np.int64),
        group_overflow_parcels=overflow,
        transport_cost=int(option_flow @ options.transport_cost),
        lateness_cost=int(option_flow @ options.lateness_cost),
        rollover_cost=int(option_flow @ options.rollover_cost),
        overflow_cost=int(overflow.sum()) * options.overflow_cost,
        solved_arcs=0,
        stage_seconds={},
    )
