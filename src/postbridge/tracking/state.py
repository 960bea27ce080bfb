"""Recompute a parcel's tracking state from its events, ordered by event time.

Events arrive late, twice and out of order, so the state is never patched event by event in
arrival order. ``recompute_state`` takes every event stored for a tracking number, in any
order and with duplicates, and gives the same state for the same set of events.

Steps:

1. **Deduplicate** by ``normalize.fingerprint``. Copies that share a fingerprint (the same
   scan resent, perhaps with other seconds or wording) collapse to one representative, the
   smallest by a total order over all fields, so the choice does not depend on arrival order.
2. **Keep the parcel's events.** Partners recycle numbers, so a ``BookingWindow`` bounds the
   events of this parcel: nothing before the booking (less a small allowance for clock skew
   between partners and us) and nothing from ``closes_at`` on (when the same number was
   booked again). Excluded events are counted, not silently dropped.
3. **Sort by event time**. Partners often stamp to the minute, so an out-for-delivery scan
   and the delivery can share a timestamp: events at the same instant are ordered by
   lifecycle stage (the later stage counts as later), then by fingerprint, so the order is
   total.
4. **Fold** the sorted events with these precedence rules:

   - *Open* (nothing terminal yet): the latest event sets status, reason and action. An
     ``exception`` is not terminal: a later movement scan clears it. An unmapped code makes
     the status ``unknown`` with the operator to act, rather than keeping the previous status,
     because the code may mean anything, delivery included; its (scheme, code) is listed in
     ``unmapped_codes`` either way.
   - *Delivered* is terminal for the forward journey: later in-transit, out-for-delivery,
     attempt, exception or unknown events do not change it (late uploads and stray scans are
     common). Only a return can follow a delivery: a ``returning_to_sender`` or
     ``returned_to_sender`` event dated after the delivery is real (refused after the fact,
     delivered to the wrong door and taken back), so the status moves to the return while
     ``delivered_at`` keeps the delivery.
   - *Returning to sender*: the status stays ``returning_to_sender`` through the return leg;
     the events' reasons and actions still show (a customs hold on the way back). A
     ``delivered`` event during a return is the return reaching the sender, because posts
     deliver a returned item back under the same number with the same final-delivery code;
     it becomes ``returned_to_sender``, not ``delivered``.
   - *Returned to sender* is terminal: nothing changes it.
   - *Cancelled* is terminal for paperwork: later manifest or unknown events do not reopen it,
     but a physical scan (an event with a milestone) does, because a parcel that moves was
     shipped whatever the label said, and hiding its scans would hide a real parcel.

   Milestones come only from the outbound journey: events applied while open, and the
   delivery. Return-leg events and ignored events add none, so the furthest milestone never
   moves backwards as later events are folded in.

``expire_if_silent`` turns a non-terminal state whose last event is older than a silence limit
into ``expired`` (AfterShip and TrackingMore stop tracking after 30 days, postal after 60);
any later event reopens it, since expiry is derived from the clock and not stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from postbridge.tracking.model import (
    ActionRequired,
    Milestone,
    MilestoneReached,
    Reason,
    TrackingEvent,
    TrackingState,
    TrackingStatus,
)
from postbridge.tracking.normalize import fingerprint

# Partners stamp events with their clocks, we stamp bookings with ours; an hour covers clock
# skew and the time our manifest takes to reach a partner, while recycled numbers come back
# months apart.
DEFAULT_CLOCK_SKEW = timedelta(hours=1)

TERMINAL_STATUSES = frozenset(
    {TrackingStatus.DELIVERED, TrackingStatus.RETURNED_TO_SENDER, TrackingStatus.CANCELLED}
)
RETURN_STATUSES = frozenset({TrackingStatus.RETURNING_TO_SENDER, TrackingStatus.RETURNED_TO_SENDER})

# Order of events stamped with the same instant: the later lifecycle stage counts as later.
_SAME_INSTANT_ORDER = {
    status: rank
    for rank, status in enumerate(
        (
            TrackingStatus.PENDING,
            TrackingStatus.INFO_RECEIVED,
            TrackingStatus.UNKNOWN,
            TrackingStatus.IN_TRANSIT,
            TrackingStatus.EXCEPTION,
            TrackingStatus.OUT_FOR_DELIVERY,
            TrackingStatus.DELIVERY_ATTEMPTED,
            TrackingStatus.AVAILABLE_FOR_PICKUP,
            TrackingStatus.EXPIRED,
            TrackingStatus.CANCELLED,
            TrackingStatus.DELIVERED,
            TrackingStatus.RETURNING_TO_SENDER,
            TrackingStatus.RETURNED_TO_SENDER,
        )
    )
}


@dataclass(frozen=True, slots=True)
class BookingWindow:
    """When events can belong to this parcel: from its booking until the number is reused."""

    booked_at: datetime
    closes_at: datetime | None = None
    clock_skew: timedelta = DEFAULT_CLOCK_SKEW

    def contains(self, moment: datetime) -> bool:
        if moment < self.booked_at - self.clock_skew:
            return False
        return self.closes_at is None or moment < self.closes_at


@dataclass(frozen=True, slots=True)
class Deduplicated:
    events: tuple[TrackingEvent, ...]  # one per fingerprint, in event-time order
    duplicate_count: int


def deduplicate(events: Iterable[TrackingEvent]) -> Deduplicated:
    """One event per fingerprint, sorted by event time; how many copies were dropped."""
    chosen: dict[str, TrackingEvent] = {}
    total = 0
    for event in events:
        total += 1
        key = fingerprint(event)
        current = chosen.get(key)
        if current is None or _representative_key(event) < _representative_key(current):
            chosen[key] = event
    ordered = sorted(chosen.items(), key=lambda item: _time_order_key(item[1], item[0]))
    return Deduplicated(tuple(event for _, event in ordered), total - len(chosen))


def recompute_state(
    events: Iterable[TrackingEvent], *, window: BookingWindow | None = None
) -> TrackingState:
    """The state of one parcel from all its events (rules in the module docstring)."""
    return _fold_distinct(deduplicate(events).events, window)


def recompute_state_of_distinct(
    keyed_events: Iterable[tuple[str, TrackingEvent]], *, window: BookingWindow | None = None
) -> TrackingState:
    """``recompute_state`` for events already deduplicated, given with their fingerprints (the
    event store's rows): the same result without hashing every event again."""
    ordered = sorted(keyed_events, key=lambda item: _time_order_key(item[1], item[0]))
    return _fold_distinct(tuple(event for _, event in ordered), window)


def _fold_distinct(
    distinct: tuple[TrackingEvent, ...], window: BookingWindow | None
) -> TrackingState:
    parcel_events = [e for e in distinct if window is None or window.contains(e.occurred_at)]
    fold = _Fold()
    for event in parcel_events:
        fold.apply(event)
    unmapped = sorted({(e.code_scheme, e.raw_code) for e in parcel_events if not e.is_mapped})
    return TrackingState(
        status=fold.status,
        reason=fold.reason,
        action=fold.action,
        milestone=max(fold.reached, key=lambda m: m.rank) if fold.reached else None,
        milestones=tuple(
            MilestoneReached(m, fold.reached[m]) for m in sorted(fold.reached, key=_rank)
        ),
        last_event=parcel_events[-1] if parcel_events else None,
        delivered_at=fold.delivered_at,
        returned_at=fold.returned_at,
        event_count=len(parcel_events),
        excluded_count=len(distinct) - len(parcel_events),
        unmapped_codes=tuple(unmapped),
        unmapped_event_count=sum(1 for e in parcel_events if not e.is_mapped),
    )


@dataclass(frozen=True, slots=True)
class StoredFold:
    """What a tracker row keeps of the fold of its events: enough to fold later events onto
    it, except the time each earlier milestone was first reached (rows keep the furthest)."""

    status: TrackingStatus
    reason: Reason | None
    action: ActionRequired
    milestone: Milestone | None
    last_event_at: datetime | None
    delivered_at: datetime | None
    returned_at: datetime | None
    event_count: int
    unmapped_event_count: int
    excluded_count: int


def extend_state(
    stored: StoredFold, keyed_events: Iterable[tuple[str, TrackingEvent]]
) -> TrackingState | None:
    """The state of the stored events plus ``keyed_events`` (new, distinct, no booking
    window), folding only the new ones; None when that would not equal a recomputation from
    all the events, and the caller must recompute: an event not strictly after the stored
    last one (it sorts among them), or a return leg (the fold's return reason is not stored).

    ``milestones`` and ``unmapped_codes`` then hold only what the new events add.
    """
    ordered = sorted(keyed_events, key=lambda item: _time_order_key(item[1], item[0]))
    if not ordered or stored.status in RETURN_STATUSES:
        return None
    if stored.last_event_at is not None and ordered[0][1].occurred_at <= stored.last_event_at:
        return None
    fold = _Fold(stored.status, stored.reason, stored.action, stored.delivered_at,
                 stored.returned_at)  # fmt: skip
    for _, event in ordered:
        fold.apply(event)
    furthest = [m for m in (stored.milestone, *fold.reached) if m is not None]
    new_events = [event for _, event in ordered]
    return TrackingState(
        status=fold.status,
        reason=fold.reason,
        action=fold.action,
        milestone=max(furthest, key=_rank) if furthest else None,
        milestones=tuple(
            MilestoneReached(m, fold.reached[m]) for m in sorted(fold.reached, key=_rank)
        ),
        last_event=new_events[-1],
        delivered_at=fold.delivered_at,
        returned_at=fold.returned_at,
        event_count=stored.event_count + len(new_events),
        excluded_count=stored.excluded_count,
        unmapped_codes=tuple(
            sorted({(e.code_scheme, e.raw_code) for e in new_events if not e.is_mapped})
        ),
        unmapped_event_count=stored.unmapped_event_count
        + sum(1 for e in new_events if not e.is_mapped),
    )


def expire_if_silent(
    state: TrackingState, *, now: datetime, max_silence: timedelta
) -> TrackingState:
    """``expired`` when nothing terminal happened and the last event is older than the limit."""
    if state.status in TERMINAL_STATUSES or state.last_event is None:
        return state
    if now - state.last_event.occurred_at <= max_silence:
        return state
    # A parcel we booked that goes silent is a case for operations (trace, claim).
    return replace(
        state, status=TrackingStatus.EXPIRED, reason=None, action=ActionRequired.OPERATOR
    )


@dataclass(slots=True)
class _Fold:
    status: TrackingStatus = TrackingStatus.PENDING
    reason: Reason | None = None
    action: ActionRequired = ActionRequired.NONE
    delivered_at: datetime | None = None
    returned_at: datetime | None = None
    return_reason: Reason | None = None
    reached: dict[Milestone, datetime] = field(default_factory=dict)

    def apply(self, event: TrackingEvent) -> None:
        if self.status is TrackingStatus.RETURNED_TO_SENDER:
            return
        if self.status is TrackingStatus.DELIVERED:
            if event.status in RETURN_STATUSES:
                self._take(event)
            return
        if self.status is TrackingStatus.RETURNING_TO_SENDER:
            self._apply_on_return_leg(event)
            return
        if self.status is TrackingStatus.CANCELLED and (
            event.milestone is None or not event.is_mapped
        ):
            return
        self._take(event)
        if event.status not in RETURN_STATUSES and event.milestone is not None:
            self.reached.setdefault(event.milestone, event.occurred_at)

    def _take(self, event: TrackingEvent) -> None:
        self.status, self.reason, self.action = event.status, event.reason, event.action
        if event.status is TrackingStatus.DELIVERED and self.delivered_at is None:
            self.delivered_at = event.occurred_at
        if event.status in RETURN_STATUSES:
            self.return_reason = event.reason
        if event.status is TrackingStatus.RETURNED_TO_SENDER:
            self.returned_at = event.occurred_at

    def _apply_on_return_leg(self, event: TrackingEvent) -> None:
        if event.status in (TrackingStatus.DELIVERED, TrackingStatus.RETURNED_TO_SENDER):
            self.status = TrackingStatus.RETURNED_TO_SENDER
            self.reason = self.return_reason
            self.action = ActionRequired.SENDER  # the merchant decides what happens to it now
            self.returned_at = event.occurred_at
            return
        if not event.is_mapped:
            return
        # A hold on the way back shows while it lasts; otherwise the reason for the return.
        self.reason = event.reason or self.return_reason
        self.action = event.action


# ``Milestone.rank`` looks its member up in a tuple; the sort key of every event reads it.
_MILESTONE_RANK = {milestone: milestone.rank for milestone in Milestone}


def _rank(milestone: Milestone) -> int:
    return _MILESTONE_RANK[milestone]


def _time_order_key(event: TrackingEvent, key: str) -> tuple[datetime, int, int, str]:
    milestone_rank = -1 if event.milestone is None else _MILESTONE_RANK[event.milestone]
    return (event.occurred_at, _SAME_INSTANT_ORDER[event.status], milestone_rank, key)


def _representative_key(event: TrackingEvent) -> tuple[str, ...]:
    """A total order over every field, so the kept copy of a duplicate is always the same."""
    return (
        event.occurred_at.isoformat(),
        event.raw_text,
        event.raw_code,
        event.occurred_zone,
        event.code_scheme,
        event.status,
        event.reason or "",
        event.milestone or "",
        event.action,
        str(event.is_mapped),
        repr(event.location),
    )
