"""The sandbox's world: its clock, the parcels it expects, their scans, feeds and outages.

Emission: a parcel's whole story is drawn when it is pre-alerted (``timeline``), one row per
report; a row is *emitted* (given the next feed position) once the clock passes its reported
time. Feeds read emitted rows only, in emission order, so events appear late, out of order and
twice exactly as the reality model said, and a cursor never skips one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select, update

from postbridge.sandbox import store
from postbridge.sandbox.advance_data import judge
from postbridge.sandbox.parcels import ParcelPlan
from postbridge.sandbox.reality import Reality
from postbridge.sandbox.rendering import USPS_PARTNER, upu_event, usps_event
from postbridge.sandbox.rules import Rules
from postbridge.sandbox.timeline import live_parcel, report_times

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
        due = (
            connection.execute(
                select(store.scans.c.id)
                .where(store.scans.c.feed_seq.is_(None), store.scans.c.reported_s <= now_s)
                .order_by(store.scans.c.reported_s, store.scans.c.id)
            )
            .scalars()
            .all()
        )
        if not due:
            return 0
        last = connection.execute(select(func.max(store.scans.c.feed_seq))).scalar() or 0
        for position, row_id in enumerate(due, start=last + 1):
            connection.execute(
                update(store.scans).where(store.scans.c.id == row_id).values(feed_seq=position)
            )
        return len(due)

    # --- origin pre-alerts -------------------------------------------------------------------
    def prealert(self, plans: list[ParcelPlan]) -> list[dict[str, str]]:
        """Expect these parcels. A parcel pre-alerted again before its first scan is emitted
        takes the new plan (re-planned route); after that the first plan stands."""
        answers = []
        with store.writing(self.engine) as connection:
            now_s = connection.execute(select(store.clock.c.now_s)).scalar_one()
            for plan in plans:
                answers.append(
                    {
                        "tracking_number": plan.tracking_number,
                        "status": self._expect(connection, plan),
                    }
                )
            self._emit_due(connection, now_s)
        return answers

    def _expect(self, connection: Any, plan: ParcelPlan) -> str:
        number = plan.tracking_number
        started = connection.execute(
            select(store.scans.c.id)
            .where(store.scans.c.tracking_number == number, store.scans.c.feed_seq.is_not(None))
            .limit(1)
        ).first()
        if started is not None:
            return "in_progress"
        connection.execute(delete(store.scans).where(store.scans.c.tracking_number == number))
        connection.execute(delete(store.parcels).where(store.parcels.c.tracking_number == number))
        story = live_parcel(plan, self.reality, seed=self.seed)
        connection.execute(
            insert(store.parcels).values(
                tracking_number=number,
                partner=plan.partner,
                partner_number=plan.partner_number,
                plan=_plan_json(plan),
                fate=story.fate.value,
                created_s=store.to_seconds(self.now_in(connection)),
            )
        )
        rows = []
        usps = plan.partner == USPS_PARTNER
        for report in report_times(story, self.reality, seed=self.seed):
            scan = story.scans[report.scan_index]
            event_id = f"evt-{number}-{report.scan_index:02d}"
            body_usps = usps_event(scan) if usps else None
            if usps and body_usps is None:
                continue  # a step USPS has no code for: nothing shows in USPS tracking
            rows.append(
                {
                    "event_id": event_id,
                    "tracking_number": number,
                    "partner": plan.partner,
                    "partner_number": plan.partner_number,
                    "occurred_s": store.to_seconds(scan.at),
                    "reported_s": store.to_seconds(report.reported_at),
                    "upu": None if usps else upu_event(event_id, number, scan),
                    "usps": body_usps,
                    "feed_seq": None,
                }
            )
        if rows:
            connection.execute(insert(store.scans), rows)
        return "expected"

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
        seed tells the same story, so nothing but the plan needs storing."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(store.parcels.c.plan).where(
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
        plan = ParcelPlan.from_json(row.plan | {"route": {"legs": row.plan["legs"]}})
        story = live_parcel(plan, self.reality, seed=self.seed)
        return {
            "tracking_number": tracking_number,
            "partner": plan.partner,
            "fate": story.fate.value,
            "missed_connections": story.missed_connections,
            "customs_held": story.customs_held,
            "failed_attempts": story.failed_attempts,
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


def _plan_json(plan: ParcelPlan) -> dict[str, Any]:
    return {
        "tracking_number": plan.tracking_number,
        "partner": plan.partner,
        "partner_tracking_number": plan.partner_tracking_number,
        "destination_country": plan.destination_country,
        "destination_postal_code": plan.destination_postal_code,
        "weight_g": plan.weight_g,
        "booked_at": plan.booked_at.isoformat(),
        "legs": [
            {
                "leg": leg.leg,
                "from": leg.origin,
                "to": leg.destination,
                "mode": leg.mode,
                "departs": leg.departs.isoformat(),
                "arrives": leg.arrives.isoformat(),
            }
            for leg in plan.legs
        ],
    }
