"""Every query of reporting: aggregates over shipments, trackers, tracking events, hand-over
answers, unmapped codes and jobs (SQLAlchemy Core, the same SQL on SQLite and PostgreSQL).

Each query is one GROUP BY over a bounded window of an indexed column (migration 0013 adds the
indexes), except the exception counts: an alert has no time window (a parcel silent for a
month is still stuck), so they read every open tracker, and the open ones are the few that
are not delivered yet. Nothing here reads rows into Python beyond the groups. ``scope`` is a merchant id, or None
for an operator, who sees every merchant's parcels."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Date,
    Table,
    and_,
    case,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import cast as sql_cast

from postbridge.handover.models import AdvanceDataStatus, ShipmentHandover
from postbridge.jobs.models import Job, JobStatus
from postbridge.shipments.models import Shipment
from postbridge.tracking.models import Tracker, TrackingEventRow, UnmappedCode

_shipments = cast(Table, Shipment.__table__)
_trackers = cast(Table, Tracker.__table__)
_events = cast(Table, TrackingEventRow.__table__)
_handover = cast(Table, ShipmentHandover.__table__)
_unmapped = cast(Table, UnmappedCode.__table__)
_jobs = cast(Table, Job.__table__)

UNASSIGNED = "unassigned"  # a shipment booked without a partner (none chosen yet)


@dataclass(frozen=True, slots=True)
class AlertWindow:
    """What makes an open tracker need someone, as of one instant (``tracking.alerts`` rules,
    in SQL): the statuses of open trackers (listed, not "not terminal": a list is a few seeks
    of ``ix_trackers_status_last_event``, a negation a scan of every tracker), the customs
    reasons, the instant before which a
    tracker at each milestone is silent too long, and today (a p90 before it is overdue)."""

    open_statuses: Sequence[str]
    customs_reasons: Sequence[str]
    silent_before: dict[str | None, datetime]
    today: date


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


class ReportingRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def _dialect(self) -> str:
        return self.session.get_bind().dialect.name

    def _utc_day(self, moment: Any) -> ColumnElement[date]:
        """The UTC calendar day of a stored instant. SQLite keeps UTC text, so ``date()``;
        PostgreSQL's cast would use the session's zone, so the instant is put in UTC first."""
        if self._dialect == "postgresql":
            return sql_cast(func.timezone("UTC", moment), Date)
        return cast(ColumnElement[date], func.date(moment))

    # -- shipments ------------------------------------------------------------------------

    def status_counts(
        self, *, scope: str | None, today: datetime, week: datetime
    ) -> list[tuple[str, int, int]]:
        """(status, booked today, booked this week) for shipments booked since ``week``."""
        since = min(today, week)
        query = (
            select(
                _shipments.c.status,
                _count_if(_shipments.c.created_at >= today).label("today"),
                func.count().label("week"),
            )
            .where(_shipments.c.created_at >= since)
            .group_by(_shipments.c.status)
            .order_by(_shipments.c.status)
        )
        if scope is not None:
            query = query.where(_shipments.c.merchant_id == scope)
        return [(row.status, int(row.today), int(row.week)) for row in self.session.execute(query)]

    def destination_volumes(
        self, *, scope: str | None, since: datetime, limit: int
    ) -> list[tuple[str, int]]:
        parcels = func.count().label("parcels")
        query = (
            select(_shipments.c.destination_country, parcels)
            .where(_shipments.c.created_at >= since)
            .group_by(_shipments.c.destination_country)
            .order_by(parcels.desc(), _shipments.c.destination_country)
            .limit(limit)
        )
        if scope is not None:
            query = query.where(_shipments.c.merchant_id == scope)
        return [(row.destination_country, int(row.parcels)) for row in self.session.execute(query)]

    def daily_bookings(self, *, scope: str | None, since: datetime) -> dict[date, int]:
        day = self._utc_day(_shipments.c.created_at).label("day")
        query = (
            select(day, func.count().label("parcels"))
            .where(_shipments.c.created_at >= since)
            .group_by(day)
        )
        if scope is not None:
            query = query.where(_shipments.c.merchant_id == scope)
        return {
            row.day if isinstance(row.day, date) else date.fromisoformat(row.day): int(row.parcels)
            for row in self.session.execute(query)
        }

    # -- promises kept ----------------------------------------------------------------------

    def punctuality(
        self, *, scope: str | None, since: datetime
    ) -> list[tuple[str, str, str, int, int]]:
        """(origin, destination, partner, on time, late) for booked parcels delivered since
        ``since``: one pass serves the lane and the partner breakdowns (the join to the
        shipments is the cost; the groups are few, the service adds them up)."""
        on_time = self._utc_day(_trackers.c.delivered_at) <= _shipments.c.promised_p90
        keys = (
            _shipments.c.origin_country,
            _shipments.c.destination_country,
            func.coalesce(_shipments.c.partner, UNASSIGNED).label("partner"),
        )
        query = (
            select(*keys, _count_if(on_time).label("on_time"), func.count().label("n"))
            .select_from(_trackers.join(_shipments, _shipments.c.id == _trackers.c.shipment_id))
            .where(
                # A delivery time is only ever set by a delivery, so no status test: the
                # window, the scope and the join key are all in ix_trackers_delivered.
                _trackers.c.delivered_at >= since,
                _shipments.c.promised_p90.is_not(None),
            )
            .group_by(*keys)
        )
        if scope is not None:
            query = query.where(_trackers.c.merchant_id == scope)
        return [
            (row.origin_country, row.destination_country, row.partner, int(row.on_time),
             int(row.n) - int(row.on_time))
            for row in self.session.execute(query)
        ]  # fmt: skip

    # -- exceptions -------------------------------------------------------------------------

    @staticmethod
    def _open_tracked(scope: str | None, window: AlertWindow) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = [
            _trackers.c.merchant_id.is_not(None),
            _trackers.c.status.in_(list(window.open_statuses)),
        ]
        if scope is not None:
            conditions.append(_trackers.c.merchant_id == scope)
        return conditions

    @staticmethod
    def _alert_conditions(window: AlertWindow) -> dict[str, ColumnElement[bool]]:
        silent = or_(
            *(
                and_(
                    _trackers.c.milestone.is_(None)
                    if milestone is None
                    else _trackers.c.milestone == milestone,
                    _trackers.c.last_event_at < before,
                )
                for milestone, before in window.silent_before.items()
            )
        )
        return {
            "exception": _trackers.c.status == "exception",
            "customs_hold": _trackers.c.reason.in_(list(window.customs_reasons)),
            "no_scan": silent,
            "late_against_promise": _shipments.c.promised_p90 < window.today,
        }

    def exception_counts(self, *, scope: str | None, window: AlertWindow) -> dict[str, int]:
        """Open tracked parcels by alert kind (a parcel with two alerts counts in both)."""
        kinds = self._alert_conditions(window)
        query = (
            select(*(_count_if(condition).label(kind) for kind, condition in kinds.items()))
            .select_from(
                _trackers.outerjoin(_shipments, _shipments.c.id == _trackers.c.shipment_id)
            )
            .where(*self._open_tracked(scope, window), or_(*kinds.values()))
        )
        row = self.session.execute(query).one()
        return {kind: int(getattr(row, kind)) for kind in kinds}

    def needing_action(self, *, scope: str | None, window: AlertWindow, limit: int) -> list[Any]:
        """Open trackers with any alert (the tracker's columns and ``promised_p90``), the
        longest silent first."""
        kinds = self._alert_conditions(window)
        query = (
            select(_trackers, _shipments.c.promised_p90)
            .select_from(
                _trackers.outerjoin(_shipments, _shipments.c.id == _trackers.c.shipment_id)
            )
            .where(*self._open_tracked(scope, window), or_(*kinds.values()))
            .order_by(_trackers.c.last_event_at, _trackers.c.id)
            .limit(limit)
        )
        return list(self.session.execute(query))

    # -- partner health ---------------------------------------------------------------------

    def event_partners(self) -> list[str]:
        """The partners with stored events, by a skip scan of the (partner, received_at)
        index: one seek per partner, not a read of every event (neither database skips)."""
        walk = (
            select(func.min(_events.c.partner).label("partner"))
            .cte("partners", recursive=True)
        )  # fmt: skip
        later = select(func.min(_events.c.partner)).where(_events.c.partner > walk.c.partner)
        walk = walk.union_all(select(later.scalar_subquery()).where(walk.c.partner.is_not(None)))
        query = select(walk.c.partner).where(walk.c.partner.is_not(None))
        return [row.partner for row in self.session.execute(query)]

    def partner_events(self, partner: str, *, since: datetime) -> tuple[datetime | None, int]:
        """The last event received from ``partner`` and how many arrived since ``since``."""
        last = select(func.max(_events.c.received_at)).where(_events.c.partner == partner)
        recent = select(func.count()).where(
            _events.c.partner == partner, _events.c.received_at >= since
        )
        query = select(last.scalar_subquery().label("last"), recent.scalar_subquery().label("n"))
        row = self.session.execute(query).one()
        last_at = row.last
        if isinstance(last_at, str):  # a scalar subquery skips the column type on SQLite
            last_at = datetime.fromisoformat(last_at)
        if last_at is not None and last_at.tzinfo is None:
            last_at = last_at.replace(tzinfo=UTC)
        return last_at, int(row.n)

    def advance_answers(self, *, since: datetime) -> dict[str, dict[str, int]]:
        """Advance-data submissions created since ``since``: partner → answer → count."""
        query = (
            select(_handover.c.partner, _handover.c.advance_status, func.count().label("n"))
            .where(_handover.c.created_at >= since)
            .group_by(_handover.c.partner, _handover.c.advance_status)
        )
        answers: dict[str, dict[str, int]] = {}
        for row in self.session.execute(query):
            answers.setdefault(row.partner, dict.fromkeys(AdvanceDataStatus.ALL, 0))
            answers[row.partner][row.advance_status] = int(row.n)
        return answers

    def unmapped_by_partner(self) -> dict[str, tuple[int, int]]:
        """partner → (distinct unmapped codes, events carrying them)."""
        query = select(
            _unmapped.c.partner, func.count().label("codes"),
            func.sum(_unmapped.c.event_count).label("events"),
        ).group_by(_unmapped.c.partner)  # fmt: skip
        return {
            row.partner: (int(row.codes), int(row.events or 0))
            for row in self.session.execute(query)
        }

    def open_jobs(self) -> list[tuple[str, int, int, int]]:
        """(kind, queued, queued again after a failure, dead) per kind of open or dead job:
        served by the (status, run_after) index, done jobs are never read."""
        status = _jobs.c.status
        query = (
            select(
                _jobs.c.kind,
                _count_if(status == JobStatus.QUEUED).label("queued"),
                _count_if(and_(status == JobStatus.QUEUED, _jobs.c.last_error.is_not(None))).label(
                    "retrying"
                ),
                _count_if(status == JobStatus.DEAD).label("dead"),
            )
            .where(status.in_([JobStatus.QUEUED, JobStatus.DEAD]))
            .group_by(_jobs.c.kind)
            .order_by(_jobs.c.kind)
        )
        return [
            (row.kind, int(row.queued), int(row.retrying), int(row.dead))
            for row in self.session.execute(query)
        ]
