"""Hand-computed capacity plans: every expected load and cost is worked out in the comments.

Default costs: late 500 once + 20 per started hour, roll-over 1, overflow 100,000 per parcel.
"""

from __future__ import annotations

import numpy as np
import pytest

from postbridge.kit.money import Money
from postbridge.planning import (
    NO_LIMIT,
    OVERFLOW,
    DemandGroups,
    Departures,
    GraphShape,
    PlanInput,
    PlanSettings,
    plan_capacity,
)

BOTH_SHAPES = pytest.mark.parametrize("shape", list(GraphShape))


def two_departures(
    *,
    capacity: tuple[int, int] = (NO_LIMIT, NO_LIMIT),
    grams: tuple[int, int] = (NO_LIMIT, NO_LIMIT),
    cost: tuple[int, int] = (100, 100),
    per_kg: tuple[int, int] = (0, 0),
) -> Departures:
    """Lane 1: id 10 leaves 600 arrives 900; id 11 leaves 1200 arrives 1500 (epoch minutes)."""
    return Departures.from_columns(
        departure_id=[10, 11],
        lane_id=[1, 1],
        departs_at=[600, 1200],
        arrives_at=[900, 1500],
        capacity_parcels=capacity,
        capacity_grams=grams,
        cost_per_parcel=cost,
        cost_per_kg=per_kg,
    )


def groups(*rows: tuple[int, int, int, int, int]) -> DemandGroups:
    """Rows of (lane, ready_at, deadline, parcels, grams); product 0."""
    lane, ready, deadline, parcels, grams = (list(column) for column in zip(*rows, strict=True))
    return DemandGroups.from_columns(
        lane_id=lane,
        product=[0] * len(rows),
        ready_at=ready,
        deadline=deadline,
        parcels=parcels,
        grams=grams,
    )


def solve(departures: Departures, demand: DemandGroups, shape: GraphShape = GraphShape.DIRECT):
    return plan_capacity(PlanInput(departures, demand, settings=PlanSettings(shape=shape)))


@BOTH_SHAPES
def test_binding_capacity_rolls_the_rest_over_to_the_next_departure(shape: GraphShape) -> None:
    plan = solve(two_departures(capacity=(3, NO_LIMIT)), groups((1, 0, 2000, 5, 5000)), shape)

    assert plan.departure_parcels.tolist() == [3, 2]
    assert plan.assignment_departure.tolist() == [0, 1]
    assert plan.assignment_parcels.tolist() == [3, 2]
    # 5 parcels x 100 transport + 2 roll-overs x 1.
    assert plan.total_cost == Money("USD", 502)
    assert (plan.late_parcels, plan.overflow_parcels) == (0, 0)


@BOTH_SHAPES
def test_lateness_makes_a_dearer_earlier_departure_win(shape: GraphShape) -> None:
    departures = two_departures(cost=(300, 100))
    # Group 0 is due at 1000: departure 11 arrives 500 min late = 9 started hours,
    # 100 + 500 + 9 x 20 + 1 = 781 > 300, so it flies on 10. Group 1 is due at 2000:
    # 100 + 1 roll-over = 101 < 300, so it waits for the cheaper 11.
    plan = solve(departures, groups((1, 0, 1000, 4, 4000), (1, 0, 2000, 2, 2000)), shape)

    assert plan.departure_parcels.tolist() == [4, 2]
    assert plan.assignment_group.tolist() == [0, 1]
    assert plan.assignment_departure.tolist() == [0, 1]
    assert plan.transport_cost == 4 * 300 + 2 * 100
    assert plan.rollover_cost == 2
    assert plan.lateness_cost == 0
    assert plan.total_cost.minor == 1402


@BOTH_SHAPES
def test_late_parcels_are_flagged_when_the_early_departure_is_full(shape: GraphShape) -> None:
    departures = two_departures(capacity=(3, NO_LIMIT), cost=(300, 100))
    plan = solve(departures, groups((1, 0, 1000, 4, 4000)), shape)

    assert plan.assignment_departure.tolist() == [0, 1]
    assert plan.assignment_parcels.tolist() == [3, 1]
    assert plan.assignment_late.tolist() == [False, True]
    assert plan.group_late_parcels.tolist() == [1]
    assert plan.group_at_risk.tolist() == [True]
    assert plan.lateness_cost == 500 + 9 * 20
    assert plan.total_cost.minor == 3 * 300 + 100 + 680 + 1


@BOTH_SHAPES
def test_overflow_takes_what_no_departure_can(shape: GraphShape) -> None:
    departures = two_departures(capacity=(2, 1))
    demand = groups(
        (1, 0, 2000, 5, 5000),  # 2 + 1 fit, 2 overflow
        (1, 1300, 2000, 2, 200),  # ready after the last departure left
        (9, 0, 2000, 3, 300),  # lane 9 has no departure at all
    )
    plan = solve(departures, demand, shape)

    assert plan.departure_parcels.tolist() == [2, 1]
    assert plan.group_overflow_parcels.tolist() == [2, 2, 3]
    assert plan.assignment_group.tolist() == [0, 0, 0, 1, 2]
    assert plan.assignment_departure.tolist() == [0, 1, OVERFLOW, OVERFLOW, OVERFLOW]
    assert plan.assignment_departure_ids().tolist() == [10, 11, OVERFLOW, OVERFLOW, OVERFLOW]
    assert plan.overflow_cost == 7 * 100_000
    assert plan.total_cost.minor == 2 * 100 + 101 + 700_000


