"""Tracking: one status model for every partner's events (issue 13), as a pure core.

- ``model``: statuses, reasons, who must act, milestones, ``TrackingEvent``, ``TrackingState``
- ``codes``: partner code tables (``data/code_tables/*.csv``) and ``map_event``
- ``normalize``: event times to UTC plus zone, canonical locations, the dedup fingerprint
- ``state``: the parcel state recomputed from its events in event-time order
- ``canonical``, ``booking_link``, ``alerts``, ``progress``, ``partners``: the canonical event
  format, recycled numbers and booking statuses, operator alerts, the page's four stages

The names exported here are that pure core (no database, HTTP or clock; the only I/O is
reading the packaged code tables). The storage side imports by module: ``models`` and
``repository`` (event store, trackers, unmapped codes), ``ingest`` and ``imports`` (the one
ingestion use case and its request and file front ends), ``trackers`` and ``reading``.
"""

from postbridge.tracking.codes import CodeRow, code_schemes, load_code_table, map_event
from postbridge.tracking.errors import InvalidEventTime
from postbridge.tracking.model import (
    ActionRequired,
    Location,
    MappedCode,
    Milestone,
    MilestoneReached,
    Reason,
    TrackingEvent,
    TrackingState,
    TrackingStatus,
)
from postbridge.tracking.normalize import (
    LocalTimeIssue,
    LocalTimePolicy,
    NormalizedTime,
    build_event,
    fingerprint,
    parse_event_time,
)
from postbridge.tracking.state import (
    BookingWindow,
    deduplicate,
    expire_if_silent,
    recompute_state,
)

__all__ = [
    "ActionRequired",
    "BookingWindow",
    "CodeRow",
    "InvalidEventTime",
    "LocalTimeIssue",
    "LocalTimePolicy",
    "Location",
    "MappedCode",
    "Milestone",
    "MilestoneReached",
    "NormalizedTime",
    "Reason",
    "TrackingEvent",
    "TrackingState",
    "TrackingStatus",
    "build_event",
    "code_schemes",
    "deduplicate",
    "expire_if_silent",
    "fingerprint",
    "load_code_table",
    "map_event",
    "parse_event_time",
    "recompute_state",
]
