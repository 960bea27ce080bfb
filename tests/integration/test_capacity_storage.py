"""Capacity storage and use cases on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from postbridge import capacity
from postbridge.bootstrap import Platform, build_platform
from postbridge.capacity.departures import departure_rows, plan_window
from postbridge.capacity.models import ScheduledDeparture, ShipmentPlan
from postbridge.capacity.routes import planned_flight, promise_slack
from postbridge.migrations import upgrade
from postbridge.network import demo_network
from postbridge.shipments.booking import book_shipment
from postbridge.shipments.models import Shipment
from postbridge.storage.engine import normalize_url
from postbridge.storage.unit_of_work import Database
from tests.builders import shipment_input
from tests.conftest import make_merchant, settings_for

FAR_DAY = date(2030, 1, 7)  # a Monday no booking made today can reach


def stored_ids(database: Database, start: datetime, end: datetime) -> list[str]:
    with database.unit_of_work() as uow:
        query = select(ScheduledDeparture.id).where(
            ScheduledDeparture.departs_at >= start, ScheduledDeparture.departs_at < end
        )
        return sorted(uow.session.scalars(query))


def test_departures_materialise_once_and_keep_operator_edits(db: Database) -> None:
    network = demo_network()
    start, end = plan_window(FAR_DAY)
    expected = sorted(row["id"] for row in departure_rows(network, start, end, now=start))
    assert "HKG-HUB>LAX-ISC@2030-01-07T15:00Z" in expected
    # Mon/Thu/Sat 02:00 in Hong Kong: only Thursday's (Wednesday 18:00Z) falls in the window.
    assert [i for i in expected if i.startswith("HKG-HUB>MIA-ISC")] == [
        "HKG-HUB>MIA-ISC@2030-01-09T18:00Z"
    ]

    first = capacity.plan_day(database=db, network=network, plan_date=FAR_DAY)
    assert (first.parcels, first.moved, first.at_risk, first.departures) == (0, 0, 0, len(expected))
    assert stored_ids(db, start, end) == expected

    capacity.set_departure_capacity(
        database=db,
        departure_id="HKG-HUB>LAX-ISC@2030-01-07T15:00Z",
        capacity_items=5,
        capacity_grams=None,
    )
    capacity.delay_departure(
        database=db, network=network, departure_id="HKG-HUB>MIA-ISC@2030-01-09T18:00Z", minutes=30
    )
    capacity.plan_day(database=db, network=network, plan_date=FAR_DAY)
    capacity.plan_day(database=db, network=network, plan_date=FAR_DAY + timedelta(days=1))

    later_end = end + timedelta(days=1)
    assert len(stored_ids(db, start, later_end)) == len(set(stored_ids(db, start, later_end)))
    assert stored_ids(db, start, end) == expected
    lax = capacity.list_departures(database=db, on_date=FAR_DAY, leg_id="HKG-HUB>LAX-ISC")
    assert [(d.id, d.capacity_items, d.capacity_grams) for d in lax] == [
        ("HKG-HUB>LAX-ISC@2030-01-07T15:00Z", 5, None)
    ]
    mia = capacity.list_departures(database=db, on_date=date(2030, 1, 9), leg_id="HKG-HUB>MIA-ISC")
    assert [(d.status.value, d.delay_minutes, d.departs_at) for d in mia] == [
        ("delayed", 30, datetime(2030, 1, 9, 18, 30, tzinfo=UTC))
    ]


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_platform(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Platform]:
    """A platform on an empty database of its own: exact loads need no other test's parcels."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'capacity.db'}"
        upgrade(url)
        plat = build_platform(settings_for(url))
        yield plat
        plat.database.dispose()
        return
    admin = os.environ.get("POSTBRIDGE_TEST_POSTGRES_URL")
    if not admin:
        pytest.skip("PostgreSQL tier: set POSTBRIDGE_TEST_POSTGRES_URL")
    name = f"postbridge_capacity_{uuid.uuid4().hex[:12]}"
    server = make_url(normalize_url(admin)).set(drivername="postgresql")
    conninfo = server.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        url = normalize_url(server.set(database=name).render_as_string(hide_password=False))
        upgrade(url)
        plat = build_platform(settings_for(url))
        yield plat
        plat.database.dispose()
    finally:
        with psycopg.connect(conninfo, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_cancelling_a_flight_moves_its_shipments_to_the_next_one(
    fresh_platform: Platform,
) -> None:
    database, network = fresh_platform.database, fresh_platform.quoter.network
    merchant = make_merchant(database)
    booked = [
        book_shipment(deps=fresh_platform.booking, merchant_id=merchant.merchant_id,
                      shipment=shipment_input()).shipment
        for _ in range(3)
    ]  # fmt: skip
    flights = {planned_flight(s.route).departure_id for s in booked}  # type: ignore[union-attr]
    assert len(flights) == 1
    (first,) = flights
    first_flight = planned_flight(booked[0].route)
    assert first_flight is not None
    plan_date = first_flight.departs.date()

    daily = capacity.plan_day(database=database, network=network, plan_date=plan_date)
    lane = [
        load
        for offset in range(4)
        for load in capacity.list_departures(
            database=database,
            on_date=plan_date + timedelta(days=offset),
            leg_id=first_flight.leg_id,
        )
    ]
    assert lane[0].id == first
    following = lane[1]
    assert (daily.parcels, daily.departures_used, daily.moved) == (3, 1, 0)
    replan = capacity.cancel_departure(database=database, network=network, departure_id=first)
    assert (replan.parcels, replan.moved, replan.lanes) == (3, 3, (first_flight.leg_id,))

    with database.unit_of_work() as uow:
        plans = uow.session.scalars(select(ShipmentPlan).order_by(ShipmentPlan.shipment_id)).all()
        assert [p.departure_id for p in plans] == [following.id] * 3
        # Standard's deadline: the booked arrival plus the promise's slack, fixed at first plan.
        slack = {b.id: promise_slack(b.route) for b in booked}  # type: ignore[arg-type]
        assert [p.deadline for p in plans] == [
            first_flight.arrives + slack[p.shipment_id] for p in plans
        ]
        routes = {s.id: s.route for s in uow.session.scalars(select(Shipment))}
        runs = uow.session.scalar(select(func.count()).select_from(ScheduledDeparture).where(
            ScheduledDeparture.last_plan_id == replan.plan_id))  # fmt: skip
    for shipment in booked:
        route = routes[shipment.id]
        assert route.capacity is not None
        assert route.capacity.departure == following.id
        moved = planned_flight(route)
        assert moved is not None
        assert (moved.departs, moved.arrives) == (following.departs_at, following.arrives_at)
    # The re-plan touched only the cancelled flight's lane, over the four-day window.
    assert runs == len(lane)


def test_parcels_left_on_a_cancelled_flight_are_replanned_after_its_time(
    fresh_platform: Platform,
) -> None:
    database, network = fresh_platform.database, fresh_platform.quoter.network
    merchant = make_merchant(database)
    shipment = book_shipment(
        deps=fresh_platform.booking, merchant_id=merchant.merchant_id, shipment=shipment_input()
    ).shipment
    flight = planned_flight(shipment.route)
    assert flight is not None
    plan_date = flight.departs.date()
    capacity.plan_day(database=database, network=network, plan_date=plan_date)
    later = [
        d.id
        for day in range(4)
        for d in capacity.list_departures(
            database=database, on_date=plan_date + timedelta(days=day), leg_id=flight.leg_id
        )
        if d.departs_at > flight.departs
    ]
    for departure in later:  # no room anywhere else in the window
        capacity.set_departure_capacity(
            database=database, departure_id=departure, capacity_items=0, capacity_grams=None
        )

    # Given its flight cancelled and no other room, the parcel is flagged and stays put.
    stranded = capacity.cancel_departure(
        database=database, network=network, departure_id=flight.departure_id
    )
    assert (stranded.parcels, stranded.unplanned, stranded.at_risk) == (1, 1, 1)
    assert [(m.from_departure, m.to_departure) for m in stranded.moves] == [
        (flight.departure_id, None)
    ]

    # When room reappears after the cancelled flight's time, the next plan still finds it.
    capacity.set_departure_capacity(
        database=database, departure_id=later[0], capacity_items=10, capacity_grams=None
    )
    after = capacity.plan_day(
        database=database,
        network=network,
        plan_date=plan_date,
        now=flight.departs + timedelta(hours=1),
    )
    assert (after.parcels, after.moved, after.unplanned) == (1, 1, 0)
    assert [(m.from_departure, m.to_departure) for m in after.moves] == [
        (flight.departure_id, later[0])
    ]
    with database.unit_of_work() as uow:
        route = uow.session.get(Shipment, shipment.id).route  # type: ignore[union-attr]
    assert route is not None
    assert route.capacity is not None
    assert route.capacity.departure == later[0]
