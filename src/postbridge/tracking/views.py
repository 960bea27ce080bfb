"""A tracker read rendered straight to JSON bytes (issue 13), as the shipments' read model is
(``shipments.views``): building and validating the ``TrackerRead`` pydantic model of a
tracker with its events cost more than its queries. The documents here have
``schemas.TrackerRead``'s fields in its order and the values it would write, so the bytes are
the same (tests/integration/test_tracker_reads.py and tests/e2e/test_tracker_read_path.py
compare them on real trackers); the route keeps ``TrackerRead`` as its declared response
model for the OpenAPI schema.
"""

from __future__ import annotations

from typing import Any

import orjson

from postbridge.tracking.estimate_history import EstimateEntry
from postbridge.tracking.model import TrackingEvent
from postbridge.tracking.reading import TrackerRecord, TrackerView

# pydantic writes a UTC time with "Z"; orjson's default is "+00:00".
JSON_OPTIONS = orjson.OPT_UTC_Z


def tracker_json(view: TrackerView) -> dict[str, Any]:
    """``schemas.tracker_read(view)`` as plain values, ready for ``dumps``."""
    history = [estimate_json(entry) for entry in view.estimates]
    return {
        **summary_json(view.tracker),
        "promise": {"p50": view.promised_p50, "p90": view.promised_p90},
        "estimate": history[-1] if history else None,
        "estimate_history": history,
        "events": [event_json(event) for event in view.events],
    }


def summary_json(tracker: TrackerRecord) -> dict[str, Any]:
    """``schemas.TrackerSummary``'s fields, in its order."""
    return {
        "id": tracker.id,
        "tracking_number": tracker.tracking_number,
        "partner_tracking_number": tracker.partner_tracking_number,
        "shipment_id": tracker.shipment_id,
        "carrier": tracker.carrier,
        "partner": tracker.partner,
        "status": tracker.status,
        "reason": tracker.reason,
        "action": tracker.action,
        "milestone": tracker.milestone,
        "last_event_at": tracker.last_event_at,
        "delivered_at": tracker.delivered_at,
        "event_count": tracker.event_count,
        "unmapped_events": tracker.unmapped_events,
        "updated_at": tracker.updated_at,
    }


def event_json(event: TrackingEvent) -> dict[str, Any]:
    place = event.location
    return {
        "occurred_at": event.occurred_at,
        "occurred_zone": event.occurred_zone,
        "partner": event.partner,
        "code": event.raw_code,
        "description": event.raw_text,
        "status": event.status.value,
        "reason": event.reason.value if event.reason else None,
        "milestone": event.milestone.value if event.milestone else None,
        "mapped": event.is_mapped,
        "location": {
            "facility": place.facility,
            "city": place.city,
            "region": place.region,
            "postal_code": place.postal_code,
            "country": place.country,
        },
    }


def estimate_json(entry: EstimateEntry) -> dict[str, Any]:
    return {
        "p50": entry.p50,
        "p90": entry.p90,
        "source": entry.source,
        "basis_milestone": entry.basis_milestone,
        "basis_event_at": entry.basis_event_at,
        "computed_at": entry.computed_at,
    }


def dumps(document: Any) -> bytes:
    """JSON as FastAPI's pydantic serialisation writes the same values."""
    return orjson.dumps(document, option=JSON_OPTIONS)
