"""How a tracker relates to a booking, pure: which events are the booked parcel's, and which
booking status a tracking state moves the shipment to.

Recycled numbers: a partner reuses a number once its previous parcel is long gone, so events
for one number can belong to several parcels. A booked tracker takes the events from its
booking on (``BookingWindow``, with the clock-skew allowance) until the next booking of the
same number; trackers of numbers we did not book take every event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from postbridge.shipments.lifecycle import ShipmentStatus
from postbridge.tracking.model import Milestone, TrackingState, TrackingStatus
from postbridge.tracking.state import BookingWindow


@dataclass(frozen=True, slots=True)
class TrackerSpan:
    tracker_id: str
    numbers: tuple[str, ...]  # the tracking number and the partner's, if any
    starts_at: datetime | None  # the booking time; None: not booked with us


def booking_windows(spans: Sequence[TrackerSpan]) -> dict[str, BookingWindow | None]:
    """Each tracker's window: booked ones close when a later booking shares one of their
    numbers; unbooked ones have none (every event counts)."""
    booked = sorted((s for s in spans if s.starts_at is not None), key=_start)
    windows: dict[str, BookingWindow | None] = {s.tracker_id: None for s in spans}
    for position, span in enumerate(booked):
        assert span.starts_at is not None
        closes_at = None
        for later in booked[position + 1 :]:
            if set(later.numbers) & set(span.numbers) and later.starts_at != span.starts_at:
                closes_at = later.starts_at
                break
        windows[span.tracker_id] = BookingWindow(booked_at=span.starts_at, closes_at=closes_at)
    return windows


def _start(span: TrackerSpan) -> datetime:
    assert span.starts_at is not None
    return span.starts_at


# Tracking statuses that say where the booked parcel is; the others (pending, info received,
# unknown, expired, cancelled) say nothing about the booking and leave it as it is.
_SHIPMENT_STATUS = {
    TrackingStatus.IN_TRANSIT: ShipmentStatus.IN_TRANSIT,
    TrackingStatus.AVAILABLE_FOR_PICKUP: ShipmentStatus.IN_TRANSIT,
    TrackingStatus.DELIVERY_ATTEMPTED: ShipmentStatus.OUT_FOR_DELIVERY,
    TrackingStatus.OUT_FOR_DELIVERY: ShipmentStatus.OUT_FOR_DELIVERY,
    TrackingStatus.DELIVERED: ShipmentStatus.DELIVERED,
    TrackingStatus.EXCEPTION: ShipmentStatus.EXCEPTION,
    TrackingStatus.RETURNING_TO_SENDER: ShipmentStatus.EXCEPTION,
    TrackingStatus.RETURNED_TO_SENDER: ShipmentStatus.RETURNED,
}


def shipment_status_for(state: TrackingState, current: ShipmentStatus) -> ShipmentStatus:
    """The booking status after this tracking state. The tracking state is already ordered by
    event time (a late scan does not undo a delivery), so the booking simply follows it; a
    cancelled booking stays cancelled: scans of a cancelled parcel are for operators to look
    at in the tracker, not a reason to reopen the booking; a held one stays held until a scan
    shows it left the origin country."""
    if current is ShipmentStatus.CANCELLED:
        return current
    if current is ShipmentStatus.HELD and (
        state.milestone is None or state.milestone.rank < Milestone.DEPARTED_ORIGIN_COUNTRY.rank
    ):
        # Held at origin for its advance data: origin scans do not release it; only a scan
        # showing it left the country does (then it flew, whatever the hold said).
        return current
    return _SHIPMENT_STATUS.get(state.status, current)