def test_kilogram_cost_uses_the_group_mean_weight() -> None:
    # 4 parcels of 6 kg in all: 1.5 kg each x 250 per kg = 375, plus 20 per parcel.
    departures = two_departures(cost=(20, 20), per_kg=(250, 250))
    plan = solve(departures, groups((1, 0, 2000, 4, 6000)))

    assert plan.transport_cost == 4 * 395
    assert plan.departure_grams.tolist() == [6000, 0]


def test_weight_limit_becomes_a_parcel_limit_through_the_mean_weight() -> None:
    # 2,000 g limit / 1,000 g mean parcel = 2 parcels on departure 10.
    plan = solve(two_departures(grams=(2000, NO_LIMIT)), groups((1, 0, 2000, 4, 4000)))

    assert plan.departure_parcels.tolist() == [2, 2]
    assert plan.departure_capacity_parcels.tolist() == [2, 4]
    assert plan.departure_grams.tolist() == [2000, 2000]


def test_heavy_group_is_re_solved_until_its_departure_is_within_kilograms() -> None:
    # Lane mean = 6,400 g / 4 = 1,600 g, so 4,000 g first allows 2 parcels. The urgent heavy
    # group (3 kg each) takes both: 6,000 g. The repair cuts the limit to 2 x 4000 / 6000 = 1
    # parcel and re-solves: one heavy parcel flies, the other waits and arrives late.
    departures = two_departures(grams=(4000, NO_LIMIT))
    demand = groups((1, 0, 1000, 2, 6000), (1, 0, 2000, 2, 400))
    plan = solve(departures, demand)

    assert plan.departure_parcels.tolist() == [1, 3]
    assert plan.departure_grams.tolist() == [3000, 3400]
    assert plan.departure_capacity_parcels.tolist() == [1, 4]
    assert plan.group_late_parcels.tolist() == [1, 0]


def test_no_repair_round_leaves_the_mean_weight_estimate_over_the_limit() -> None:
    departures = two_departures(grams=(4000, NO_LIMIT))
    demand = groups((1, 0, 1000, 2, 6000), (1, 0, 2000, 2, 400))
    settings = PlanSettings(weight_repair_rounds=0)
    plan = plan_capacity(PlanInput(departures, demand, settings=settings))

    assert plan.departure_grams.tolist() == [6000, 400]


def test_lanes_are_planned_independently_in_any_batching() -> None:
    rng = np.random.default_rng(7)
    lanes = np.repeat(np.arange(40), 3)
    departs = rng.integers(0, 20, len(lanes)) * 60
    departures = Departures.from_columns(
        departure_id=np.arange(len(lanes)),
        lane_id=lanes,
        departs_at=departs,
        arrives_at=departs + 300,
        capacity_parcels=rng.integers(0, 30, len(lanes)),
        capacity_grams=np.full(len(lanes), NO_LIMIT),
        cost_per_parcel=rng.integers(10, 200, len(lanes)),
        cost_per_kg=rng.integers(0, 300, len(lanes)),
    )
    demand = DemandGroups.from_columns(
        lane_id=rng.integers(0, 41, 200),
        product=np.zeros(200),
        ready_at=rng.integers(0, 1200, 200),
        deadline=rng.integers(300, 1800, 200),
        parcels=rng.integers(1, 20, 200),
        grams=rng.integers(100, 20_000, 200),
    )
    costs = set()
    for shape in GraphShape:
        for batches in (1, 3, 64):
            settings = PlanSettings(shape=shape, lane_batches=batches)
            costs.add(plan_capacity(PlanInput(departures, demand, settings=settings)).total_cost)

    assert len(costs) == 1


def test_an_empty_demand_gives_an_empty_plan() -> None:
    empty = np.zeros(0)
    demand = DemandGroups.from_columns(
        lane_id=empty, product=empty, ready_at=empty, deadline=empty, parcels=empty, grams=empty
    )
    plan = solve(two_departures(), demand)

    assert plan.departure_parcels.tolist() == [0, 0]
    assert len(plan.assignment_group) == 0
    assert plan.total_cost == Money("USD", 0)


def test_max_options_per_group_stops_the_roll_over_chain() -> None:
    departures = two_departures(capacity=(1, NO_LIMIT))
    settings = PlanSettings(max_options_per_group=1)
    plan = plan_capacity(PlanInput(departures, groups((1, 0, 2000, 2, 200)), settings=settings))

    assert plan.departure_parcels.tolist() == [1, 0]
    assert plan.group_overflow_parcels.tolist() == [1]
