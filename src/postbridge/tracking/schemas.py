"""API shapes for tracking (pydantic), and the functions that fill them from the read side.

The canonical event items are not a pydantic model on the way in (``tracking.canonical``
checks them by hand for speed); ``CanonicalEventIn`` documents the shape in the OpenAPI
schema only.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field

from postbridge.identifiers.detection import CarrierCandidate
from postbridge.kit.schemas import Line, StrictModel
from postbridge.tracking.alerts import Alert
from postbridge.tracking.estimate_history import EstimateEntry
from postbridge.tracking.ingest import IngestCounts
from postbridge.tracking.model import TrackingEvent
from postbridge.tracking.models import UnmappedCode
from postbridge.tracking.reading import TrackerAlerts, TrackerRecord, TrackerView


class LocationIO(BaseModel):
    facility: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = Field(None, description="ISO 3166-1 alpha-2.")


class CanonicalEventIn(BaseModel):
    tracking_number: str = Field(max_length=40, examples=["LX123456785CN"])
    partner: str = Field(
        max_length=40, description="The partner's network code.", examples=["USPS"]
    )
    code: str = Field(max_length=40, description="The partner's own event code.", examples=["EMD"])
    description: str | None = Field(None, max_length=2000)
    occurred_at: str = Field(
        description="ISO 8601 with a UTC offset.", examples=["2026-05-01T08:00:00+08:00"]
    )
    location: LocationIO | None = None


class IngestResult(BaseModel):
    received: int
    accepted: int = Field(description="New events stored.")
    duplicates: int = Field(description="Events already stored, or repeated in the request.")
    unmatched: int = Field(description="New events no merchant tracks (stored and counted).")
    unmapped: int = Field(description="New events whose code no table maps (operators map them).")


class TrackerCreate(StrictModel):
    tracking_number: Annotated[Line, Field(min_length=1, max_length=60)]


class CandidateRead(BaseModel):
    carrier: str
    format: str
    confidence: str
    tracking_number: str


class TrackerEventRead(BaseModel):
    occurred_at: datetime
    occurred_zone: str
    partner: str
    code: str = Field(description="The partner's raw code.")
    description: str = Field(description="The partner's raw text.")
    status: str
    reason: str | None
    milestone: str | None
    mapped: bool
    location: LocationIO


class Promise(BaseModel):
    p50: date | None
    p90: date | None


class EstimateRead(BaseModel):
    p50: date
    p90: date
    source: str = Field(description="booking: the promise at booking; scan: after an event.")
    basis_milestone: str | None = Field(description="The milestone the estimate runs from.")
    basis_event_at: datetime | None
    computed_at: datetime


class TrackerSummary(BaseModel):
    id: str | None
    tracking_number: str
    partner_tracking_number: str | None
    shipment_id: str | None
    carrier: str | None
    partner: str | None
    status: str
    reason: str | None
    action: str
    milestone: str | None
    last_event_at: datetime | None
    delivered_at: datetime | None
    event_count: int
    unmapped_events: int
    updated_at: datetime


class TrackerRead(TrackerSummary):
    promise: Promise
    estimate: EstimateRead | None = Field(
        description="The current delivery estimate: the remaining route from the last milestone."
    )
    estimate_history: list[EstimateRead] = Field(description="Oldest first, the booking's first.")
    events: list[TrackerEventRead] = Field(description="Newest first.")


class TrackerCreated(TrackerRead):
    candidates: list[CandidateRead] = Field(
        description="Carrier formats the number fits, best first."
    )


class TrackerPage(BaseModel):
    items: list[TrackerSummary]
    next_cursor: str | None


class UnmappedCodeRead(BaseModel):
    partner: str
    code_scheme: str
    code: str
    event_count: int
    example_text: str
    first_seen_at: datetime
    last_seen_at: datetime


class UnmappedCodeList(BaseModel):
    items: list[UnmappedCodeRead]


class AlertRead(BaseModel):
    kind: str
    action: str = Field(description="Who must act: recipient, sender or operator.")
    detail: str


class ExceptionRead(TrackerSummary):
    merchant_id: str | None
    alerts: list[AlertRead]


class ExceptionPage(BaseModel):
    items: list[ExceptionRead]
    next_cursor: str | None


def ingest_result(counts: IngestCounts) -> IngestResult:
    return IngestResult(
        received=counts.received, accepted=counts.accepted, duplicates=counts.duplicates,
        unmatched=counts.unmatched, unmapped=counts.unmapped,
    )  # fmt: skip


def _summary_fields(tracker: TrackerRecord) -> dict[str, object]:
    return {name: getattr(tracker, name) for name in TrackerSummary.model_fields}


def tracker_summary(tracker: TrackerRecord) -> TrackerSummary:
    return TrackerSummary.model_validate(_summary_fields(tracker))


def event_read(event: TrackingEvent) -> TrackerEventRead:
    place = event.location
    return TrackerEventRead(
        occurred_at=event.occurred_at, occurred_zone=event.occurred_zone, partner=event.partner,
        code=event.raw_code, description=event.raw_text, status=event.status.value,
        reason=event.reason.value if event.reason else None,
        milestone=event.milestone.value if event.milestone else None, mapped=event.is_mapped,
        location=LocationIO(
            facility=place.facility, city=place.city, region=place.region,
            postal_code=place.postal_code, country=place.country,
        ),
    )  # fmt: skip


def estimate_read(entry: EstimateEntry) -> EstimateRead:
    return EstimateRead(
        p50=entry.p50, p90=entry.p90, source=entry.source, basis_milestone=entry.basis_milestone,
        basis_event_at=entry.basis_event_at, computed_at=entry.computed_at,
    )  # fmt: skip


def tracker_read(view: TrackerView) -> TrackerRead:
    history = [estimate_read(entry) for entry in view.estimates]
    return TrackerRead(
        **_summary_fields(view.tracker),
        promise=Promise(p50=view.promised_p50, p90=view.promised_p90),
        estimate=history[-1] if history else None,
        estimate_history=history,
        events=[event_read(event) for event in view.events],
    )


def tracker_created(view: TrackerView, candidates: tuple[CarrierCandidate, ...]) -> TrackerCreated:
    return TrackerCreated(
        **tracker_read(view).model_dump(),
        candidates=[
            CandidateRead(
                carrier=c.carrier.value, format=c.format.value, confidence=c.confidence.value,
                tracking_number=c.tracking_number,
            )
            for c in candidates
        ],
    )  # fmt: skip


def unmapped_read(row: UnmappedCode) -> UnmappedCodeRead:
    return UnmappedCodeRead.model_validate(row, from_attributes=True)


def alert_read(alert: Alert) -> AlertRead:
    return AlertRead(kind=alert.kind.value, action=alert.action.value, detail=alert.detail)


def exception_read(item: TrackerAlerts) -> ExceptionRead:
    return ExceptionRead(
        **_summary_fields(item.tracker),
        merchant_id=item.tracker.merchant_id,
        alerts=[alert_read(alert) for alert in item.alerts],
    )
