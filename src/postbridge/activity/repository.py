"""Every query on the daily activity projection."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from postbridge.activity.models import DailyActivity
from postbridge.activity.projection import ActivityKey

_activity = cast(Table, DailyActivity.__table__)
_COUNTERS = ("booked", "labelled", "cancelled")


class ActivityRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, increments: Mapping[ActivityKey, Counter[str]]) -> None:
        """Grow the counters: one upsert (INSERT ... ON CONFLICT DO UPDATE) for all rows."""
        if not increments:
            return
        rows = [
            {"merchant_id": merchant_id, "day": day, "destination_country": destination,
             **{name: counts.get(name, 0) for name in _COUNTERS}}
            for (merchant_id, day, destination), counts in increments.items()
        ]  # fmt: skip
        dialect = self.session.get_bind().dialect.name
        insert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(_activity)
        statement = statement.on_conflict_do_update(
            index_elements=["merchant_id", "day", "destination_country"],
            set_={name: _activity.c[name] + statement.excluded[name] for name in _COUNTERS},
        )
        self.session.execute(statement, rows)

    def for_merchant(self, merchant_id: str, *, since: date, until: date) -> list[DailyActivity]:
        """Rows of days ``since`` to ``until`` inclusive, by day then destination."""
        return list(
            self.session.scalars(
                select(DailyActivity)
                .where(
                    DailyActivity.merchant_id == merchant_id,
                    DailyActivity.day >= since,
                    DailyActivity.day <= until,
                )
                .order_by(DailyActivity.day, DailyActivity.destination_country)
            )
        )
