"""Disaggregation onto parcels, and re-planning after cancellations and delays."""

from __future__ import annotations

import numpy as np
import pytest

from postbridge.errors import InvalidInput
from postbridge.planning import (
    NO_LIMIT,
    OVERFLOW,
    Departures,
    ParcelPlanStatus,
    Parcels,
    PlanInput,
    aggregate_parcels,
    compare_plans,
    diff_assignments,
    disaggregate,
    plan_capacity,
    replan,
)


def lane_departures(
    capacity: tuple[int, ...], *, departs: tuple[int, ...] = (600, 1200, 1800)
) -> Departures:
    """Lane 1, ids 10, 11, 12 ...: each arrives 300 minutes after it leaves, 100 per parcel."""
    count = len(capacity)
    return Departures.from_columns(
        departure_id=np.arange(10, 10 + count),
        lane_id=np.ones(count),
        departs_at=departs[:count],
        arrives_at=np.asarray(departs[:count]) + 300,
        capacity_parcels=capacity,
        capacity_grams=np.full(count, NO_LIMIT),
        cost_per_parcel=np.full(count, 100),
        cost_per_kg=np.zeros(count),
    )


def parcels_due(deadlines: list[int], *, grams: list[int] | None = None) -> Parcels:
    """Parcel ids 100, 101 ... on lane 1, all ready at 0."""
    count = len(deadlines)
    return Parcels.from_columns(
        parcel_id=np.arange(100, 100 + count),
        lane_id=np.ones(count),
        product=np.zeros(count),
        ready_at=np.zeros(count),
        deadline=deadlines,
        grams=grams if grams is not None else np.full(count, 500),
    )


def test_earliest_promise_gets_the_earliest_departure_and_flags_are_exact() -> None:
    departures = lane_departures((2, 2))
    # One group (wide deadline bucket), promises in four different hours, all before the last
    # arrival at 1500. By promise hour: 104 (800), 102 (950) take 10; 101 (1000) and 100
    # (1400) take 11; 103 (1400, same hour as 100, higher id) is left over.
    parcels = parcels_due([1400, 1000, 950, 1400, 800])
    aggregation = aggregate_parcels(parcels, departures, deadline_bucket_minutes=10_000)
    plan = plan_capacity(PlanInput(departures, aggregation.demand))
    assignment = disaggregate(plan, parcels, aggregation.group_of_parcel)

    assert len(aggregation.demand) == 1
    assert plan.departure_parcels.tolist() == [2, 2]
    assert assignment.departure_id.tolist() == [11, 11, 10, OVERFLOW, 10]
    # Exact per-parcel lateness: 10 lands 900, 11 lands 1500.
    assert assignment.late.tolist() == [True, True, False, False, True]
    assert assignment.unplanned.tolist() == [False, False, False, True, False]
    assert [assignment.status(i) for i in (3, 0, 2)] == [
        ParcelPlanStatus.UNPLANNED,
        ParcelPlanStatus.LATE,
        ParcelPlanStatus.ON_TIME,
    ]


def test_disaggregation_is_deterministic_and_matches_the_planned_loads() -> None:
    rng = np.random.default_rng(11)
    departures = lane_departures((7, 5, 4))
    parcels = parcels_due(list(rng.integers(900, 2400, 30)), grams=list(rng.integers(50, 3000, 30)))
    aggregation = aggregate_parcels(parcels, departures)
    plan = plan_capacity(PlanInput(departures, aggregation.demand))

    first = disaggregate(plan, parcels, aggregation.group_of_parcel)
    again = disaggregate(plan, parcels, aggregation.group_of_parcel)

    assert np.array_equal(first.departure_row, again.departure_row)
    planned = first.departure_row[~first.unplanned]
    assert np.bincount(planned, minlength=3).tolist() == plan.departure_parcels.tolist()
    assert int(first.unplanned.sum()) == plan.overflow_parcels == 14
    exact = first.departure_grams(parcels, len(departures))
    assert exact.sum() == parcels.grams[~first.unplanned].sum()


def test_within_one_promise_hour_heavy_and_light_parcels_are_interleaved() -> None:
    departures = lane_departures((4, 4))
    parcels = parcels_due([2000] * 8, grams=[100, 200, 300, 400, 500, 600, 700, 800])
    aggregation = aggregate_parcels(parcels, departures)
    plan = plan_capacity(PlanInput(departures, aggregation.demand))
    assignment = disaggregate(plan, parcels, aggregation.group_of_parcel)

    # Golden-ratio spread of weight ranks 0..7 orders them 0, 5, 2, 7 | 4, 1, 6, 3.
    assert assignment.departure_id.tolist() == [10, 11, 10, 11, 11, 10, 11, 10]
    assert assignment.departure_grams(parcels, 2).tolist() == [1800, 1800]


