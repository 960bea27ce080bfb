"""Ingest tracking events: the one use case every source feeds (the canonical endpoint, file
imports, later the partners' pull and push adapters).

Per chunk, in one unit of work: deduplicate by fingerprint (within the chunk and against the
store), append the new events, count unmapped codes, find the trackers of the touched numbers
(creating the booked shipment's tracker on its first event, or an untracked one so that no
event is lost), recompute each touched tracker once from all its stored events in event-time
order, move the booking's status, record ``tracker.*`` domain events, commit. So a chunk that
was acknowledged is durable with its states and events, and replaying it finds every
fingerprint stored and does nothing at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from postbridge.kit.clock import utc_now
from postbridge.kit.ids import new_ids
from postbridge.shipments.lifecycle import ShipmentStatus
from postbridge.storage.unit_of_work import Database, UnitOfWork
from postbridge.tracking.booking_link import TrackerSpan, booking_windows, shipment_status_for
from postbridge.tracking.codes import normalize_code
from postbridge.tracking.estimate_history import record_estimates
from postbridge.tracking.events import TrackerDelivered, TrackerException, TrackerUpdated
from postbridge.tracking.model import (
    ActionRequired,
    Milestone,
    Reason,
    TrackingEvent,
    TrackingState,
    TrackingStatus,
)
from postbridge.tracking.models import UNTRACKED_OWNER
from postbridge.tracking.normalize import fingerprint
from postbridge.tracking.repository import ShipmentLink, TrackingRepository
from postbridge.tracking.state import (
    BookingWindow,
    StoredFold,
    extend_state,
    recompute_state_of_distinct,
)

CHUNK_EVENTS = 5000
# The columns a recomputation writes, and those whose change is news for a merchant.
STATE_COLUMNS = (
    "status", "reason", "action", "milestone", "last_event_at", "delivered_at", "returned_at",
    "event_count", "unmapped_events", "excluded_events", "partner",
)  # fmt: skip
NEWS_COLUMNS = ("status", "reason", "action", "milestone", "last_event_at")


@dataclass(slots=True)
class IngestCounts:
    received: int = 0
    accepted: int = 0  # new events stored
    duplicates: int = 0  # already stored, or repeated within the input
    unmatched: int = 0  # new events no merchant's tracker takes (stored all the same)
    unmapped: int = 0  # new events whose code no table maps

    def add(self, other: IngestCounts) -> None:
        self.received += other.received
        self.accepted += other.accepted
        self.duplicates += other.duplicates
        self.unmatched += other.unmatched
        self.unmapped += other.unmapped


def ingest_chunks(
    *,
    database: Database,
    chunks: Iterable[Sequence[TrackingEvent]],
    on_chunk: Callable[[IngestCounts], None] | None = None,
) -> IngestCounts:
    """Ingest chunk after chunk, each committed on its own; totals of all of them."""
    total = IngestCounts()
    for chunk in chunks:
        counts = ingest_chunk(database=database, events=chunk)
        total.add(counts)
        if on_chunk is not None:
            on_chunk(counts)
    return total


def in_chunks(
    events: Sequence[TrackingEvent], size: int = CHUNK_EVENTS
) -> Iterable[Sequence[TrackingEvent]]:
    for start in range(0, len(events), size):
        yield events[start : start + size]


def ingest_chunk(
    *, database: Database, events: Sequence[TrackingEvent], now: datetime | None = None
) -> IngestCounts:
    return ingest_keyed_chunk(
        database=database, keyed=[(fingerprint(event), event) for event in events], now=now
    )


def ingest_keyed_chunk(
    *,
    database: Database,
    keyed: Sequence[tuple[str, TrackingEvent]],
    now: datetime | None = None,
) -> IngestCounts:
    """``ingest_chunk`` for events whose fingerprints are computed already (by the parsing
    workers of a file import)."""
    now = now or utc_now()
    unique: dict[str, TrackingEvent] = {}
    for key, event in keyed:
        unique.setdefault(key, event)
    with database.unit_of_work() as uow:
        repo = TrackingRepository(uow.session)
        new = repo.append_events(list(unique.items()), received_at=now)
        counts = IngestCounts(received=len(keyed), accepted=len(new))
        counts.duplicates = counts.received - counts.accepted
        if new:
            settle_new_events(uow, repo, new, counts, now=now)
        uow.commit()  # with nothing new too: committing keeps the staging table (PostgreSQL)
    return counts


def settle_new_events(
    uow: UnitOfWork,
    repo: TrackingRepository,
    new: Sequence[tuple[str, TrackingEvent]],
    counts: IngestCounts,
    *,
    now: datetime,
    stored_counts: Callable[[Sequence[str]], Mapping[str, int]] | None = None,
) -> None:
    """Everything a chunk's just-stored events move, in its unit of work: unmapped-code
    counts, trackers, states, bookings, domain events; adds to ``counts``. ``stored_counts``
    (events stored per number, these included) lets trackers fold only the new events."""
    unmapped = _unmapped_counts(event for _, event in new)
    repo.add_unmapped(unmapped, now=now)
    counts.unmapped += sum(count for _, count, _ in unmapped.values())
    numbers = sorted({event.tracking_number for _, event in new})
    links = repo.shipments_for_numbers(numbers)
    trackers = attach_trackers(repo, numbers, links, now=now)
    prior: dict[str, int] | None = None
    if stored_counts is not None:
        # Counted once the trackers are locked: a concurrent chunk's events are then either
        # committed with its states, or not visible yet.
        just_stored = Counter(event.tracking_number for _, event in new)
        numbers_of_trackers = sorted({n for t in trackers for n in _numbers(t)})
        stored = stored_counts(numbers_of_trackers)
        prior = {n: stored.get(n, 0) - just_stored.get(n, 0) for n in numbers_of_trackers}
    windows = refresh_trackers(
        uow, repo, trackers, shipment_statuses={s.shipment_id: s.status for s in links},
        now=now, known=dict(new), prior_counts=prior,
    )  # fmt: skip
    counts.unmatched += _count_unmatched([event for _, event in new], trackers, windows)


def attach_trackers(
    repo: TrackingRepository,
    numbers: Sequence[str],
    links: Sequence[ShipmentLink],
    *,
    now: datetime,
) -> list[Any]:
    """The trackers of ``numbers``, locked: booked shipments get theirs on their first event;
    numbers nobody tracks get an untracked one; an untracked one is dropped once the number
    has a real tracker (which reads the same stored events)."""
    repo.add_trackers([new_tracker_row(link=link, now=now) for link in links])
    trackers = repo.trackers_for_numbers(numbers, lock=True)
    covered = {n for t in trackers for n in (t.tracking_number, t.partner_tracking_number) if n}
    missing = [n for n in numbers if n not in covered]
    if missing:
        ids = new_ids("trk", len(missing))
        repo.add_trackers(
            [
                new_tracker_row(tracker_id=i, tracking_number=n, owner_key=UNTRACKED_OWNER, now=now)
                for i, n in zip(ids, missing, strict=True)
            ]
        )
        trackers = repo.trackers_for_numbers(numbers, lock=True)
    real_numbers = {
        n for t in trackers if t.merchant_id for n in (t.tracking_number, t.partner_tracking_number)
    }
    orphans = [t for t in trackers if not t.merchant_id and t.tracking_number in real_numbers]
    repo.delete_trackers([t.id for t in orphans])
    dropped = {t.id for t in orphans}
    return [t for t in trackers if t.id not in dropped]


def new_tracker_row(
    *,
    now: datetime,
    link: ShipmentLink | None = None,
    tracker_id: str | None = None,
    tracking_number: str | None = None,
    owner_key: str | None = None,
    merchant_id: str | None = None,
    carrier: str | None = None,
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": tracker_id or new_ids("trk", 1)[0],
        "tracking_number": tracking_number,
        "partner_tracking_number": None,
        "owner_key": owner_key,
        "merchant_id": merchant_id,
        "shipment_id": None,
        "carrier": carrier,
        "partner": None,
        "window_starts_at": None,
        "status": TrackingStatus.PENDING.value,
        "reason": None,
        "action": ActionRequired.NONE.value,
        "milestone": None,
        "last_event_at": None,
        "delivered_at": None,
        "returned_at": None,
        "event_count": 0,
        "unmapped_events": 0,
        "excluded_events": 0,
        "created_at": now,
        "updated_at": now,
    }
    if link is not None:
        row.update(
            tracking_number=link.tracking_number,
            partner_tracking_number=link.partner_tracking_number,
            owner_key=link.shipment_id,
            merchant_id=link.merchant_id,
            shipment_id=link.shipment_id,
            carrier="upu_post",  # postbridge numbers every parcel with an S10
            partner=link.partner.lower() if link.partner else None,
            window_starts_at=link.booked_at,
        )
    return row


def refresh_trackers(
    uow: UnitOfWork,
    repo: TrackingRepository,
    trackers: Sequence[Any],
    *,
    shipment_statuses: Mapping[str, str],
    now: datetime,
    known: Mapping[str, TrackingEvent] | None = None,
    prior_counts: Mapping[str, int] | None = None,
) -> dict[str, BookingWindow | None]:
    """Recompute each tracker from its stored events, write what changed, move the bookings
    and record the merchants' domain events; returns each tracker's booking window.
    ``known``: events just stored, by fingerprint, so their rows need not be decoded again.
    ``prior_counts``: events stored per number before ``known``; a tracker whose row covers
    exactly those (and that all of its ``known`` events come after) folds only its new ones."""
    spans = [TrackerSpan(t.id, _numbers(t), t.window_starts_at) for t in trackers]
    windows = booking_windows(spans)
    extended: dict[str, TrackingState] = {}
    if prior_counts is not None and known:
        extended = _extended_states(trackers, windows, known, prior_counts)
    events = repo.events_for_numbers(
        (n for t in trackers if t.id not in extended for n in _numbers(t)), known=known
    )
    updates: list[dict[str, Any]] = []
    bookings: dict[str, str] = {}
    recomputed: list[tuple[Any, TrackingState]] = []
    for tracker in trackers:
        state = extended.get(tracker.id) or recompute_state_of_distinct(
            [keyed for n in _numbers(tracker) for keyed in events.get(n, ())],
            window=windows[tracker.id],
        )
        values = state_columns(state, previous_partner=tracker.partner)
        if all(getattr(tracker, name) == values[name] for name in STATE_COLUMNS):
            continue
        updates.append({"tracker_id": tracker.id, **values, "updated_at": now})
        recomputed.append((tracker, state))
        if tracker.merchant_id and any(getattr(tracker, n) != values[n] for n in NEWS_COLUMNS):
            _record_news(uow, tracker, values, state)
        if tracker.shipment_id in shipment_statuses:
            current = ShipmentStatus(shipment_statuses[tracker.shipment_id])
            moved = shipment_status_for(state, current)
            if moved is not current:
                bookings[tracker.shipment_id] = moved.value
    repo.update_trackers(updates)
    repo.set_shipment_statuses(bookings, now=now)
    # An estimate moves only with the state, so unchanged trackers need no new one.
    record_estimates(uow.session, recomputed, now=now)
    return windows


def _extended_states(
    trackers: Sequence[Any],
    windows: Mapping[str, BookingWindow | None],
    known: Mapping[str, TrackingEvent],
    prior_counts: Mapping[str, int],
) -> dict[str, TrackingState]:
    """The states ``extend_state`` can give: trackers with no booking window and no booked
    shipment (whose estimates need every milestone's time), whose row counts every event
    stored before this chunk."""
    new_by_number: dict[str, list[tuple[str, TrackingEvent]]] = {}
    for key, event in known.items():
        new_by_number.setdefault(event.tracking_number, []).append((key, event))
    extended: dict[str, TrackingState] = {}
    for tracker in trackers:
        numbers = _numbers(tracker)
        if windows[tracker.id] is not None or tracker.shipment_id is not None:
            continue
        if tracker.event_count + tracker.excluded_events != sum(prior_counts[n] for n in numbers):
            continue
        state = extend_state(
            _stored_fold(tracker), [keyed for n in numbers for keyed in new_by_number.get(n, ())]
        )
        if state is not None:
            extended[tracker.id] = state
    return extended


def _stored_fold(tracker: Any) -> StoredFold:
    return StoredFold(
        status=TrackingStatus(tracker.status),
        reason=Reason(tracker.reason) if tracker.reason else None,
        action=ActionRequired(tracker.action),
        milestone=Milestone(tracker.milestone) if tracker.milestone else None,
        last_event_at=tracker.last_event_at,
        delivered_at=tracker.delivered_at,
        returned_at=tracker.returned_at,
        event_count=tracker.event_count,
        unmapped_event_count=tracker.unmapped_events,
        excluded_count=tracker.excluded_events,
    )


def state_columns(state: TrackingState, *, previous_partner: str | None) -> dict[str, Any]:
    last = state.last_event
    return {
        "status": state.status.value,
        "reason": state.reason.value if state.reason else None,
        "action": state.action.value,
        "milestone": state.milestone.value if state.milestone else None,
        "last_event_at": last.occurred_at if last else None,
        "delivered_at": state.delivered_at,
        "returned_at": state.returned_at,
        "event_count": state.event_count,
        "unmapped_events": state.unmapped_event_count,
        "excluded_events": state.excluded_count,
        "partner": last.partner if last else previous_partner,
    }


def _record_news(
    uow: UnitOfWork, tracker: Any, values: dict[str, Any], state: TrackingState
) -> None:
    common: dict[str, Any] = {
        "merchant_id": tracker.merchant_id,
        "tracker_id": tracker.id,
        "tracking_number": tracker.tracking_number,
        "shipment_id": tracker.shipment_id,
        **{name: values[name] for name in NEWS_COLUMNS},
    }
    uow.record(TrackerUpdated(**common))
    if state.status is TrackingStatus.DELIVERED and tracker.status != TrackingStatus.DELIVERED:
        uow.record(TrackerDelivered(**common, delivered_at=state.delivered_at))
    if state.status is TrackingStatus.EXCEPTION and tracker.status != TrackingStatus.EXCEPTION:
        uow.record(TrackerException(**common))


def _numbers(tracker: Any) -> tuple[str, ...]:
    partner_number = tracker.partner_tracking_number
    return (
        (tracker.tracking_number, partner_number) if partner_number else (tracker.tracking_number,)
    )


def _unmapped_counts(
    events: Iterable[TrackingEvent],
) -> dict[tuple[str, str], tuple[str, int, str]]:
    counts: dict[tuple[str, str], tuple[str, int, str]] = {}
    for event in events:
        if event.is_mapped:
            continue
        key = (event.partner, normalize_code(event.raw_code))
        scheme, count, example = counts.get(key, (event.code_scheme, 0, event.raw_text))
        counts[key] = (scheme, count + 1, example)
    return counts


def _count_unmatched(
    events: Sequence[TrackingEvent],
    trackers: Sequence[Any],
    windows: Mapping[str, BookingWindow | None],
) -> int:
    """New events that no merchant's tracker takes: numbers nobody tracks, and events outside
    every booking window of their number (an earlier parcel under a recycled number)."""
    takers: dict[str, list[BookingWindow | None]] = {}
    for tracker in trackers:
        if tracker.merchant_id:
            for number in _numbers(tracker):
                takers.setdefault(number, []).append(windows[tracker.id])
    unmatched = 0
    for event in events:
        windows_of_number = takers.get(event.tracking_number, [])
        if not any(w is None or w.contains(event.occurred_at) for w in windows_of_number):
            unmatched += 1
    return unmatched
