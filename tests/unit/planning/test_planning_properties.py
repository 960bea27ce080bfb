"""Property test: on small random instances the plan's cost equals an independent LP optimum.

The reference builds the transportation LP straight from the rules (eligible departures,
unit costs, capacities) with plain Python and solves it with GLOP. The constraint matrix is
totally unimodular, so the LP optimum is the integer optimum the flow must reach.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import ceil, floor

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.linear_solver import pywraplp

from postbridge.planning import (
    NO_LIMIT,
    OVERFLOW,
    DemandGroups,
    Departures,
    GraphShape,
    PlanInput,
    PlanningCosts,
    PlanSettings,
    plan_capacity,
)

COSTS = PlanningCosts(late_per_hour=20, late_once=500, rollover_per_parcel=3)


@dataclass(frozen=True)
class Instance:
    departures: Departures
    demand: DemandGroups


@st.composite
def instances(draw: st.DrawFn) -> Instance:
    count = draw(st.integers(0, 6))
    departs = draw(st.lists(st.integers(0, 12), min_size=count, max_size=count))
    departures = Departures.from_columns(
        departure_id=np.arange(count) + 100,
        lane_id=draw(st.lists(st.integers(1, 2), min_size=count, max_size=count)),
        departs_at=[60 * d for d in departs],
        # Half-hour grids for arrivals and deadlines (with +-1 minute) hit the lateness edges:
        # exactly on time, one minute late, part of an hour late.
        arrives_at=[60 * d + 30 * draw(st.integers(1, 30)) for d in departs],
        capacity_parcels=draw(st.lists(st.integers(-1, 6), min_size=count, max_size=count)),
        capacity_grams=[NO_LIMIT] * count,
        cost_per_parcel=draw(st.lists(st.integers(0, 400), min_size=count, max_size=count)),
        cost_per_kg=draw(st.lists(st.integers(0, 300), min_size=count, max_size=count)),
        cancelled=draw(st.lists(st.booleans(), min_size=count, max_size=count)),
        delay_minutes=draw(st.lists(st.sampled_from([0, 0, 90]), min_size=count, max_size=count)),
    )
    groups = draw(st.integers(1, 5))
    demand = DemandGroups.from_columns(
        lane_id=draw(st.lists(st.integers(1, 3), min_size=groups, max_size=groups)),
        product=[0] * groups,
        ready_at=draw(st.lists(st.integers(0, 800), min_size=groups, max_size=groups)),
        deadline=[
            30 * draw(st.integers(0, 60)) + draw(st.sampled_from([-1, 0, 1, 15]))
            for _ in range(groups)
        ],
        parcels=draw(st.lists(st.integers(1, 7), min_size=groups, max_size=groups)),
        grams=draw(st.lists(st.integers(0, 9000), min_size=groups, max_size=groups)),
    )
    return Instance(departures, demand)


def eligible(instance: Instance, group: int) -> list[int]:
    """Departure rows the group can catch, in chain order (departure time, then id)."""
    d, g = instance.departures, instance.demand
    rows = [
        row
        for row in range(len(d))
        if d.lane_id[row] == g.lane_id[group]
        and not d.cancelled[row]
        and d.departs_at[row] + d.delay_minutes[row] >= g.ready_at[group]
    ]
    return sorted(rows, key=lambda row: (d.departs_at[row] + d.delay_minutes[row], row))


def unit_cost(instance: Instance, group: int, row: int, rollovers: int) -> int:
    d, g = instance.departures, instance.demand
    mean_kg = Fraction(int(g.grams[group]), 1000 * int(g.parcels[group]))
    transport = int(d.cost_per_parcel[row]) + floor(int(d.cost_per_kg[row]) * mean_kg + 0.5)
    late_minutes = int(d.arrives_at[row] + d.delay_minutes[row] - g.deadline[group])
    late = late_minutes > 0
    lateness = (ceil(late_minutes / 60) * COSTS.late_per_hour + COSTS.late_once) if late else 0
    return transport + lateness + rollovers * COSTS.rollover_per_parcel


def reference_cost(instance: Instance) -> int:
    d, g = instance.departures, instance.demand
    options = {
        (group, row): unit_cost(instance, group, row, step)
        for group in range(len(g))
        for step, row in enumerate(eligible(instance, group))
    }
    overflow_cost = max([COSTS.overflow_per_parcel, *(c + 1 for c in options.values())])
    solver = pywraplp.Solver.CreateSolver("GLOP")
    take = {key: solver.NumVar(0, solver.infinity(), f"x{key}") for key in options}
    spill = [solver.NumVar(0, solver.infinity(), f"o{group}") for group in range(len(g))]
    for group in range(len(g)):
        row_vars = [var for (grp, _), var in take.items() if grp == group]
        solver.Add(sum(row_vars) + spill[group] == int(g.parcels[group]))
    for row in range(len(d)):
        load = [var for (_, r), var in take.items() if r == row]
        if load and d.capacity_parcels[row] != NO_LIMIT:
            solver.Add(sum(load) <= int(d.capacity_parcels[row]))
    solver.Minimize(
        sum(options[key] * var for key, var in take.items()) + overflow_cost * sum(spill)
    )
    assert solver.Solve() == pywraplp.Solver.OPTIMAL
    return round(solver.Objective().Value())


@settings(max_examples=120, deadline=None)
@given(instances(), st.sampled_from(list(GraphShape)), st.sampled_from([1, 2, 64]))
def test_plan_is_optimal_feasible_and_conserves_parcels(
    instance: Instance, shape: GraphShape, batches: int
) -> None:
    plan_settings = PlanSettings(shape=shape, lane_batches=batches)
    plan = plan_capacity(PlanInput(instance.departures, instance.demand, COSTS, plan_settings))
    d, g = instance.departures, instance.demand

    assert plan.total_cost.minor == reference_cost(instance)

    # Capacity: never above the limit, nothing on cancelled departures.
    limited = d.capacity_parcels != NO_LIMIT
    assert np.all(plan.departure_parcels[limited] <= d.capacity_parcels[limited])
    assert np.all(plan.departure_parcels[d.cancelled] == 0)
    # Conservation: every parcel of every group is on a departure or in overflow, once.
    per_group = np.bincount(plan.assignment_group, plan.assignment_parcels, minlength=len(g))
    assert per_group.astype(np.int64).tolist() == g.parcels.tolist()
    planned = plan.assignment_departure != OVERFLOW
    loads = np.bincount(
        plan.assignment_departure[planned], plan.assignment_parcels[planned], minlength=len(d)
    )
    assert loads.astype(np.int64).tolist() == plan.departure_parcels.tolist()
    # Only catchable departures, and the late flag matches the arrival against the promise.
    for group, row, late in zip(
        plan.assignment_group[planned],
        plan.assignment_departure[planned],
        plan.assignment_late[planned],
        strict=True,
    ):
        assert row in eligible(instance, int(group))
        arrives = d.arrives_at[row] + d.delay_minutes[row]
        assert bool(late) == bool(arrives > g.deadline[group])
