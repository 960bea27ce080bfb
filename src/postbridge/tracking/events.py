"""What happens to a tracker, as domain events for notifications (see kit.events).

Recorded once per tracker and chunk whose state changed, never per scan: a chunk that brings
five scans of one parcel announces its new state once. Trackers nobody tracks (no merchant)
announce nothing, since there is nobody to tell.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from postbridge.kit.events import DomainEvent


@dataclass(frozen=True, kw_only=True, slots=True)
class TrackerEvent(DomainEvent):
    aggregate: ClassVar[str] = "tracker"

    tracker_id: str
    tracking_number: str
    shipment_id: str | None
    status: str
    reason: str | None
    action: str
    milestone: str | None
    last_event_at: datetime | None

    @property
    def aggregate_id(self) -> str:
        return self.tracker_id


@dataclass(frozen=True, kw_only=True, slots=True)
class TrackerUpdated(TrackerEvent):
    """The tracker's status, reason, action, milestone or last event changed."""

    type: ClassVar[str] = "tracker.updated"


@dataclass(frozen=True, kw_only=True, slots=True)
class TrackerDelivered(TrackerEvent):
    """The status became ``delivered`` (announced once, not again for later stray scans)."""

    type: ClassVar[str] = "tracker.delivered"

    delivered_at: datetime | None


@dataclass(frozen=True, kw_only=True, slots=True)
class TrackerException(TrackerEvent):
    """The status became ``exception``: someone (``action``) has to act."""

    type: ClassVar[str] = "tracker.exception"
