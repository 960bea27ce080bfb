"""Track a number postbridge did not book (``POST /v1/trackers``): carrier detection ranks the
formats the number fits, the tracker is stored for the merchant and its state computed at
once from the events already stored for the number (they may have arrived before anyone
tracked it: the untracked tracker that held them is handed over)."""

from __future__ import annotations

from dataclasses import dataclass

from postbridge.errors import InvalidInput
from postbridge.identifiers.detection import CarrierCandidate, detect_carriers
from postbridge.kit.clock import utc_now
from postbridge.storage.unit_of_work import Database
from postbridge.tracking.ingest import attach_trackers, new_tracker_row, refresh_trackers
from postbridge.tracking.normalize import normalize_tracking_number
from postbridge.tracking.reading import TrackerView, get_tracker
from postbridge.tracking.repository import TrackingRepository


@dataclass(frozen=True, slots=True)
class TrackedNumber:
    view: TrackerView
    candidates: tuple[CarrierCandidate, ...]
    created: bool


def track_number(*, database: Database, merchant_id: str, tracking_number: str) -> TrackedNumber:
    """Start tracking ``tracking_number`` for the merchant (idempotent: tracking it again
    answers the existing tracker); a number postbridge booked for this merchant answers the
    booked parcel's tracker.

    Raises:
        InvalidInput: the number fits no known carrier format.
    """
    compact = normalize_tracking_number(tracking_number)
    candidates = detect_carriers(compact)
    if not candidates:
        raise InvalidInput.for_field(
            "tracking_number",
            "fits no known carrier format (S10, USPS, UPS, FedEx, DHL)",
            code="unrecognized_tracking_number",
        )
    number = candidates[0].tracking_number  # routing prefixes removed: what the carrier scans
    now = utc_now()
    with database.unit_of_work() as uow:
        repo = TrackingRepository(uow.session)
        links = repo.shipments_for_numbers([number])
        own = [link for link in links if link.merchant_id == merchant_id]
        existing = repo.tracker(number, merchant_id=merchant_id)
        created = existing is None
        if created and not own:
            repo.add_trackers(
                [
                    new_tracker_row(
                        tracking_number=number, owner_key=merchant_id, merchant_id=merchant_id,
                        carrier=candidates[0].carrier.value, now=now,
                    )
                ]
            )  # fmt: skip
        trackers = attach_trackers(repo, [number], links, now=now)
        refresh_trackers(
            uow, repo, trackers, shipment_statuses={s.shipment_id: s.status for s in links}, now=now
        )
        uow.commit()
    view = get_tracker(database=database, tracking_number=number, merchant_id=merchant_id)
    return TrackedNumber(view=view, candidates=candidates, created=created)
