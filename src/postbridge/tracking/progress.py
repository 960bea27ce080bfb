"""The four-stage progress of the public page, pure: accepted at origin, departed origin, in
the destination country, delivered (the stages buyers of cross-border parcels ask for:
tracking-and-eta.md §5, "progress visualization")."""

from __future__ import annotations

from enum import StrEnum

from postbridge.tracking.model import Milestone, TrackingStatus


class Stage(StrEnum):
    ACCEPTED = "accepted"
    DEPARTED_ORIGIN = "departed_origin"
    IN_DESTINATION = "in_destination"
    DELIVERED = "delivered"


_REACHED_BY = {
    Stage.ACCEPTED: Milestone.ACCEPTED_AT_ORIGIN,
    Stage.DEPARTED_ORIGIN: Milestone.DEPARTED_ORIGIN_COUNTRY,
    Stage.IN_DESTINATION: Milestone.ARRIVED_DESTINATION_COUNTRY,
    Stage.DELIVERED: Milestone.DELIVERED,
}


def progress_stages(
    milestone: Milestone | None, status: TrackingStatus
) -> tuple[tuple[Stage, bool], ...]:
    """Each stage and whether the parcel reached it. A delivery reaches every stage even when
    a partner skipped scans on the way; a later milestone implies the earlier ones."""
    if status is TrackingStatus.DELIVERED:
        return tuple((stage, True) for stage in Stage)
    rank = -1 if milestone is None else milestone.rank
    return tuple((stage, rank >= _REACHED_BY[stage].rank) for stage in Stage)
