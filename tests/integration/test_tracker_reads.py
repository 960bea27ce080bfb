"""Reading one tracker on SQLite and PostgreSQL (issue 13's read path: Core rows on the read
pool): the caller's tracker among those sharing its number, a recycled number's earlier
parcel kept out by the booking date, the partner number finding the same tracker, merchant
scoping, and the JSON bytes equal to the validated TrackerRead's."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import TypeAdapter

from postbridge.bootstrap import Platform, build_platform
from postbridge.errors import NotFound
from postbridge.shipments.booking import book
from postbridge.shipments.models import Shipment
from postbridge.shipments.schemas import ShipmentCreate
from postbridge.shipments.views import shipment_input
from postbridge.storage.unit_of_work import Database
from postbridge.tracking.estimate_history import EstimateRepository
from postbridge.tracking.ingest import ingest_chunk
from postbridge.tracking.reading import TrackerView, get_tracker, public_view
from postbridge.tracking.schemas import TrackerRead, tracker_read
from postbridge.tracking.trackers import track_number
from postbridge.tracking.views import dumps, tracker_json
from tests.builders import shipment_body
from tests.conftest import make_merchant, settings_for
from tests.integration.test_tracking_ingest import events, fresh_s10, item


@pytest.fixture
def platform(database_url: str) -> Iterator[Platform]:
    plat = build_platform(settings_for(database_url))
    yield plat
    plat.database.dispose()


def _booked(platform: Platform, merchant_id: str) -> Shipment:
    body = ShipmentCreate.model_validate(shipment_body())
    booked = book(deps=platform.booking, merchant_id=merchant_id, shipment=shipment_input(body))
    with platform.database.unit_of_work() as uow:
        shipment = uow.session.get(Shipment, booked.shipment_id)
    assert shipment is not None
    return shipment


def _ingest(database: Database, *items: dict[str, object]) -> None:
    ingest_chunk(database=database, events=events(*items))


def _codes(view: TrackerView) -> list[tuple[str, datetime]]:
    return [(e.raw_code, e.occurred_at) for e in view.events]


def test_a_recycled_number_is_told_apart_by_the_booking_date(platform: Platform) -> None:
    database = platform.database
    owner = make_merchant(database).merchant_id
    shipment = _booked(platform, owner)
    number, booked_at = shipment.tracking_number, shipment.created_at
    earlier, later = booked_at - timedelta(days=400), booked_at - timedelta(days=390)
    now = booked_at + timedelta(hours=3)
    _ingest(database, item(number, "EMA", earlier), item(number, "EMI", later))
    _ingest(database, item(number, "EMA", now))

    mine = get_tracker(database=database, tracking_number=number, merchant_id=owner)
    assert (mine.tracker.shipment_id, mine.tracker.merchant_id) == (shipment.id, owner)
    assert _codes(mine) == [("EMA", now)]  # the earlier parcel's life is not this booking's
    assert (mine.promised_p50, mine.promised_p90) == (
        shipment.promised_p50, shipment.promised_p90,
    )  # fmt: skip

    # Another merchant tracking the same number did not book it: every event is theirs.
    watcher = make_merchant(database).merchant_id
    track_number(database=database, merchant_id=watcher, tracking_number=number)
    theirs = get_tracker(database=database, tracking_number=number, merchant_id=watcher)
    assert (theirs.tracker.shipment_id, theirs.tracker.merchant_id) == (None, watcher)
    assert theirs.tracker.id != mine.tracker.id
    assert _codes(theirs) == [("EMA", now), ("EMI", later), ("EMA", earlier)]
    assert (theirs.promised_p50, theirs.promised_p90, theirs.estimates) == (None, None, ())

    # An operator and the public page get the booked parcel's tracker first.
    operator = get_tracker(database=database, tracking_number=number, merchant_id=None)
    assert operator.tracker.id == mine.tracker.id
    public = public_view(database=database, tracking_number=number.lower())
    assert public is not None
    assert (public.tracker.id, _codes(public)) == (mine.tracker.id, [("EMA", now)])


def test_the_partner_number_finds_the_same_tracker_with_both_numbers_events(
    platform: Platform,
) -> None:
    database = platform.database
    owner = make_merchant(database).merchant_id
    shipment = _booked(platform, owner)
    s10, impb, start = (
        shipment.tracking_number,
        shipment.partner_tracking_number,
        shipment.created_at,
    )
    assert impb is not None
    _ingest(
        database,
        item(s10, "EMA", start + timedelta(hours=1)),
        item(s10, "EMC", start + timedelta(hours=9)),
        item(impb, "10", start + timedelta(days=3), partner="USPS"),
    )
    by_s10 = get_tracker(database=database, tracking_number=s10, merchant_id=owner)
    by_impb = get_tracker(database=database, tracking_number=impb, merchant_id=owner)
    assert by_impb == by_s10
    assert _codes(by_impb) == [
        ("10", start + timedelta(days=3)),
        ("EMC", start + timedelta(hours=9)),
        ("EMA", start + timedelta(hours=1)),
    ]
    assert by_impb.tracker.partner_tracking_number == impb
    with database.unit_of_work() as uow:
        stored = EstimateRepository(uow.session).history([by_s10.tracker.id])
    assert len(stored[by_s10.tracker.id]) >= 1  # the booking's promise, at least
    assert list(by_s10.estimates) == stored[by_s10.tracker.id]


def test_another_merchants_tracker_and_unknown_numbers_are_not_found(platform: Platform) -> None:
    database = platform.database
    owner = make_merchant(database).merchant_id
    stranger = make_merchant(database).merchant_id
    shipment = _booked(platform, owner)
    number = shipment.tracking_number
    pending = get_tracker(database=database, tracking_number=number, merchant_id=owner)
    assert (pending.tracker.id, pending.tracker.status, pending.events) == (None, "pending", ())
    _ingest(database, item(number, "EMA", shipment.created_at + timedelta(hours=1)))
    for merchant_id, asked in ((stranger, number), (owner, fresh_s10()), (owner, "LX\x00 1")):
        with pytest.raises(NotFound) as caught:
            get_tracker(database=database, tracking_number=asked, merchant_id=merchant_id)
        assert str(caught.value) == f"no tracker for {asked.replace(' ', '')} among your trackers"


def test_only_tracked_numbers_have_a_public_page(platform: Platform) -> None:
    database = platform.database
    number = fresh_s10()
    _ingest(database, item(number, "EMA", datetime(2026, 6, 1, 10, tzinfo=UTC)))
    assert public_view(database=database, tracking_number=number) is None
    operator = get_tracker(database=database, tracking_number=number, merchant_id=None)
    assert (operator.tracker.merchant_id, len(operator.events)) == (None, 1)
    merchant = make_merchant(database).merchant_id
    track_number(database=database, merchant_id=merchant, tracking_number=number)
    public = public_view(database=database, tracking_number=number)
    assert public is not None
    assert (public.tracker.merchant_id, len(public.events)) == (merchant, 1)


def test_the_json_bytes_equal_the_validated_tracker_read(platform: Platform) -> None:
    database = platform.database
    owner = make_merchant(database).merchant_id
    shipment = _booked(platform, owner)
    number, start = shipment.tracking_number, shipment.created_at
    _ingest(
        database,
        item(number, "EMA", start + timedelta(hours=1, microseconds=250), description="收寄 ✓"),
        item(number, "EMC", start + timedelta(hours=9), city="Shenzhen Airport"),
        item(number, "ZZ9", start + timedelta(hours=12), description='odd "code" \\ here'),
    )
    untracked = fresh_s10()
    _ingest(database, item(untracked, "EMA", datetime(2026, 6, 1, 10, 0, 0, 1, tzinfo=UTC)))
    adapter = TypeAdapter(TrackerRead)
    views = [
        get_tracker(database=database, tracking_number=number, merchant_id=owner),
        get_tracker(database=database, tracking_number=untracked, merchant_id=None),
        get_tracker(database=database, tracking_number=_booked(platform, owner).tracking_number,
                    merchant_id=owner),
    ]  # fmt: skip
    assert [len(v.events) for v in views] == [3, 1, 0]
    assert views[0].estimates != ()
    for view in views:
        assert dumps(tracker_json(view)) == adapter.dump_json(tracker_read(view))
