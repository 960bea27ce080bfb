"""Read trackers: one with its timeline, pages of them, unmapped codes, exceptions, and the
public page's view. Merchant-scoped unless the caller is an operator (``merchant_id`` None);
another merchant's tracker is "not found", like one that does not exist."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from postbridge.errors import InvalidInput, NotFound
from postbridge.kit.text import storable
from postbridge.storage.unit_of_work import Database
from postbridge.tracking.alerts import Alert, SilenceLimits, TrackerSnapshot, alerts_for
from postbridge.tracking.booking_link import TrackerSpan, booking_windows
from postbridge.tracking.estimate_history import EstimateEntry
from postbridge.tracking.model import (
    ActionRequired,
    Milestone,
    Reason,
    TrackingEvent,
    TrackingStatus,
)
from postbridge.tracking.models import UnmappedCode
from postbridge.tracking.normalize import normalize_tracking_number
from postbridge.tracking.read_repository import TrackerReader
from postbridge.tracking.repository import ShipmentLink, TrackingRepository
from postbridge.tracking.state import TERMINAL_STATUSES


@dataclass(frozen=True, slots=True)
class TrackerRecord:
    id: str | None  # None: a booked parcel with no event yet (no tracker stored)
    tracking_number: str
    partner_tracking_number: str | None
    merchant_id: str | None
    shipment_id: str | None
    carrier: str | None
    partner: str | None
    window_starts_at: datetime | None
    status: str
    reason: str | None
    action: str
    milestone: str | None
    last_event_at: datetime | None
    delivered_at: datetime | None
    returned_at: datetime | None
    event_count: int
    unmapped_events: int
    excluded_events: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: Any) -> TrackerRecord:
        return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})

    @classmethod
    def pending(cls, link: ShipmentLink) -> TrackerRecord:
        return cls(
            id=None, tracking_number=link.tracking_number,
            partner_tracking_number=link.partner_tracking_number, merchant_id=link.merchant_id,
            shipment_id=link.shipment_id, carrier="upu_post",
            partner=link.partner.lower() if link.partner else None,
            window_starts_at=link.booked_at, status=TrackingStatus.PENDING.value, reason=None,
            action=ActionRequired.NONE.value, milestone=None, last_event_at=None,
            delivered_at=None, returned_at=None, event_count=0, unmapped_events=0,
            excluded_events=0, created_at=link.booked_at, updated_at=link.booked_at,
        )  # fmt: skip

    def snapshot(self, *, promised_p90: date | None = None) -> TrackerSnapshot:
        return TrackerSnapshot(
            status=TrackingStatus(self.status),
            reason=Reason(self.reason) if self.reason else None,
            action=ActionRequired(self.action),
            milestone=Milestone(self.milestone) if self.milestone else None,
            last_event_at=self.last_event_at,
            promised_p90=promised_p90,
        )


@dataclass(frozen=True, slots=True)
class TrackerView:
    tracker: TrackerRecord
    events: tuple[TrackingEvent, ...]  # newest first
    promised_p50: date | None
    promised_p90: date | None
    estimates: tuple[EstimateEntry, ...] = ()  # oldest first; the last is the current one


@dataclass(frozen=True, slots=True)
class TrackerListing:
    items: list[TrackerRecord]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class TrackerAlerts:
    tracker: TrackerRecord
    alerts: list[Alert]


def get_tracker(
    *, database: Database, tracking_number: str, merchant_id: str | None
) -> TrackerView:
    number = normalize_tracking_number(tracking_number)
    view = _view(database, number, merchant_id=merchant_id) if storable(number) else None
    if view is None:
        raise NotFound(f"no tracker for {number} among your trackers")
    return view


def public_view(*, database: Database, tracking_number: str) -> TrackerView | None:
    """The view behind the public page: the booked parcel's tracker first, then one a
    merchant tracks; numbers nobody tracks have no page (their events are operators' data)."""
    number = normalize_tracking_number(tracking_number)
    if not storable(number):
        return None
    return _view(database, number, merchant_id=None, tracked_only=True)


def _view(
    database: Database, number: str, *, merchant_id: str | None, tracked_only: bool = False
) -> TrackerView | None:
    """Two queries, three for a booked parcel (``tracking.read_repository`` says which), on
    the autocommit read pool: each is one snapshot, and the trackers' rows say which events
    and estimates to read."""
    with database.reading() as connection:
        reader = TrackerReader(connection)
        rows = reader.trackers_of_number(number)
        row = _chosen(rows, number, merchant_id=merchant_id, tracked_only=tracked_only)
        if row is None:
            links = reader.shipments_of_number(number)
            link = next((s for s in links if merchant_id in (None, s.merchant_id)), None)
            if link is None:
                return None
            return TrackerView(
                TrackerRecord.pending(link), (), link.promised_p50, link.promised_p90
            )
        tracker = TrackerRecord.of(row)
        numbers = _numbers(tracker)
        stored = reader.events_of_numbers(numbers)
        # Only booked trackers are given estimates (estimate_history.record_estimates).
        estimates = reader.estimates_of_tracker(row.id) if tracker.shipment_id else []
    siblings = [r for r in rows if set(_numbers(r)) & set(numbers)]
    window = booking_windows(
        [TrackerSpan(t.id, _numbers(t), t.window_starts_at) for t in siblings]
    ).get(row.id)
    history = [event for n in numbers for event in stored.get(n, ())]
    kept = [e for e in history if window is None or window.contains(e.occurred_at)]
    kept.sort(key=lambda e: e.occurred_at, reverse=True)
    return TrackerView(tracker, tuple(kept), row.promised_p50, row.promised_p90, tuple(estimates))


def _chosen(
    rows: Sequence[Any], number: str, *, merchant_id: str | None, tracked_only: bool
) -> Any | None:
    """The caller's tracker of ``number`` among ``rows`` (its trackers and their siblings):
    an operator (``merchant_id`` None) gets the booked one first, then a tracked one, then
    the untracked one (unless ``tracked_only``)."""
    mine = [
        r
        for r in rows
        if number in (r.tracking_number, r.partner_tracking_number)
        and _visible(r, merchant_id=merchant_id, tracked_only=tracked_only)
    ]
    mine.sort(key=lambda r: (r.shipment_id is None, r.merchant_id is None, r.id))
    return mine[0] if mine else None


def _visible(row: Any, *, merchant_id: str | None, tracked_only: bool) -> bool:
    if merchant_id is not None:
        return bool(row.merchant_id == merchant_id)
    return not tracked_only or row.merchant_id is not None


def list_trackers(
    *,
    database: Database,
    merchant_id: str | None,
    status: str | None = None,
    partner: str | None = None,
    updated_since: datetime | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> TrackerListing:
    after = decode_cursor(cursor) if cursor else None
    with database.unit_of_work() as uow:
        rows = TrackingRepository(uow.session).page(
            merchant_id=merchant_id, status=status, partner=partner.lower() if partner else None,
            updated_since=updated_since, after=after, limit=limit + 1,
        )  # fmt: skip
    items = [TrackerRecord.of(row) for row in rows[:limit]]
    more = len(rows) > limit and items
    return TrackerListing(
        items, encode_cursor(f"{items[-1].updated_at.isoformat()}|{items[-1].id}") if more else None
    )


def list_unmapped_codes(*, database: Database, limit: int = 200) -> list[UnmappedCode]:
    with database.unit_of_work() as uow:
        return TrackingRepository(uow.session).unmapped_codes(limit=limit)


def list_exceptions(
    *,
    database: Database,
    now: datetime,
    limits: SilenceLimits,
    kinds: Sequence[str] = (),
    cursor: str | None = None,
    limit: int = 100,
) -> tuple[list[TrackerAlerts], str | None]:
    """Trackers that need someone, with the alerts and who must act; ``kinds`` filters."""
    after = decode_cursor(cursor)[1] if cursor else None
    found: list[TrackerAlerts] = []
    with database.unit_of_work() as uow:
        repo = TrackingRepository(uow.session)
        while len(found) < limit:
            rows = repo.exception_candidates(
                statuses=[TrackingStatus.EXCEPTION.value],
                reasons=[Reason.CUSTOMS_HOLD.value, Reason.EXPORT_HOLD.value],
                silent_before=now - limits.shortest,
                terminal=[s.value for s in TERMINAL_STATUSES],
                after=after, limit=limit, promised_before=now.date(),
            )  # fmt: skip
            promises = repo.promises([row.shipment_id for row in rows if row.shipment_id])
            for row in rows:
                tracker = TrackerRecord.of(row)
                p90 = promises.get(row.shipment_id or "", (None, None))[1]
                snapshot = tracker.snapshot(promised_p90=p90)
                alerts = alerts_for(snapshot, now=now, limits=limits)
                alerts = [a for a in alerts if not kinds or a.kind in kinds]
                if alerts:
                    found.append(TrackerAlerts(tracker, alerts))
            if len(rows) < limit:
                return found[:limit], None
            after = rows[-1].id
    last = found[limit - 1].tracker
    return found[:limit], encode_cursor(f"{last.updated_at.isoformat()}|{last.id}")


def encode_cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        moment, key = base64.urlsafe_b64decode(padded).decode().split("|", 1)
        return datetime.fromisoformat(moment), key
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput.for_field("cursor", "not a cursor this API returned") from exc


def _numbers(tracker: Any) -> tuple[str, ...]:
    second = tracker.partner_tracking_number
    return (tracker.tracking_number, second) if second else (tracker.tracking_number,)
