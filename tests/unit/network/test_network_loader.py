"""Loading network definitions: the tiny test network, the demo network, and located errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import airportsdata
import pytest

from postbridge.network import (
    DEMO_DIRECTORY,
    FacilityKind,
    NetworkDefinitionError,
    Weekday,
    demo_network,
    load_network,
)
from postbridge.network.model import Departure, RegionScheme, ServiceLevel, Spread

TINY = Path(__file__).parent / "tiny"


@pytest.fixture
def tiny_copy(tmp_path: Path) -> Path:
    target = tmp_path / "net"
    shutil.copytree(TINY, target)
    return target


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def messages(directory: Path) -> list[str]:
    with pytest.raises(NetworkDefinitionError) as caught:
        load_network(directory)
    return [str(problem) for problem in caught.value.problems]


def test_tiny_network_loads_with_parsed_values() -> None:
    network = load_network(TINY)

    (leg,) = network.legs
    assert leg.cutoff_min == 120
    assert leg.duration_min == 840
    assert leg.cost_per_kg_minor == 300
    assert leg.cost_per_item_minor == 5
    assert leg.services == frozenset({ServiceLevel.STANDARD, ServiceLevel.PREMIUM})
    assert leg.departures == tuple(Departure(day, 720) for day in Weekday)
    assert network.facilities["A"].processing == Spread(60, 120)
    assert network.customs["B"].clearance == Spread(600, 600)
    usps = network.partners["USPS"]
    assert usps.region_scheme is RegionScheme.ZIP3
    assert usps.delivery_weekdays == frozenset(Weekday) - {Weekday.SUN}
    assert usps.handover_cutoff_minute == 16 * 60
    assert usps.transit[("packet", "B")]["100"].p90_days == 3
    assert [band.price_minor for band in network.products["STD"].prices["US"]] == [
        840,
        1190,
        1850,
        6400,
    ]


def test_bad_duration_is_reported_with_file_line_and_field(tiny_copy: Path) -> None:
    replace_in(tiny_copy / "network.yaml", "cutoff: 2h,", "cutoff: 2x,")

    assert messages(tiny_copy) == [
        "network.yaml:9: legs[0].cutoff: '2x' is not a duration such as 90m, 4h or 1d6h"
    ]


def test_unknown_facility_and_bad_time_zone_are_all_reported(tiny_copy: Path) -> None:
    replace_in(tiny_copy / "network.yaml", "to: B,", "to: Z,")
    replace_in(tiny_copy / "network.yaml", "time_zone: Asia/Shanghai", "time_zone: Asia/Beijing")

    found = messages(tiny_copy)

    assert "network.yaml:6: facilities[0].time_zone: 'Asia/Beijing' is not an IANA time zone" in (
        found
    )
    assert "network.yaml:9: legs[0].to: unknown facility 'Z'" in found


def test_bad_schedule_row_names_the_csv_line_and_column(tiny_copy: Path) -> None:
    (tiny_copy / "schedules.csv").write_text(
        "leg,days,departs\nA>B,daily,12:00\nA>B,Mon-Fri,25:00\nA>B,Funday,08:00\n",
        encoding="utf-8",
    )

    assert messages(tiny_copy) == [
        "schedules.csv:3: departs: '25:00' is not a local time HH:MM",
        "schedules.csv:4: days: 'Funday' is not a weekday (Mon..Sun), a range Mon-Fri or 'daily'",
    ]


def test_leg_without_departures_and_schedule_of_unknown_leg(tiny_copy: Path) -> None:
    (tiny_copy / "schedules.csv").write_text("leg,days,departs\nA>C,daily,12:00\n")

    assert messages(tiny_copy) == [
        "network.yaml:9: legs[0].id: leg 'A>B' has no departures in schedules.csv",
        "schedules.csv:1: leg: schedule rows for unknown leg 'A>C'",
    ]


def test_transit_and_price_rows_are_checked(tiny_copy: Path) -> None:
    with (tiny_copy / "transit.csv").open("a") as handle:
        handle.write("packet,B,101,5,3,America/New_York\npacket,Q,102,1,2,\n")
    replace_in(tiny_copy / "prices.csv", "STD,US,2000,18.50", "STD,US,2kg,18.50")

    assert messages(tiny_copy) == [
        "transit.csv:4: p90_days: must not be fewer than p50_days",
        "transit.csv:5: injection: 'Q' is not an injection point of this partner",
        "prices.csv:4: up_to_g: '2kg' is not a whole number >= 1",
    ]


def test_missing_columns_format_and_yaml_syntax(tiny_copy: Path) -> None:
    (tiny_copy / "prices.csv").write_text("product,zone,price\nSTD,US,1.00\n")
    replace_in(tiny_copy / "network.yaml", "format: postbridge-network/1", "format: other/2")

    found = messages(tiny_copy)

    assert found[0] == "network.yaml:1: format: must be 'postbridge-network/1'"
    assert "prices.csv:1: (header): missing columns ['up_to_g']" in found
    (tiny_copy / "network.yaml").write_text("facilities: [\n  {id: A\n")
    assert messages(tiny_copy)[0].startswith("network.yaml:3: (document): not valid YAML")


def test_office_of_exchange_needs_a_upu_code(tiny_copy: Path) -> None:
    replace_in(tiny_copy / "network.yaml", "upu_code: USJFKA, ", "")

    assert messages(tiny_copy) == [
        "network.yaml:7: facilities[1].upu_code: is required for an office of exchange"
    ]


def test_demo_network_loads_and_covers_the_issue() -> None:
    network = demo_network()

    kinds = {
        kind: [f for f in network.facilities.values() if f.kind is kind] for kind in FacilityKind
    }
    assert {f.city for f in kinds[FacilityKind.ORIGIN_SORTING_CENTRE]} == {
        "Guangzhou",
        "Shenzhen",
        "Hangzhou",
        "Shanghai",
        "Hong Kong",
        "Yiwu",
    }
    assert {f.upu_code for f in kinds[FacilityKind.OFFICE_OF_EXCHANGE]} >= {
        "USJFKA",
        "USORDA",
        "USMIAA",
        "USLAXA",
        "USSFOA",
        "SGSINA",
        "ESMADB",
        "BRSAOD",
        "CLSCLA",
        "MXMEXD",
    }
    assert set(network.partners) == {
        "USPS",
        "SINGPOST",
        "CORREOS",
        "CORREIOS",
        "CORREOSCHILE",
        "CORREOSMX",
        "4-72",
    }
    assert {p.service for p in network.products.values()} == set(ServiceLevel)
    assert demo_network() is network  # cached
    assert load_network(DEMO_DIRECTORY).version == network.version == "2026.12.1"


def test_demo_time_zones_match_airportsdata() -> None:
    airports = airportsdata.load("IATA")
    network = demo_network()

    mismatched = [
        (f.id, f.time_zone, airports[f.iata]["tz"])
        for f in network.facilities.values()
        if f.iata is not None and airports[f.iata]["tz"] != f.time_zone
    ]

    assert mismatched == []


def test_demo_usps_table_covers_every_zip3_from_every_injection_point() -> None:
    usps = demo_network().partners["USPS"]

    sizes = {key: len(table) for key, table in usps.transit.items()}

    assert set(sizes) == {
        *((service, isc) for service in ("priority", "packet")
          for isc in ("JFK-ISC", "ORD-ISC", "MIA-ISC", "LAX-ISC", "SFO-ISC")),
        ("ground_advantage", "USPS-NDC-LA"),
        ("ground_advantage", "USPS-NDC-NJ"),
    }  # fmt: skip
    assert min(sizes.values()) == max(sizes.values()) > 850
    new_york = usps.transit[("packet", "JFK-ISC")]["100"]
    assert (new_york.p50_days, new_york.p90_days, new_york.time_zone) == (2, 3, "America/New_York")
    honolulu = usps.transit[("packet", "JFK-ISC")]["968"]
    assert (honolulu.p50_days, honolulu.time_zone) == (6, "Pacific/Honolulu")


def test_service_levels_set_origin_handling(tiny_copy: Path) -> None:
    replace_in(
        tiny_copy / "network.yaml",
        "cost_currency: USD\n",
        "cost_currency: USD\nservice_levels:\n  premium: {origin_handling: {median: 30m, p90: 1h}}\n"
        "  standard: {}\n  economy: {origin_handling: {median: 1d, p90: 1d12h}}\n",
    )
    network = load_network(tiny_copy)
    assert network.origin_handling == {
        ServiceLevel.PREMIUM: Spread(30, 60),
        ServiceLevel.ECONOMY: Spread(1440, 2160),
    }
    assert load_network(TINY).origin_handling == {}
    assert demo_network().origin_handling == {
        ServiceLevel.PREMIUM: Spread(60, 180),
        ServiceLevel.ECONOMY: Spread(1440, 2160),
    }

    replace_in(tiny_copy / "network.yaml", "  standard: {}", "  express: {}")
    assert messages(tiny_copy) == [
        "network.yaml:7: service_levels.express: unknown service level 'express'"
    ]
