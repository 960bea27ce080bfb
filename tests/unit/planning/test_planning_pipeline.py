"""``plan_parcels``: the whole pipeline, including the exact-kilogram repair rounds."""

from __future__ import annotations

import numpy as np
import pytest

from postbridge.errors import InvalidInput
from postbridge.planning import NO_LIMIT, Departures, Parcels, PlanSettings, plan_parcels, replan


def departures_with_a_one_kilogram_first_flight() -> Departures:
    return Departures.from_columns(
        departure_id=[10, 11],
        lane_id=[1, 1],
        departs_at=[600, 1200],
        arrives_at=[900, 1500],
        capacity_parcels=[NO_LIMIT, NO_LIMIT],
        capacity_grams=[1000, NO_LIMIT],
        cost_per_parcel=[100, 100],
        cost_per_kg=[0, 0],
    )


def five_parcels_one_heavy() -> Parcels:
    return Parcels.from_columns(
        parcel_id=[1, 2, 3, 4, 5],
        lane_id=[1] * 5,
        product=[0] * 5,
        ready_at=[0] * 5,
        deadline=[3000] * 5,
        grams=[100, 100, 100, 100, 1000],
    )


def test_without_repair_the_real_weight_can_exceed_the_limit() -> None:
    # Mean 280 g: 1,000 g allows 3 parcels. Weight-interleaving sends ranks 0, 2, 4 first,
    # and rank 4 is the 1 kg parcel: 1,200 g on departure 10.
    result = plan_parcels(
        five_parcels_one_heavy(),
        departures_with_a_one_kilogram_first_flight(),
        exact_weight_rounds=0,
    )

    assert result.plan.departure_parcels.tolist() == [3, 2]
    assert result.departure_grams.tolist() == [1200, 200]
    assert result.overweight_departures.tolist() == [0]


def test_repair_round_lowers_the_parcel_limit_until_the_real_weight_fits() -> None:
    # Limit becomes 3 x 1000 // 1200 = 2 parcels: the two lightest interleaved ranks fly.
    result = plan_parcels(
        five_parcels_one_heavy(),
        departures_with_a_one_kilogram_first_flight(),
        exact_weight_rounds=2,
    )

    assert result.plan.departure_parcels.tolist() == [2, 3]
    assert result.departure_grams.tolist() == [200, 1200]
    assert result.overweight_departures.tolist() == []
    assert result.assignment.departure_id.tolist() == [10, 11, 10, 11, 11]
    assert set(result.stage_seconds) == {
        "aggregate",
        "build",
        "solve",
        "weight_repair",
        "extract",
        "disaggregate",
        "exact_weight_repair",
    }


def test_pipeline_agrees_with_its_parts_on_a_random_day() -> None:
    rng = np.random.default_rng(3)
    lanes = np.repeat(np.arange(20), 3)
    departs = rng.integers(0, 30, 60) * 60
    departures = Departures.from_columns(
        departure_id=np.arange(60),
        lane_id=lanes,
        departs_at=departs,
        arrives_at=departs + 400,
        capacity_parcels=rng.integers(-1, 15, 60),
        capacity_grams=rng.integers(2_000, 20_000, 60),
        cost_per_parcel=rng.integers(10, 90, 60),
        cost_per_kg=rng.integers(50, 400, 60),
    )
    count = 600
    parcels = Parcels.from_columns(
        parcel_id=rng.permutation(count),
        lane_id=rng.integers(0, 20, count),
        product=rng.integers(0, 3, count),
        ready_at=rng.integers(0, 900, count),
        deadline=rng.integers(600, 3000, count),
        grams=rng.integers(50, 3000, count),
    )
    result = plan_parcels(parcels, departures, exact_weight_rounds=6)

    planned = ~result.assignment.unplanned
    loads = np.bincount(result.assignment.departure_row[planned], minlength=60)
    assert loads.tolist() == result.plan.departure_parcels.tolist()
    limited = departures.capacity_parcels != NO_LIMIT
    assert np.all(loads[limited] <= departures.capacity_parcels[limited])
    over = result.departure_grams > departures.capacity_grams
    assert np.flatnonzero(over).tolist() == result.overweight_departures.tolist() == []


def test_replan_keeps_the_parcel_limits_the_kilogram_repair_found() -> None:
    result = plan_parcels(
        five_parcels_one_heavy(),
        departures_with_a_one_kilogram_first_flight(),
        exact_weight_rounds=2,
    )

    # Delaying 11 re-solves lane 1; departure 10 must stay at the repaired 2-parcel limit
    # (3 parcels would again put the 1 kg parcel on it: 1,200 g).
    after = replan(result.plan.input, delays={11: 10}, previous=result.plan)

    assert after.plan.departure_parcels.tolist() == [2, 3]
    assert after.changes.moved_parcels == 0


def test_settings_are_validated() -> None:
    with pytest.raises(InvalidInput) as caught:
        PlanSettings(lane_batches=0, weight_repair_rounds=-1, max_options_per_group=0)

    assert [p.field for p in caught.value.problems] == [
        "settings.lane_batches",
        "settings.weight_repair_rounds",
        "settings.max_options_per_group",
    ]
