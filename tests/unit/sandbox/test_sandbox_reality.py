"""The shipped reality and rules files load, and spreads draw what their figures say."""

from __future__ import annotations

import random
import statistics
from datetime import date, timedelta

import pytest

from postbridge.sandbox.reality import RealityError, Spread, load_reality, parse_duration
from postbridge.sandbox.rules import load_rules


def test_the_shipped_reality_model_loads_with_its_documented_figures() -> None:
    reality = load_reality()

    assert reality.seed == 2015
    assert reality.lost_rate == 0.005
    assert reality.customs_for("US").hold_rate == 0.06
    assert reality.customs_for("ZZ") == reality.customs["default"]
    assert reality.last_mile_for("USPS").hold_days == 15
    assert reality.last_mile_for("CORREOS").delivery_weekdays == frozenset({0, 1, 2, 3, 4})
    assert reality.last_mile_for("POSTNL") == reality.last_mile["default"]
    assert reality.departures_for("air").next_departure_after == timedelta(days=1)
    assert reality.is_holiday("ES", date(2026, 12, 8))
    assert not reality.is_holiday("US", date(2026, 12, 8))
    assert reality.facility("LAX-ISC").code == "USLAXA"


def test_an_unknown_facility_is_a_utc_transit_hub_named_by_its_id() -> None:
    facility = load_reality().facility("XYZ-HUB")

    assert (facility.kind, facility.code, facility.time_zone) == ("transit_hub", "XYZ-HUB", "UTC")


def test_a_spread_draws_its_median_and_90th_percentile() -> None:
    spread = Spread.of(3600.0, 4 * 3600.0, "test")
    rng = random.Random(5)

    draws = sorted(spread.draw(rng) for _ in range(20_000))

    assert statistics.median(draws) == pytest.approx(3600.0, rel=0.03)
    assert draws[int(0.9 * len(draws))] == pytest.approx(4 * 3600.0, rel=0.05)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90m", timedelta(minutes=90)),
        ("1d6h", timedelta(days=1, hours=6)),
        ("4h30m", timedelta(hours=4, minutes=30)),
    ],
)
def test_durations_read_like_the_network_files(text: str, expected: timedelta) -> None:
    assert parse_duration(text, "field") == expected


def test_a_bad_duration_names_its_field() -> None:
    with pytest.raises(RealityError, match=r"^processing\.x: expected a duration"):
        parse_duration("soon", "processing.x")


def test_the_rules_use_the_partners_file_credentials_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("POSTBRIDGE_USPS_CLIENT_SECRET", raising=False)
    monkeypatch.setenv("POSTBRIDGE_UPU_API_KEY", "from-the-environment")

    rules = load_rules()

    assert rules.usps_client_id == "sandbox-client"
    assert rules.usps_client_secret == "sandbox-secret"
    assert rules.upu_api_key == "from-the-environment"
    assert rules.post("CORREIOS").tax_id_required is True
    assert rules.post("JAPANPOST") == rules.posts["default"]
    assert "sandbox-secret" not in repr(rules)