def test_disaggregation_refuses_groups_that_do_not_add_up() -> None:
    departures = lane_departures((4,))
    parcels = parcels_due([2000, 2000])
    aggregation = aggregate_parcels(parcels, departures)
    plan = plan_capacity(PlanInput(departures, aggregation.demand))

    with pytest.raises(InvalidInput):
        disaggregate(plan, parcels, np.array([0, 1]))


def test_cancelled_departure_moves_its_parcels_to_the_next() -> None:
    departures = lane_departures((NO_LIMIT, NO_LIMIT))
    parcels = parcels_due([1000] * 5)
    aggregation = aggregate_parcels(parcels, departures)
    plan_input = PlanInput(departures, aggregation.demand)

    result = replan(plan_input, cancelled_departure_ids=[10])

    assert result.previous.departure_parcels.tolist() == [5, 0]
    assert result.plan.departure_parcels.tolist() == [0, 5]
    assert result.plan.departure_capacity_parcels.tolist() == [0, 5]
    assert result.replanned_lane_ids.tolist() == [1]
    changes = result.changes
    assert changes.group.tolist() == [0]
    assert changes.from_departure_id.tolist() == [10]
    assert changes.to_departure_id.tolist() == [11]
    assert changes.parcels.tolist() == [5]
    # 11 arrives at 1500, after the 1000 promise: all five are newly at risk.
    assert changes.newly_at_risk_parcels == 5


def test_delay_reorders_the_chain_and_moves_parcels_to_the_punctual_departure() -> None:
    departures = lane_departures((NO_LIMIT, NO_LIMIT))
    parcels = parcels_due([1600] * 3)
    aggregation = aggregate_parcels(parcels, departures)
    plan_input = PlanInput(departures, aggregation.demand)

    # 10 now leaves 1400 and lands 1700, after 11 (1200 -> 1500) and after the promise.
    result = replan(plan_input, delays={10: 800})

    assert result.plan.departure_parcels.tolist() == [0, 3]
    assert result.changes.parcels.tolist() == [3]
    assert result.changes.newly_at_risk_parcels == 0
    assert result.plan.late_parcels == 0


def test_replan_leaves_undisturbed_lanes_exactly_as_they_were() -> None:
    rng = np.random.default_rng(5)
    lanes = np.repeat(np.arange(30), 2)
    departs = np.tile([600, 1200], 30)
    departures = Departures.from_columns(
        departure_id=np.arange(60),
        lane_id=lanes,
        departs_at=departs,
        arrives_at=departs + 300,
        capacity_parcels=rng.integers(0, 10, 60),
        capacity_grams=np.full(60, NO_LIMIT),
        cost_per_parcel=np.full(60, 100),
        cost_per_kg=np.zeros(60),
    )
    count = 300
    parcels = Parcels.from_columns(
        parcel_id=np.arange(count),
        lane_id=rng.integers(0, 30, count),
        product=rng.integers(0, 3, count),
        ready_at=np.zeros(count),
        deadline=rng.integers(800, 2000, count),
        grams=rng.integers(100, 2000, count),
    )
    aggregation = aggregate_parcels(parcels, departures)
    plan_input = PlanInput(departures, aggregation.demand)
    before = plan_capacity(plan_input)

    result = replan(plan_input, cancelled_departure_ids=[0], previous=before)

    untouched = departures.lane_id != 0
    assert np.array_equal(
        result.plan.departure_parcels[untouched], before.departure_parcels[untouched]
    )
    moved_groups = aggregation.demand.lane_id[result.changes.group]
    assert set(moved_groups.tolist()) <= {0}
    # The group-level diff equals the per-parcel diff of the two disaggregations.
    old = disaggregate(before, parcels, aggregation.group_of_parcel)
    new = disaggregate(result.plan, parcels, aggregation.group_of_parcel)
    moves = diff_assignments(old, new)
    assert len(moves.moved) == result.changes.moved_parcels
    assert len(moves.newly_at_risk) == result.changes.newly_at_risk_parcels
    from_cancelled = result.changes.parcels[result.changes.from_departure_id == 0].sum()
    assert from_cancelled == before.departure_parcels[0] > 0


def test_comparing_a_plan_with_itself_finds_no_moves() -> None:
    departures = lane_departures((2, 2))
    parcels = parcels_due([1000, 1100, 2000, 2000, 2000])
    aggregation = aggregate_parcels(parcels, departures)
    plan = plan_capacity(PlanInput(departures, aggregation.demand))

    changes = compare_plans(plan, plan)

    assert changes.moved_parcels == 0
    assert changes.newly_at_risk_parcels == 0


def test_unknown_departure_in_a_disruption_is_refused() -> None:
    departures = lane_departures((2, 2))
    aggregation = aggregate_parcels(parcels_due([2000]), departures)

    with pytest.raises(InvalidInput):
        replan(PlanInput(departures, aggregation.demand), cancelled_departure_ids=[99])
