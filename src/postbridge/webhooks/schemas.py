"""Pydantic API shapes: endpoints, attempts, events, and the notification bodies documented in
the OpenAPI ``webhooks`` section (one model per event type, the ``data`` each carries)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StrictBool, StrictInt

from postbridge.kit.schemas import Line, StrictModel

EventTypeName = Annotated[Line, Field(max_length=60)]


class EndpointCreate(StrictModel):
    url: Annotated[Line, Field(max_length=2000, description="https:// (http:// to a loopback host in development).")]  # fmt: skip
    event_types: Annotated[list[EventTypeName], Field(max_length=20, description="Event types to receive.")]  # fmt: skip
    description: Annotated[Line | None, Field(max_length=200)] = None


class EndpointUpdate(StrictModel):
    url: Annotated[Line | None, Field(max_length=2000)] = None
    event_types: Annotated[list[EventTypeName] | None, Field(max_length=20)] = None
    description: Annotated[Line | None, Field(max_length=200)] = None
    enabled: StrictBool | None = Field(
        default=None, description="true re-enables a disabled endpoint."
    )


class SecretRotation(StrictModel):
    overlap_seconds: StrictInt = Field(
        default=86_400, ge=0, le=604_800, description="How long the old secret keeps signing."
    )


class ReplayRequest(StrictModel):
    since: datetime
    until: datetime


class RedeliverRequest(StrictModel):
    endpoint_id: Annotated[Line | None, Field(max_length=40)] = None


class EndpointRead(BaseModel):
    id: str
    url: str
    description: str | None
    event_types: list[str]
    enabled: bool
    disabled_at: datetime | None
    disabled_reason: str | None = Field(description="Why the endpoint was disabled, if it was.")
    failing_since: datetime | None = Field(description="First failure since the last success.")
    previous_secret_expires_at: datetime | None = Field(
        description="Until then the previous secret signs too (after a rotation)."
    )
    created_at: datetime
    updated_at: datetime


class EndpointWithSecret(EndpointRead):
    secret: str = Field(description="`whsec_...`: shown once, keep it to verify signatures.")


class EndpointList(BaseModel):
    items: list[EndpointRead]


class AttemptRead(BaseModel):
    id: str
    delivery_id: str
    event_id: str
    attempt: int
    attempted_at: datetime
    succeeded: bool
    status_code: int | None
    latency_ms: int
    error: str | None
    response_excerpt: str | None = Field(description="At most 1 KiB of the receiver's answer.")


class AttemptPage(BaseModel):
    items: list[AttemptRead]
    next_cursor: str | None


class EventObject(BaseModel):
    """What a webhook carries and the events API lists."""

    id: str = Field(description="`evt_...`, also the `webhook-id` header: deduplicate on it.")
    type: str
    schema_version: int
    created_at: datetime
    data: dict[str, Any]


class EventPage(BaseModel):
    items: list[EventObject]
    next_cursor: str | None


class QueuedDeliveryRead(BaseModel):
    delivery_id: str
    endpoint_id: str


class RedeliveryRead(BaseModel):
    event_id: str
    deliveries: list[QueuedDeliveryRead]


class ReplayRead(BaseModel):
    job_id: str = Field(description="The worker's job that queues the window's deliveries.")


# --- notification bodies, per event type (OpenAPI webhooks) --------------------------------


class ShipmentData(BaseModel):
    merchant_id: str
    shipment_id: str
    tracking_number: str
    destination_country: str


class ShipmentBookedData(ShipmentData):
    reference: str
    service: str
    batch_id: str | None
    batch_row: int | None


class AdvanceDataAcceptedData(ShipmentData):
    partner: str


class HoldReason(BaseModel):
    code: str
    field: str
    message: str


class ShipmentHeldData(ShipmentData):
    partner: str
    checked_by: str = Field(description="`partner` (the post refused) or `platform` (its rules).")
    reasons: list[HoldReason]


class BatchCompletedData(BaseModel):
    merchant_id: str
    batch_id: str
    rows_booked: int
    rows_failed: int


class BatchFailedData(BaseModel):
    merchant_id: str
    batch_id: str
    error: str


class TrackerData(BaseModel):
    merchant_id: str
    tracker_id: str
    tracking_number: str
    shipment_id: str | None
    status: str
    reason: str | None
    action: str
    milestone: str | None
    last_event_at: datetime | None


class TrackerDeliveredData(TrackerData):
    delivered_at: datetime | None


class EndpointDisabledData(BaseModel):
    merchant_id: str
    endpoint_id: str
    url: str
    reason: str


class _Notification(BaseModel):
    id: str = Field(description="`evt_...`, the same as the `webhook-id` header.")
    schema_version: int = 1
    created_at: datetime


def _notification(name: str, event_type: str, data: type[BaseModel]) -> type[BaseModel]:
    fields: dict[str, Any] = {
        "__annotations__": {"type": Literal[event_type], "data": data},
        "__doc__": f"The body of a `{event_type}` webhook.",
    }
    return type(name, (_Notification,), fields)


NOTIFICATIONS: dict[str, type[BaseModel]] = {
    "shipment.booked": _notification("ShipmentBookedNotification", "shipment.booked", ShipmentBookedData),
    "shipment.label_created": _notification("LabelCreatedNotification", "shipment.label_created", ShipmentData),
    "shipment.cancelled": _notification("ShipmentCancelledNotification", "shipment.cancelled", ShipmentData),
    "shipment.advance_data_accepted": _notification("AdvanceDataAcceptedNotification", "shipment.advance_data_accepted", AdvanceDataAcceptedData),
    "shipment.held": _notification("ShipmentHeldNotification", "shipment.held", ShipmentHeldData),
    "batch.completed": _notification("BatchCompletedNotification", "batch.completed", BatchCompletedData),
    "batch.failed": _notification("BatchFailedNotification", "batch.failed", BatchFailedData),
    "tracker.updated": _notification("TrackerUpdatedNotification", "tracker.updated", TrackerData),
    "tracker.delivered": _notification("TrackerDeliveredNotification", "tracker.delivered", TrackerDeliveredData),
    "tracker.exception": _notification("TrackerExceptionNotification", "tracker.exception", TrackerData),
    "webhook_endpoint.disabled": _notification("EndpointDisabledNotification", "webhook_endpoint.disabled", EndpointDisabledData),
}  # fmt: skip
