"""The quoter's disruption feed reads cancelled and delayed departures, on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import update

from postbridge import capacity
from postbridge.capacity.disruptions import DisruptionFeed
from postbridge.capacity.models import ScheduledDeparture
from postbridge.network import demo_network
from postbridge.routing import Disruptions
from postbridge.storage.unit_of_work import Database

FAR_DAY = date(2030, 2, 11)  # a Monday no booking made today can reach
LAX = "HKG-HUB>LAX-ISC@2030-02-11T15:00Z"
ORD = "HKG-HUB>ORD-ISC@2030-02-11T19:00Z"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def of_this_test(disruptions: Disruptions) -> Disruptions:
    """The database is shared with the other integration tests: their departures aside."""
    first, last = at("2030-02-11T00:00:00"), at("2030-02-15T00:00:00")
    return Disruptions(
        cancelled=frozenset(c for c in disruptions.cancelled if first <= c[1] < last),
        delays=tuple(d for d in disruptions.delays if first <= d[1] < last),
    )


def test_the_feed_names_cancelled_and_delayed_departures(db: Database) -> None:
    network = demo_network()
    capacity.plan_day(database=db, network=network, plan_date=FAR_DAY)
    ticks = [0.0]
    feed = DisruptionFeed(db, refresh_seconds=5, clock=lambda: ticks[0])
    now = at("2030-02-10T00:00:00")
    assert of_this_test(feed(now)) == Disruptions()

    capacity.cancel_departure(database=db, network=network, departure_id=LAX, now=now)
    capacity.delay_departure(database=db, network=network, departure_id=ORD, minutes=90, now=now)

    # Seen at once: the use cases tell this process's feeds.
    assert of_this_test(feed(now)) == Disruptions(
        cancelled=frozenset({("HKG-HUB>LAX-ISC", at("2030-02-11T15:00:00"))}),
        delays=(("HKG-HUB>ORD-ISC", at("2030-02-11T19:00:00"), 90),),
    )
    # Another process's change (here: written directly) is seen once the refresh is due.
    with db.unit_of_work() as uow:
        uow.session.execute(
            update(ScheduledDeparture)
            .where(ScheduledDeparture.id == ORD)
            .values(status="scheduled", delay_minutes=0)
        )
        uow.commit()
    assert of_this_test(feed(now)).delays == (("HKG-HUB>ORD-ISC", at("2030-02-11T19:00:00"), 90),)
    ticks[0] = 5.0
    assert of_this_test(feed(now)) == Disruptions(
        cancelled=frozenset({("HKG-HUB>LAX-ISC", at("2030-02-11T15:00:00"))})
    )
    # Departures scheduled more than 8 days before the moment quoted no longer matter (a feed
    # that loaded for an earlier moment may keep them: they cannot be boarded any more).
    assert of_this_test(DisruptionFeed(db)(at("2030-02-20T00:00:00"))) == Disruptions()
