"""The outbox consumer that keeps the daily activity projection, and its read side."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from postbridge.activity.projection import COUNTERS, increments
from postbridge.activity.repository import ActivityRepository
from postbridge.kit.events import EventEnvelope
from postbridge.storage.unit_of_work import Database, UnitOfWork


class DailyActivityConsumer:
    name = "activity.daily"
    event_types = frozenset(COUNTERS)

    def apply(self, uow: UnitOfWork, events: Sequence[EventEnvelope]) -> None:
        ActivityRepository(uow.session).add(increments(events))


@dataclass(frozen=True, slots=True)
class ActivityDay:
    day: date
    destination_country: str
    booked: int
    labelled: int
    cancelled: int


def daily_activity(
    *, database: Database, merchant_id: str, since: date, until: date
) -> list[ActivityDay]:
    with database.unit_of_work() as uow:
        rows = ActivityRepository(uow.session).for_merchant(merchant_id, since=since, until=until)
        return [
            ActivityDay(r.day, r.destination_country, r.booked, r.labelled, r.cancelled)
            for r in rows
        ]
