"""The reporting repository and use cases on SQLite and PostgreSQL, with exact counts: parcels
booked through the booking use case, tracking events ingested through the tracking use case,
advance-data answers recorded through the hand-over repository. Each backend gets a database
of its own, so operators' all-merchant figures count this module's parcels only."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta

import pytest

from postbridge.handover.models import AdvanceDataStatus
from postbridge.handover.repository import HandoverRepository
from postbridge.migrations import upgrade
from postbridge.numbering.allocator import NumberAllocator
from postbridge.reporting.models import Dashboard
from postbridge.reporting.service import dashboard, partner_health, windows_at
from postbridge.shipments.booking import BookingDeps, book_shipment
from postbridge.shipments.models import Shipment
from postbridge.shipments.ports import PlannedRoute, PlanRequest
from postbridge.storage.engine import make_engine
from postbridge.storage.unit_of_work import Database
from postbridge.tracking.alerts import SilenceLimits
from tests.builders import shipment_input
from tests.conftest import fresh_postgres_database, make_merchant
from tests.integration.test_bulk_capture import IMPB, FakePlanner
from tests.integration.test_tracking_ingest import ingest, item

LIMITS = SilenceLimits()


class PromisingPlanner(FakePlanner):
    """The suite's fake planner, promising the p90 day it is told to (the fake's is fixed)."""

    def __init__(self) -> None:
        super().__init__()
        self.p90 = date.today()

    def plan(self, request: PlanRequest) -> PlannedRoute:
        route = super().plan(request)
        return dataclasses.replace(route, promise_p50=self.p90, promise_p90=self.p90)


@dataclasses.dataclass
class Scene:
    db: Database
    merchant: str
    other: str
    now: datetime
    shipments: dict[str, Shipment]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def scene(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Scene]:
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('reporting') / 'reporting.db'}"
            upgrade(url)
        else:
            url = stack.enter_context(fresh_postgres_database())
        db = Database(make_engine(url))
        stack.callback(db.dispose)
        yield _book_and_track(db)


def _book_and_track(db: Database) -> Scene:
    """Merchant one: on time, late, exception, customs hold past its promise, in transit.
    Merchant two: one parcel delivered on time. Events come after booking, as they must."""
    planner = PromisingPlanner()
    deps = BookingDeps(
        database=db,
        allocator=NumberAllocator(db, partner_schemes={IMPB.name: IMPB}),
        planner=planner,
    )
    merchant, other = make_merchant(db).merchant_id, make_merchant(db).merchant_id
    today = datetime.now(UTC).date()
    plan = {
        "on_time": (merchant, today + timedelta(days=2)),
        "late": (merchant, today - timedelta(days=2)),
        "exception": (merchant, today + timedelta(days=2)),
        "customs": (merchant, today - timedelta(days=1)),
        "moving": (merchant, today + timedelta(days=2)),
        "other": (other, today + timedelta(days=2)),
    }
    shipments = {}
    for name, (owner, p90) in plan.items():
        planner.p90 = p90
        shipments[name] = book_shipment(
            deps=deps, merchant_id=owner, shipment=shipment_input()
        ).shipment
    soon = datetime.now(UTC) + timedelta(minutes=30)
    number = {name: s.tracking_number for name, s in shipments.items()}
    ingest(
        db,
        item(number["on_time"], "EMA", soon), item(number["on_time"], "EMI", soon + timedelta(hours=1)),
        item(number["late"], "EMA", soon), item(number["late"], "EMI", soon + timedelta(hours=1)),
        item(number["exception"], "EXX", soon),
        item(number["customs"], "EMA", soon), item(number["customs"], "EME", soon + timedelta(hours=1)),
        item(number["moving"], "EMA", soon), item(number["moving"], "ZZX", soon + timedelta(hours=1)),
        item(number["other"], "EMI", soon),
    )  # fmt: skip
    answers = {"on_time": AdvanceDataStatus.ACCEPTED, "late": AdvanceDataStatus.ACCEPTED,
               "exception": AdvanceDataStatus.HELD, "moving": AdvanceDataStatus.PENDING}  # fmt: skip
    with db.unit_of_work() as uow:
        repo = HandoverRepository(uow.session)
        for name, answer in answers.items():
            record = repo.get_or_add(shipments[name].id, partner="USPS", now=datetime.now(UTC))
            record.advance_status = answer
        uow.commit()
    return Scene(db, merchant, other, datetime.now(UTC), shipments)


def figures(scene: Scene, scope: str | None, *, later: timedelta = timedelta(0)) -> Dashboard:
    return dashboard(database=scene.db, scope=scope, now=scene.now + later, limits=LIMITS)


def test_a_merchant_counts_its_own_parcels_by_status(scene: Scene) -> None:
    # The moving parcel's last code is unmapped: tracking leaves its booking status as it is.
    mine = figures(scene, scene.merchant)
    assert [(s.status, s.today, s.week) for s in mine.statuses] == [
        ("booked", 1, 1), ("delivered", 2, 2), ("exception", 1, 1), ("in_transit", 1, 1),
    ]  # fmt: skip
    theirs = figures(scene, scene.other)
    assert [(s.status, s.today, s.week) for s in theirs.statuses] == [("delivered", 1, 1)]
    everyone = figures(scene, None)
    assert [(s.status, s.today, s.week) for s in everyone.statuses] == [
        ("booked", 1, 1), ("delivered", 3, 3), ("exception", 1, 1), ("in_transit", 1, 1),
    ]  # fmt: skip


def test_promises_are_kept_by_lane_and_partner(scene: Scene) -> None:
    mine = figures(scene, scene.merchant)
    lane = f"{scene.shipments['on_time'].origin_country} → US"
    assert [(p.label, p.on_time, p.late, p.rate_percent) for p in mine.by_lane] == [
        (lane, 1, 1, 50.0)
    ]
    assert [(p.label, p.on_time, p.late) for p in mine.by_partner] == [("USPS", 1, 1)]
    assert (mine.promises.kept, mine.promises.missed, mine.promises.overdue) == (1, 1, 1)
    everyone = figures(scene, None)
    assert [(p.label, p.on_time, p.late, p.rate_percent) for p in everyone.by_lane] == [
        (lane, 2, 1, 66.7)
    ]
    assert [(d.country, d.parcels) for d in everyone.destinations] == [("US", 6)]
    assert [(d.country, d.parcels) for d in figures(scene, scene.other).destinations] == [("US", 1)]


def test_bookings_per_day_cover_thirty_days_with_today_last(scene: Scene) -> None:
    daily = figures(scene, scene.merchant).daily
    assert len(daily) == 31
    assert (daily[-1].day, daily[-1].parcels) == (scene.now.date(), 5)
    assert sum(d.parcels for d in daily) == 5


def test_exceptions_count_by_kind_and_list_the_merchants_parcels(scene: Scene) -> None:
    mine = figures(scene, scene.merchant)
    assert mine.exceptions.by_kind() == [
        ("exception", 1), ("customs_hold", 1), ("no_scan", 0), ("late_against_promise", 1),
    ]  # fmt: skip
    listed = {item.tracking_number: item for item in mine.action_items}
    exception = listed[scene.shipments["exception"].tracking_number]
    assert (exception.alerts, exception.acting) == (
        ("exception: reason: export_cancelled",),
        "sender",
    )
    customs = listed[scene.shipments["customs"].tracking_number]
    assert customs.alerts[0] == "customs_hold: customs_hold at customs"
    assert customs.alerts[1].startswith("late_against_promise: promised by ")
    assert set(listed) == {scene.shipments[n].tracking_number for n in ("exception", "customs")}
    assert figures(scene, None).action_items == []  # operators have the exceptions page
    assert figures(scene, scene.other).exceptions.by_kind() == [
        ("exception", 0), ("customs_hold", 0), ("no_scan", 0), ("late_against_promise", 0),
    ]  # fmt: skip


def test_four_silent_days_are_no_scan_before_customs_but_not_at_customs(scene: Scene) -> None:
    # Accepted at origin allows 3 days, customs 5: the exception, the customs hold and the
    # moving parcel are open; only the two accepted at origin are silent too long.
    later = figures(scene, scene.merchant, later=timedelta(days=4))
    assert later.exceptions.no_scan == 2
    moving = scene.shipments["moving"].tracking_number
    assert moving in {item.tracking_number for item in later.action_items}


def test_partner_health_counts_events_answers_and_unmapped_codes(scene: Scene) -> None:
    health, queues = partner_health(database=scene.db, now=scene.now)
    assert [
        (p.partner, p.events_last_24h, p.advance_pending, p.advance_accepted, p.advance_held,
         p.rejection_percent, p.unmapped_codes, p.unmapped_events)
        for p in health
    ] == [
        ("chinapost", 10, 0, 0, 0, None, 1, 1),
        ("usps", 0, 1, 2, 1, 33.3, 0, 0),
    ]  # fmt: skip
    assert health[0].last_event_received_at is not None
    assert scene.now - timedelta(minutes=5) < health[0].last_event_received_at <= scene.now
    quiet, _ = partner_health(database=scene.db, now=scene.now + timedelta(days=2))
    assert [(p.partner, p.events_last_24h) for p in quiet] == [("chinapost", 0), ("usps", 0)]
    assert all(q.kind and q.queued >= q.retrying for q in queues)


def test_the_windows_start_at_midnight_and_on_monday() -> None:
    windows = windows_at(datetime(2026, 12, 3, 15, 30, tzinfo=UTC))  # a Thursday
    assert windows.today == datetime(2026, 12, 3, tzinfo=UTC)
    assert windows.week == datetime(2026, 11, 30, tzinfo=UTC)
    assert windows.month == datetime(2026, 11, 3, 15, 30, tzinfo=UTC)
