"""Use cases of reporting: the dashboard's figures for one merchant (or every merchant, for an
operator) and the health of each partner. Read only: nothing here commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from postbridge.handover.models import AdvanceDataStatus
from postbridge.reporting.models import (
    ActionItem,
    CountryVolume,
    DailyCount,
    Dashboard,
    ExceptionCounts,
    PartnerHealth,
    PromiseTally,
    Punctuality,
    QueueDepth,
    StatusCount,
    Windows,
)
from postbridge.reporting.repository import AlertWindow, ReportingRepository
from postbridge.storage.unit_of_work import Database
from postbridge.tracking.alerts import DEFAULT_SILENCE_DAYS, SilenceLimits, alerts_for
from postbridge.tracking.model import ActionRequired, Reason, TrackingStatus
from postbridge.tracking.reading import TrackerRecord
from postbridge.tracking.state import TERMINAL_STATUSES

PUNCTUALITY_DAYS = 30
ACTION_ITEMS = 10  # the longest silent; the shipments page lists the rest
TOP_DESTINATIONS = 12
RECENT_EVENTS = timedelta(hours=24)
ADVANCE_DATA_DAYS = 30
_OPEN = [status.value for status in TrackingStatus if status not in TERMINAL_STATUSES]
_CUSTOMS = [Reason.CUSTOMS_HOLD.value, Reason.EXPORT_HOLD.value]
# Who must act first when a parcel has several alerts: the people outside come first, since
# operations can only chase them.
_ACTING_ORDER = (ActionRequired.RECIPIENT, ActionRequired.SENDER, ActionRequired.OPERATOR)


def windows_at(now: datetime) -> Windows:
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return Windows(
        now=now,
        today=today,
        week=today - timedelta(days=today.weekday()),
        month=now - timedelta(days=PUNCTUALITY_DAYS),
    )


def _silent_before(now: datetime, limits: SilenceLimits) -> dict[str | None, datetime]:
    return {
        (milestone.value if milestone else None): now - limits.limit(milestone)
        for milestone in DEFAULT_SILENCE_DAYS
    }


def dashboard(
    *, database: Database, scope: str | None, now: datetime, limits: SilenceLimits
) -> Dashboard:
    """The dashboard's figures; ``scope`` a merchant id, None for every merchant."""
    windows = windows_at(now)
    window = AlertWindow(
        open_statuses=_OPEN, customs_reasons=_CUSTOMS,
        silent_before=_silent_before(now, limits), today=now.date(),
    )  # fmt: skip
    with database.unit_of_work() as uow:
        repo = ReportingRepository(uow.session)
        statuses = repo.status_counts(scope=scope, today=windows.today, week=windows.week)
        counts = repo.exception_counts(scope=scope, window=window)
        # Operators have the exceptions page; a merchant's own few are listed here.
        rows = (
            []
            if scope is None
            else repo.needing_action(scope=scope, window=window, limit=ACTION_ITEMS)
        )
        delivered = repo.punctuality(scope=scope, since=windows.month)
        destinations = repo.destination_volumes(
            scope=scope, since=windows.month, limit=TOP_DESTINATIONS
        )
        daily = repo.daily_bookings(scope=scope, since=windows.month)
    exceptions = ExceptionCounts(**counts)
    return Dashboard(
        windows=windows,
        statuses=[StatusCount(status, today, week) for status, today, week in statuses],
        exceptions=exceptions,
        action_items=[_action_item(row, now=now, limits=limits) for row in rows],
        by_lane=_tally(
            (f"{origin} → {destination}", on, late)
            for origin, destination, _, on, late in delivered
        ),
        by_partner=_tally((partner, on, late) for _, _, partner, on, late in delivered),
        destinations=[CountryVolume(country, n) for country, n in destinations],
        daily=[
            DailyCount(day, daily.get(day, 0))
            for day in (
                windows.month.date() + timedelta(days=offset)
                for offset in range((now.date() - windows.month.date()).days + 1)
            )
        ],
        promises=PromiseTally(
            kept=sum(on for *_, on, _late in delivered),
            missed=sum(late for *_, late in delivered),
            overdue=exceptions.late_against_promise,
        ),
    )


def _tally(rows: Iterable[tuple[str, int, int]]) -> list[Punctuality]:
    """(label, on time, late) rows added up per label, in label order."""
    totals: dict[str, tuple[int, int]] = {}
    for label, on_time, late in rows:
        before = totals.get(label, (0, 0))
        totals[label] = (before[0] + on_time, before[1] + late)
    return [Punctuality(label, *totals[label]) for label in sorted(totals)]


def _action_item(row: object, *, now: datetime, limits: SilenceLimits) -> ActionItem:
    tracker = TrackerRecord.of(row)
    alerts = alerts_for(
        tracker.snapshot(promised_p90=getattr(row, "promised_p90", None)), now=now, limits=limits
    )
    acting = next(
        (who for who in _ACTING_ORDER if any(alert.action is who for alert in alerts)),
        ActionRequired.OPERATOR,
    )
    return ActionItem(
        shipment_id=tracker.shipment_id,
        tracking_number=tracker.tracking_number,
        status=tracker.status,
        alerts=tuple(f"{alert.kind.value}: {alert.detail}" for alert in alerts),
        acting=acting.value,
    )


def partner_health(
    *, database: Database, now: datetime
) -> tuple[list[PartnerHealth], list[QueueDepth]]:
    """Each partner heard from, sent advance data or with unmapped codes; the open job queues."""
    with database.unit_of_work() as uow:
        repo = ReportingRepository(uow.session)
        heard = {
            partner.lower(): repo.partner_events(partner, since=now - RECENT_EVENTS)
            for partner in repo.event_partners()
        }
        # Bookings name a partner as the network does ("USPS"), feeds as they sign ("usps").
        answers = {
            partner.lower(): counts
            for partner, counts in repo.advance_answers(
                since=now - timedelta(days=ADVANCE_DATA_DAYS)
            ).items()
        }
        unmapped = {partner.lower(): n for partner, n in repo.unmapped_by_partner().items()}
        queues = repo.open_jobs()
    health = []
    for partner in sorted(set(heard) | set(answers) | set(unmapped)):
        last_at, recent = heard.get(partner, (None, 0))
        answered = answers.get(partner, {})
        codes, events = unmapped.get(partner, (0, 0))
        health.append(
            PartnerHealth(
                partner=partner,
                last_event_received_at=last_at,
                events_last_24h=recent,
                advance_pending=answered.get(AdvanceDataStatus.PENDING, 0),
                advance_accepted=answered.get(AdvanceDataStatus.ACCEPTED, 0),
                advance_held=answered.get(AdvanceDataStatus.HELD, 0),
                unmapped_codes=codes,
                unmapped_events=events,
            )
        )
    return health, [QueueDepth(kind, q, r, d) for kind, q, r, d in queues]
