"""USPS tracking payloads, field for field as USPS spells them.

Sources: ``tracking-v3r2.yaml`` (Package Tracking and Notification 3.2.2: the batch
``POST /tracking/v3r2/tracking``) and the v3 single-number ``GET
/tracking/v3/tracking/{trackingNumber}?expand=DETAIL`` as recorded in
``shared/fixtures/usps/usps_tracking_response.json``. The two generations spell a few fields
differently (``eventZIPCode`` / ``eventZIP``, ``originZIPCode`` / ``originZIP``); both
spellings are declared, marked "v3 GET", so one model reads either response.

These are TypedDicts, not classes: the request side costs nothing at run time beyond the dict
USPS receives, and the response side is validated in one pass by pydantic-core (``TypeAdapter``
below), which drops undeclared keys. ``typing_extensions.TypedDict`` because pydantic needs it
on Python 3.11.
"""

from __future__ import annotations

from typing import NotRequired

from pydantic import TypeAdapter
from typing_extensions import TypedDict

MAX_NUMBERS_PER_REQUEST = 35  # TrackingRequest: maxItems 35


class TrackingRequestBody(TypedDict):
    """One entry of the batch request (``TrackingRequestBody``, additionalProperties false)."""

    trackingNumber: str  # 4 to 34 alphanumeric characters
    mailingDate: NotRequired[str]  # YYYY-MM-DD, disambiguates a reused tracking number
    destinationZIPCode: NotRequired[str]  # 5 digits


class TrackingEvent(TypedDict, total=False):
    eventType: str | None  # the event's text, e.g. "Out for Delivery"
    eventCode: str | None  # Pub 199 Appendix G scan event code, e.g. "OF"
    eventTimestamp: str | None  # local wall-clock time (or a date, or a time with offset)
    GMTTimestamp: str | None
    GMTOffset: str | None
    eventCity: str | None
    eventState: str | None
    eventZIPCode: str | None
    eventZIP: str | None  # v3 GET
    eventCountry: str | None
    eventPartner: str | None
    firm: str | None
    recipientName: str | None
    name: str | None  # v3 GET: who signed
    authorizedAgent: bool | None  # v3 GET
    actionCode: str | None
    reasonCode: str | None
    CODAmountDue: str | None
    veriPoint: bool | None


class DeliveryDateExpectation(TypedDict, total=False):
    expectedDeliveryDate: str | None
    predictedDeliveryDate: str | None
    guaranteedDeliveryDate: str | None
    predictedDeliveryWindowStartTime: str | None
    predictedDeliveryWindowEndTime: str | None
    endOfDay: str | None


class ErrorDetail(TypedDict, total=False):
    status: str | None
    code: str | None
    title: str | None
    detail: str | None


class ErrorBody(TypedDict, total=False):
    code: str | None
    message: str | None
    errors: list[ErrorDetail] | None


class TrackingDetail(TypedDict, total=False):
    """``TrackingDetail`` (SharedTrackingDetail + expectations + events) and the v3 GET body."""

    trackingNumber: str
    associatedTrackingNumber: str | None
    uniqueTrackingID: str | None
    mailClass: str | None
    mailClassCode: str | None
    mailType: str | None
    mailingDate: str | None
    serviceTypeCode: str | None
    services: list[str] | None
    status: str | None
    statusCategory: str | None
    statusSummary: str | None
    originCity: str | None
    originState: str | None
    originZIPCode: str | None
    originZIP: str | None  # v3 GET
    originCountry: str | None
    destinationCity: str | None
    destinationState: str | None
    destinationZIPCode: str | None
    destinationZIP: str | None  # v3 GET
    destinationCountry: str | None
    expectedDeliveryTimeStamp: str | None  # v3 GET
    deliveryDateExpectation: DeliveryDateExpectation | None
    trackingEvents: list[TrackingEvent] | None


class MultiStatusEntry(TrackingDetail, total=False):
    """One entry of a 200 or 207 batch answer: ``oneOf`` SuccessResponse (a TrackingDetail with
    ``statusCode`` "200") or FailureResponse (``statusCode``, ``trackingNumber`` and an
    ErrorMessage). One flat shape for both: pydantic-core then validates each entry once
    instead of trying both branches; ``error`` tells them apart."""

    statusCode: str | None
    apiVersion: str | None
    error: ErrorBody | None


class TrackingErrorMessage(TypedDict, total=False):
    """``ErrorMessage``: the body of a 4xx answer to the single-number GET."""

    apiVersion: str | None
    error: ErrorBody | None


BATCH_RESPONSE: TypeAdapter[list[MultiStatusEntry]] = TypeAdapter(list[MultiStatusEntry])
DETAIL_RESPONSE: TypeAdapter[TrackingDetail] = TypeAdapter(TrackingDetail)
ERROR_RESPONSE: TypeAdapter[TrackingErrorMessage] = TypeAdapter(TrackingErrorMessage)
