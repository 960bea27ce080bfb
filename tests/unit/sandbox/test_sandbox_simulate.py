"""The vectorised simulation draws the same model: deterministic, with the model's rates."""

from __future__ import annotations

from postbridge.sandbox.reality import load_reality
from postbridge.sandbox.simulate import LANES, simulate

REALITY = load_reality()


def test_a_seeded_simulation_repeats_itself_and_counts_every_parcel() -> None:
    first = simulate(parcels=40_000, days=7, reality=REALITY, seed=9)
    second = simulate(parcels=40_000, days=7, reality=REALITY, seed=9)

    assert first.lanes == second.lanes
    assert [lane.partner for lane in first.lanes] == [lane.partner for lane in LANES]
    assert sum(lane.parcels for lane in first.lanes) == 40_000
    for lane in first.lanes:
        assert lane.delivered + lane.returned + lane.lost == lane.parcels
        assert 0 < lane.door_to_door_p50_days < lane.door_to_door_p90_days


def test_lost_parcels_and_customs_holds_have_the_models_rates() -> None:
    result = simulate(parcels=200_000, days=30, reality=REALITY, seed=4)

    parcels = sum(lane.parcels for lane in result.lanes)
    lost = sum(lane.lost for lane in result.lanes)
    us = next(lane for lane in result.lanes if lane.partner == "USPS")
    # Binomial standard deviations: 32 lost parcels of 200k; 176 holds of 110k at 6 %.
    assert abs(lost / parcels - 0.005) < 0.0005
    assert abs(us.customs_held / us.parcels - 0.06) < 0.005
