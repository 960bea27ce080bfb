"""Exceptions for operators, derived from a tracker's state and the clock, pure: they are not
statuses (tracking-and-eta.md; issue 13 §3).

- ``exception``: the status is exception; whoever the event names must act.
- ``customs_hold``: import or export customs holds the parcel (the status may still say in
  transit); the event's party acts, or operations chase the broker when it names nobody.
- ``no_scan``: nothing heard for longer than the parcel's current milestone allows; operations
  chase the partner. Each stage has its own limit, because four silent days are normal on a
  sea leg between origin and destination and alarming at the delivery office.
- ``late_against_promise``: the day is past the p90 date promised at booking and the parcel
  is not delivered; operations tell the merchant before the recipient complains.

Delivered, returned and cancelled parcels raise nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from postbridge.tracking.model import ActionRequired, Milestone, Reason, TrackingStatus
from postbridge.tracking.state import TERMINAL_STATUSES

# Days without a scan before a parcel counts as stuck, by the milestone it last reached
# (None: not accepted at origin yet). Defaults from the demo network's legs: origin handling
# within a day, linehaul with consolidation up to a week, customs a few working days.
DEFAULT_SILENCE_DAYS: dict[Milestone | None, int] = {
    None: 3,
    Milestone.ACCEPTED_AT_ORIGIN: 3,
    Milestone.DEPARTED_ORIGIN_COUNTRY: 7,
    Milestone.ARRIVED_DESTINATION_COUNTRY: 4,
    Milestone.CUSTOMS: 5,
    Milestone.WITH_LAST_MILE: 4,
}
CUSTOMS_REASONS = frozenset({Reason.CUSTOMS_HOLD, Reason.EXPORT_HOLD})


class AlertKind(StrEnum):
    EXCEPTION = "exception"
    CUSTOMS_HOLD = "customs_hold"
    NO_SCAN = "no_scan"
    LATE_AGAINST_PROMISE = "late_against_promise"


@dataclass(frozen=True, slots=True)
class SilenceLimits:
    days: Mapping[Milestone | None, int] = field(default_factory=lambda: DEFAULT_SILENCE_DAYS)

    def limit(self, milestone: Milestone | None) -> timedelta:
        return timedelta(days=self.days.get(milestone, DEFAULT_SILENCE_DAYS[milestone]))

    @property
    def shortest(self) -> timedelta:
        return min(self.limit(m) for m in DEFAULT_SILENCE_DAYS)

    @classmethod
    def from_names(cls, days: Mapping[str, int]) -> SilenceLimits:
        """From ``{"customs": 5, "none": 3}`` (configuration); unknown names are an error."""
        parsed: dict[Milestone | None, int] = dict(DEFAULT_SILENCE_DAYS)
        for name, value in days.items():
            parsed[None if name == "none" else Milestone(name)] = int(value)
        return cls(parsed)


@dataclass(frozen=True, slots=True)
class TrackerSnapshot:
    status: TrackingStatus
    reason: Reason | None
    action: ActionRequired
    milestone: Milestone | None
    last_event_at: datetime | None
    promised_p90: date | None = None  # the booking's p90 delivery date; None: not booked


@dataclass(frozen=True, slots=True)
class Alert:
    kind: AlertKind
    action: ActionRequired  # who must act
    detail: str


def alerts_for(snapshot: TrackerSnapshot, *, now: datetime, limits: SilenceLimits) -> list[Alert]:
    if snapshot.status in TERMINAL_STATUSES:
        return []
    alerts = []
    if snapshot.status is TrackingStatus.EXCEPTION:
        reason = snapshot.reason.value if snapshot.reason else "unspecified"
        alerts.append(Alert(AlertKind.EXCEPTION, _acting(snapshot.action), f"reason: {reason}"))
    if snapshot.reason in CUSTOMS_REASONS:
        alerts.append(
            Alert(AlertKind.CUSTOMS_HOLD, _acting(snapshot.action), f"{snapshot.reason} at customs")
        )
    if snapshot.last_event_at is not None:
        silent = now - snapshot.last_event_at
        limit = limits.limit(snapshot.milestone)
        if silent > limit:
            stage = snapshot.milestone.value if snapshot.milestone else "before acceptance"
            alerts.append(
                Alert(
                    AlertKind.NO_SCAN,
                    ActionRequired.OPERATOR,
                    f"no scan for {silent.days} days ({stage} allows {limit.days})",
                )
            )
    if snapshot.promised_p90 is not None and now.date() > snapshot.promised_p90:
        # The tracker does not keep the recipient's zone: a UTC day errs late by under a day.
        alerts.append(
            Alert(
                AlertKind.LATE_AGAINST_PROMISE,
                ActionRequired.OPERATOR,
                f"promised by {snapshot.promised_p90.isoformat()} (p90), not delivered",
            )
        )
    return alerts


def _acting(action: ActionRequired) -> ActionRequired:
    # An event that names nobody still needs someone: operations follow it up.
    return ActionRequired.OPERATOR if action is ActionRequired.NONE else action
