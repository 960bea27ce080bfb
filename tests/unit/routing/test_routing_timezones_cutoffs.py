"""Cut-offs and time zones on hand-made networks, including date-line crossings."""

from __future__ import annotations

from datetime import UTC, datetime

from postbridge.network.model import (
    Departure,
    Facility,
    FacilityKind,
    Leg,
    Network,
    ServiceLevel,
    Spread,
    TransportMode,
    Weekday,
)
from postbridge.routing.journey import plan_legs, retime
from postbridge.routing.scan import earliest_arrival
from postbridge.routing.timetable import UNREACHED, build_timetable, from_minute, to_minute


def facility(facility_id: str, zone: str, processing_min: int = 60) -> Facility:
    return Facility(
        id=facility_id,
        kind=FacilityKind.TRANSIT_HUB,
        name=facility_id,
        city=facility_id,
        country="US",
        time_zone=zone,
        processing=Spread(processing_min, processing_min * 3),
    )


def leg(
    leg_id: str,
    origin: str,
    destination: str,
    departures: list[tuple[Weekday, str]],
    *,
    cutoff: int,
    duration: int,
) -> Leg:
    return Leg(
        id=leg_id,
        origin=origin,
        destination=destination,
        mode=TransportMode.AIR,
        operator="test",
        services=frozenset(ServiceLevel),
        departures=tuple(
            Departure(day, int(clock[:2]) * 60 + int(clock[3:])) for day, clock in departures
        ),
        cutoff_min=cutoff,
        duration_min=duration,
        capacity_kg=None,
        capacity_items=None,
        cost_per_kg_minor=100,
        cost_per_item_minor=5,
    )


def network(facilities: list[Facility], legs: list[Leg]) -> Network:
    return Network("t", "1", "USD", {f.id: f for f in facilities}, tuple(legs), {}, {}, {})


MONDAY = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)


def test_tokyo_to_honolulu_arrives_before_it_left_in_local_time() -> None:
    net = network(
        [facility("NRT", "Asia/Tokyo"), facility("HNL", "Pacific/Honolulu")],
        [leg("NRT>HNL", "NRT", "HNL", [(Weekday.MON, "20:00")], cutoff=180, duration=7 * 60)],
    )
    timetable = build_timetable(net, MONDAY, 7)

    (planned,) = plan_legs(timetable, [0])

    assert planned.departs == datetime(2026, 11, 30, 11, 0, tzinfo=UTC)
    assert planned.latest_dropoff == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    assert planned.departs_local.isoformat() == "2026-11-30T20:00:00+09:00"
    assert planned.arrives_local.isoformat() == "2026-11-30T08:00:00-10:00"
    assert planned.arrives_local.replace(tzinfo=None) < planned.departs_local.replace(tzinfo=None)
    assert planned.ready == datetime(2026, 11, 30, 19, 0, tzinfo=UTC)  # + 60 min processing


def test_auckland_to_los_angeles_connection_respects_the_onward_cutoff() -> None:
    # NZDT is UTC+13 in November: Tue 19:00 Auckland = Tue 06:00 UTC; 12 h later it is
    # Tue 18:00 UTC = Tue 10:00 in Los Angeles, the same calendar day it left.
    net = network(
        [
            facility("AKL", "Pacific/Auckland"),
            facility("LAX", "America/Los_Angeles", processing_min=60),
            facility("ORD", "America/Chicago"),
        ],
        [
            leg("AKL>LAX", "AKL", "LAX", [(Weekday.TUE, "19:00")], cutoff=120, duration=720),
            # Daily 11:00 departure with a 30-minute cut-off: latest drop-off 10:30 local.
            leg("LAX>ORD", "LAX", "ORD", [(d, "11:00") for d in Weekday], cutoff=30, duration=240),
        ],
    )
    timetable = build_timetable(net, MONDAY, 7)
    connections = timetable.connections()
    origin = timetable.stop_index["AKL"]
    target = timetable.stop_index["ORD"]

    result = earliest_arrival(connections, origin, to_minute(MONDAY), [target])
    legs = plan_legs(
        timetable, [int(connections.ids[p]) for p in result.journey(connections, target)]
    )

    assert [planned.leg_id for planned in legs] == ["AKL>LAX", "LAX>ORD"]
    assert legs[0].arrives_local.isoformat() == "2026-12-01T10:00:00-08:00"
    # Ready at 11:00 local after processing: Tuesday's 10:30 drop-off is missed, Wednesday's taken.
    assert legs[1].departs_local.isoformat() == "2026-12-02T11:00:00-08:00"
    # Wed 11:00 PST = 19:00 UTC, 4 h flight, 60 min processing at ORD.
    assert from_minute(result.ready[target]) == datetime(2026, 12, 3, 0, 0, tzinfo=UTC)


def test_parcel_ready_at_the_dropoff_boards_and_one_minute_later_does_not() -> None:
    net = network(
        [facility("A", "Europe/Madrid"), facility("B", "Europe/Madrid")],
        [leg("A>B", "A", "B", [(Weekday.MON, "12:00"), (Weekday.TUE, "12:00")], cutoff=90,
             duration=60)],
    )  # fmt: skip
    timetable = build_timetable(net, MONDAY, 7)
    connections = timetable.connections()
    dropoff = to_minute(datetime(2026, 11, 30, 9, 30, tzinfo=UTC))  # 10:30 CET = 12:00 - 90 min

    on_time = earliest_arrival(connections, 0, dropoff, [1])
    late = earliest_arrival(connections, 0, dropoff + 1, [1])

    assert from_minute(on_time.ready[1]) == datetime(2026, 11, 30, 13, 0, tzinfo=UTC)
    assert from_minute(late.ready[1]) == datetime(2026, 12, 1, 13, 0, tzinfo=UTC)


def test_unreachable_target_stays_unreached() -> None:
    net = network(
        [facility("A", "UTC"), facility("B", "UTC"), facility("C", "UTC")],
        [leg("A>B", "A", "B", [(Weekday.MON, "12:00")], cutoff=0, duration=60)],
    )
    timetable = build_timetable(net, MONDAY, 7)

    result = earliest_arrival(timetable.connections(), 0, to_minute(MONDAY), [2])

    assert result.ready[2] == UNREACHED
    assert result.journey(timetable.connections(), 2) == []


def test_retime_takes_the_next_departure_when_p90_processing_misses_the_cutoff() -> None:
    # Processing at A: median 60, p90 180 minutes. Ready at 09:00 + 60 = 10:00 UTC makes the
    # 10:30 drop-off; with the p90 (12:00) it misses it and waits for Tuesday's flight.
    net = network(
        [facility("A", "UTC"), facility("B", "UTC", processing_min=30)],
        [leg("A>B", "A", "B", [(Weekday.MON, "12:00"), (Weekday.TUE, "12:00")], cutoff=90,
             duration=60)],
    )  # fmt: skip
    timetable = build_timetable(net, MONDAY, 7)
    start = to_minute(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))

    p90_ready = retime(timetable, [0], start + 180)

    assert p90_ready is not None
    assert from_minute(p90_ready) == datetime(2026, 12, 1, 14, 30, tzinfo=UTC)  # 13:00 + 90
