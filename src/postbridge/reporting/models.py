"""The figures the dashboard and the partner health page show, as typed values (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class Windows:
    """The UTC instants the figures count from: today, this ISO week (Monday), 30 days."""

    now: datetime
    today: datetime
    week: datetime
    month: datetime


@dataclass(frozen=True, slots=True)
class StatusCount:
    status: str
    today: int  # booked since midnight UTC, by current status
    week: int  # booked since Monday midnight UTC, by current status


@dataclass(frozen=True, slots=True)
class Punctuality:
    """Parcels delivered in the window against the p90 date promised at booking."""

    label: str  # a lane "FR → US" or a partner name
    on_time: int
    late: int

    @property
    def delivered(self) -> int:
        return self.on_time + self.late

    @property
    def rate_percent(self) -> float:
        return round(100 * self.on_time / self.delivered, 1) if self.delivered else 0.0


@dataclass(frozen=True, slots=True)
class CountryVolume:
    country: str
    parcels: int


@dataclass(frozen=True, slots=True)
class DailyCount:
    day: date  # UTC
    parcels: int


@dataclass(frozen=True, slots=True)
class ExceptionCounts:
    """Open (non-terminal) tracked parcels by alert kind; one parcel may count in several."""

    exception: int
    customs_hold: int
    no_scan: int
    late_against_promise: int

    def by_kind(self) -> list[tuple[str, int]]:
        return [
            ("exception", self.exception),
            ("customs_hold", self.customs_hold),
            ("no_scan", self.no_scan),
            ("late_against_promise", self.late_against_promise),
        ]


@dataclass(frozen=True, slots=True)
class ActionItem:
    """One of a merchant's parcels needing someone, with what is wrong and who must act."""

    shipment_id: str | None
    tracking_number: str
    status: str
    alerts: tuple[str, ...]  # "kind: detail"
    acting: str  # who must act first: recipient, sender or operator


@dataclass(frozen=True, slots=True)
class PromiseTally:
    kept: int  # delivered by the p90 date, in the window
    missed: int  # delivered after it, in the window
    overdue: int  # open parcels already past it


@dataclass(frozen=True, slots=True)
class Dashboard:
    windows: Windows
    statuses: list[StatusCount]
    exceptions: ExceptionCounts
    action_items: list[ActionItem]  # a merchant's; empty for operators (they have a page)
    by_lane: list[Punctuality]
    by_partner: list[Punctuality]
    destinations: list[CountryVolume]  # booked in the 30-day window, most first
    daily: list[DailyCount]  # bookings per UTC day of the 30-day window, oldest first
    promises: PromiseTally


@dataclass(frozen=True, slots=True)
class PartnerHealth:
    partner: str
    last_event_received_at: datetime | None
    events_last_24h: int
    advance_pending: int  # advance-data submissions of the last 30 days, by answer
    advance_accepted: int
    advance_held: int
    unmapped_codes: int
    unmapped_events: int

    @property
    def advance_answered(self) -> int:
        return self.advance_accepted + self.advance_held

    @property
    def rejection_percent(self) -> float | None:
        """Held of answered; None before any answer."""
        if not self.advance_answered:
            return None
        return round(100 * self.advance_held / self.advance_answered, 1)


@dataclass(frozen=True, slots=True)
class QueueDepth:
    """Open jobs of one kind: waiting, waiting again after a failed call, and dead."""

    kind: str
    queued: int
    retrying: int
    dead: int
