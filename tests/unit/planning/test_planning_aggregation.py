"""Aggregation of parcels into demand groups, and validation of the input tables."""

from __future__ import annotations

import numpy as np
import pytest

from postbridge.errors import InvalidInput
from postbridge.planning import NO_LIMIT, DemandGroups, Departures, Parcels, aggregate_parcels


def departures_of_lane_one() -> Departures:
    """Lane 1: id 10 leaves 600 (lands 900), id 11 leaves 1200 (lands 1500)."""
    return Departures.from_columns(
        departure_id=[10, 11],
        lane_id=[1, 1],
        departs_at=[600, 1200],
        arrives_at=[900, 1500],
        capacity_parcels=[NO_LIMIT, NO_LIMIT],
        capacity_grams=[NO_LIMIT, NO_LIMIT],
        cost_per_parcel=[100, 100],
        cost_per_kg=[0, 0],
    )


def parcels(*rows: tuple[int, int, int, int, int]) -> Parcels:
    """Rows of (lane, product, ready_at, deadline, grams); ids 0, 1, 2 ..."""
    lane, product, ready, deadline, grams = (list(c) for c in zip(*rows, strict=True))
    return Parcels.from_columns(
        parcel_id=range(len(rows)),
        lane_id=lane,
        product=product,
        ready_at=ready,
        deadline=deadline,
        grams=grams,
    )


def test_parcels_catching_the_same_first_departure_share_a_group() -> None:
    table = parcels(
        (1, 0, 100, 1000, 200),  # first catch: 10
        (1, 0, 600, 1010, 300),  # ready exactly at 600 still catches 10; same deadline hour
        (1, 0, 601, 1000, 400),  # misses 10: first catch 11
        (1, 2, 100, 1000, 500),  # other product
    )
    aggregation = aggregate_parcels(table, departures_of_lane_one())
    demand = aggregation.demand

    assert aggregation.group_of_parcel.tolist() == [0, 0, 2, 1]
    assert demand.product.tolist() == [0, 2, 0]
    assert demand.parcels.tolist() == [2, 1, 1]
    assert demand.grams.tolist() == [500, 500, 400]
    # Latest ready time and earliest deadline: the group is never rosier than its parcels.
    assert demand.ready_at.tolist() == [600, 100, 601]
    assert demand.deadline.tolist() == [1000, 1000, 1000]


def test_deadline_buckets_split_groups_unless_nothing_can_be_late() -> None:
    table = parcels(
        (1, 0, 0, 1000, 100),
        (1, 0, 0, 1100, 100),  # next hour bucket: own group
        (1, 0, 0, 1500, 100),  # at or after the last arrival (1500): never late
        (1, 0, 0, 9000, 100),  # ... shares that group
    )
    aggregation = aggregate_parcels(table, departures_of_lane_one())

    assert aggregation.group_of_parcel.tolist() == [0, 1, 2, 2]
    assert aggregation.demand.deadline.tolist() == [1000, 1100, 1500]


def test_parcels_on_lanes_without_departures_are_grouped_per_lane() -> None:
    table = parcels((7, 0, 0, 1000, 100), (8, 0, 0, 1000, 100), (7, 0, 0, 1000, 100))
    aggregation = aggregate_parcels(table, departures_of_lane_one())

    assert aggregation.demand.lane_id.tolist() == [7, 8]
    assert aggregation.demand.parcels.tolist() == [2, 1]


def test_no_parcels_give_no_groups() -> None:
    empty = np.zeros(0)
    table = Parcels.from_columns(
        parcel_id=empty, lane_id=empty, product=empty, ready_at=empty, deadline=empty, grams=empty
    )
    aggregation = aggregate_parcels(table, departures_of_lane_one())

    assert len(aggregation.demand) == 0
    assert aggregation.group_of_parcel.tolist() == []


def test_product_codes_out_of_range_are_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        aggregate_parcels(parcels((1, 1024, 0, 1000, 100)), departures_of_lane_one())

    assert caught.value.problems[0].field == "parcels.product"


def test_departures_table_reports_every_problem_at_once() -> None:
    with pytest.raises(InvalidInput) as caught:
        Departures.from_columns(
            departure_id=[1, 1],
            lane_id=[1, 1],
            departs_at=[600, 600],
            arrives_at=[500, 900],
            capacity_parcels=[-2, 5],
            capacity_grams=[NO_LIMIT, NO_LIMIT],
            cost_per_parcel=[-1, 0],
            cost_per_kg=[0, 0],
        )

    fields = [problem.field for problem in caught.value.problems]
    assert fields == [
        "departures.departure_id",
        "departures.arrives_at",
        "departures.capacity_parcels",
        "departures.cost_per_parcel",
    ]


def test_columns_of_different_lengths_are_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        DemandGroups.from_columns(
            lane_id=[1, 2],
            product=[0],
            ready_at=[0, 0],
            deadline=[0, 0],
            parcels=[1, 1],
            grams=[0, 0],
        )

    assert caught.value.problems[0].field == "demand.product"


def test_groups_need_parcels() -> None:
    with pytest.raises(InvalidInput):
        DemandGroups.from_columns(
            lane_id=[1], product=[0], ready_at=[0], deadline=[0], parcels=[0], grams=[0]
        )


def test_disruptions_copy_the_table_and_leave_the_original_alone() -> None:
    original = departures_of_lane_one()
    disrupted = original.with_disruptions(cancelled_departure_ids=[11], delays={10: 45})

    assert disrupted.cancelled.tolist() == [False, True]
    assert disrupted.effective_departs_at.tolist() == [645, 1200]
    assert disrupted.effective_arrives_at.tolist() == [945, 1500]
    assert original.cancelled.tolist() == [False, False]
    assert original.delay_minutes.tolist() == [0, 0]
