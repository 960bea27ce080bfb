"""The sandbox's world: its clock, the parcels it expects, their scans, feeds and outages.

A parcel's whole story is drawn when it is pre-alerted (``timeline``) and stored as one row per
report (``emission``); moving the clock emits the rows whose time has come, after the posts
have held what arrived without advance data (``holds``). Feeds read emitted rows only, in
emission order, so events appear late, out of order and twice as the reality model said.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select, update

from postbridge.sandbox import store
from postbridge.sandbox.advance_data import judge
from postbridge.sandbox.emission import emit_due, plan_json, report_rows
from postbridge.sandbox.holds import hold_arrivals_without_data, release_held
from postbridge.sandbox.parcels import ParcelPlan
from postbridge.sandbox.reality import Reality
from postbridge.sandbox.rules import Rules
from postbridge.sandbox.timeline import handover_time, live_parcel

ALL_PARTNERS = "*"
MAX_FEED_PAGE = 1000


@dataclass(frozen=True, slots=True)
class ActiveFault:
    status: int
    retry_after_s: int | None


class World:
    def __init__(
        self, engine: Engine, *, reality: Reality, rules: Rules, seed: int, start: datetime
    ) -> None:
        self.engine, self.reality, self.rules, self.seed = engine, reality, rules, seed
        with store.writing(engine) as connection:
            if connection.execute(select(store.clock.c.now_s)).first() is None:
                now_s = store.to_seconds(start)
                connection.execute(insert(store.clock).values(id=1, now_s=now_s))

    # --- clock -------------------------------------------------------------------------------
    def now(self) -> datetime:
        with self.engine.connect() as connection:
            return store.from_seconds(connection.execute(select(store.clock.c.now_s)).scalar_one())

    def advance(self, delta: timedelta) -> tuple[datetime, int]:
        """Move the clock on; answer the new time and how many reports were emitted."""
        if delta < timedelta(0):
            raise ValueError("the clock only moves forward")
        with store.writing(self.engine) as connection:
            now_s = connection.execute(select(store.clock.c.now_s)).scalar_one()
            now_s += int(delta.total_seconds())
            connection.execute(update(store.clock).values(now_s=now_s))
            emitted = self._emit_due(connection, now_s)
        return store.from_seconds(now_s), emitted

    def _emit_due(self, connection: Any, now_s: int) -> int:
        hold_arrivals_without_data(connection, now_s, rules=self.rules, reality=self.reality)
        return emit_due(connection, now_s)

    # --- origin pre-alerts -------------------------------------------------------------------
    def prealert(self, plans: list[ParcelPlan]) -> list[dict[str, str]]:
        """Expect these parcels. A parcel pre-alerted again before its first scan is emitted
        takes the new plan (re-planned route); after that the first plan stands."""
        latest = {plan.tracking_number: plan for plan in plans}  # the last plan of a number wins
        with store.writing(self.engine) as connection:
            now_s = connection.execute(select(store.clock.c.now_s)).scalar_one()
            started = set(
                connection.execute(
                    select(store.scans.c.tracking_number)
                    .where(
                        store.scans.c.tracking_number.in_(latest),
                        store.scans.c.feed_seq.is_not(None),
                    )
                    .distinct()
                ).scalars()
            )
            fresh = [plan for number, plan in latest.items() if number not in started]
            numbers = [plan.tracking_number for plan in fresh]
            connection.execute(
                delete(store.scans).where(store.scans.c.tracking_number.in_(numbers))
            )
            connection.execute(
                delete(store.parcels).where(store.parcels.c.tracking_number.in_(numbers))
            )
            parcel_rows, scan_rows = [], []
            for plan in fresh:
                story = live_parcel(plan, self.reality, seed=self.seed)
                parcel_rows.append(
                    {
                        "tracking_number": plan.tracking_number,
                        "partner": plan.partner,
                        "partner_number": plan.partner_number,
                        "plan": plan_json(plan),
                        "fate": story.fate.value,
                        "created_s": now_s,
                        "handover_s": _seconds_or_none(handover_time(story)),
                        "hold": "none",
                    }
                )
                scan_rows += report_rows(plan, story, self.reality, seed=self.seed)
            if parcel_rows:
                connection.execute(insert(store.parcels), parcel_rows)
            if scan_rows:
                connection.execute(insert(store.scans), scan_rows)
            self._emit_due(connection, now_s)
        return [
            {
                "tracking_number": plan.tracking_number,
                "status": "in_progress" if plan.tracking_number in started else "expected",
            }
            for plan in plans
        ]

    def now_in(self, connection: Any) -> datetime:
        return store.from_seconds(connection.execute(select(store.clock.c.now_s)).scalar_one())

    # --- UPU-style exchange ------------------------------------------------------------------
    def receive_items(self, partner: str, messages: list[Any]) -> list[dict[str, Any]]:
        """Judge each ITMATT message; keep the latest per item id (idempotent replacement)."""
        rules = self.rules.post(partner)
        results = [judge(message, rules) for message in messages]
        with store.writing(self.engine) as connection:
            received_s = store.to_seconds(self.now_in(connection))
            for message, result in zip(messages, results, strict=True):
                item_id = result["item_id"]
                if not isinstance(item_id, str) or not item_id:
                    continue
                table = store.advance_data
                connection.execute(
                    delete(table).where(table.c.partner == partner, table.c.item_id == item_id)
                )
                connection.execute(
                    insert(table).values(
                        partner=partner,
                        item_id=item_id,
                        message=message,
                        result=result,
                        received_s=received_s,
                    )
                )
                if result["status"] == "accepted":
                    release_held(
                        connection, partner, item_id, received_s,
                        reality=self.reality, seed=self.seed,
                    )  # fmt: skip
            self._emit_due(connection, received_s)
        return results

    def advance_data_of(self, partner: str, item_id: str) -> dict[str, Any] | None:
        """What the post holds for an item (tests compare it with the shipment)."""
        table = store.advance_data
        with self.engine.connect() as connection:
            row = connection.execute(
                select(table.c.message, table.c.result).where(
                    table.c.partner == partner, table.c.item_id == item_id
                )
            ).first()
        return None if row is None else {"message": row.message, "result": row.result}

    def story_of(self, tracking_number: str) -> dict[str, Any] | None:
        """What happens (and will happen) to a parcel, redrawn from its stored plan: the same
        seed tells the same story, so nothing but the plan needs storing. A hold for advance
        data (``hold``) replaces what follows the hand-over with a story drawn at release."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(store.parcels.c.plan, store.parcels.c.hold).where(
                    store.parcels.c.tracking_number == tracking_number
                )
            ).first()
            emitted = connection.execute(
                select(func.count()).where(
                    store.scans.c.tracking_number == tracking_number,
                    store.scans.c.feed_seq.is_not(None),
                )
            ).scalar_one()
        if row is None:
            return None
        plan = ParcelPlan.from_json(row.plan)
        story = live_parcel(plan, self.reality, seed=self.seed)
        return {
            "tracking_number": tracking_number,
            "partner": plan.partner,
            "fate": story.fate.value,
            "missed_connections": story.missed_connections,
            "customs_held": story.customs_held,
            "failed_attempts": story.failed_attempts,
            "hold": row.hold,  # none, checked, held (no advance data) or released
            "reports_emitted": emitted,
            "scans": [
                {
                    "step": scan.step.value,
                    "at": scan.at,
                    "office": scan.place.code,
                    "reason": scan.reason,
                }
                for scan in story.scans
            ],
        }

    def events_page(self, partner: str, after: int, limit: int) -> tuple[list[dict[str, Any]], int]:
        """Emitted events of a post after feed position ``after``; the last position read."""
        table = store.scans
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(table.c.feed_seq, table.c.upu)
                .where(
                    table.c.partner == partner,
                    table.c.upu.is_not(None),
                    table.c.feed_seq > after,
                )
                .order_by(table.c.feed_seq)
                .limit(min(limit, MAX_FEED_PAGE))
            ).all()
        if not rows:
            return [], after
        return [row.upu for row in rows], rows[-1].feed_seq

    # --- faults ------------------------------------------------------------------------------
    def add_fault(
        self, *, partner: str, status: int, minutes: float, retry_after_s: int | None
    ) -> dict[str, Any]:
        """A simulated outage. Outages of one partner queue up: the second starts when the
        first ends, so "500 for 10 minutes, then 429" is two calls."""
        with store.writing(self.engine) as connection:
            now_s = connection.execute(select(store.clock.c.now_s)).scalar_one()
            pending_end = connection.execute(
                select(func.max(store.faults.c.ends_s)).where(store.faults.c.partner == partner)
            ).scalar()
            starts_s = max(now_s, pending_end or now_s)
            ends_s = starts_s + int(minutes * 60)
            connection.execute(
                insert(store.faults).values(
                    partner=partner,
                    status=status,
                    retry_after_s=retry_after_s,
                    starts_s=starts_s,
                    ends_s=ends_s,
                )
            )
        return {
            "partner": partner,
            "status": status,
            "retry_after_s": retry_after_s,
            "starts": store.from_seconds(starts_s),
            "ends": store.from_seconds(ends_s),
        }

    def flaky_fault(self, rng: random.Random) -> ActiveFault | None:
        """A random 500 or 429 for one call, at the reality model's rates."""
        flaky, draw = self.reality.flaky, rng.random()
        if draw < flaky.error_rate:
            return ActiveFault(500, None)
        if draw < flaky.error_rate + flaky.rate_limit_rate:
            return ActiveFault(429, flaky.retry_after_s)
        return None

    def active_fault(self, partner: str) -> ActiveFault | None:
        table = store.faults
        with self.engine.connect() as connection:
            now_s = connection.execute(select(store.clock.c.now_s)).scalar_one()
            row = connection.execute(
                select(table.c.status, table.c.retry_after_s)
                .where(
                    table.c.partner.in_((partner, ALL_PARTNERS)),
                    table.c.starts_s <= now_s,
                    table.c.ends_s > now_s,
                )
                .order_by(table.c.starts_s)
                .limit(1)
            ).first()
        return None if row is None else ActiveFault(row.status, row.retry_after_s)


def _seconds_or_none(moment: datetime | None) -> int | None:
    return None if moment is None else store.to_seconds(moment)
