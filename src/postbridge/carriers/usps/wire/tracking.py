"""USPS tracking: batch request bodies, and responses turned into plain typed raw events.

The events stay raw on purpose: ``event_code`` is USPS's own code (Pub 199 Appendix G), which
the tracking code table maps to a canonical status. Nothing here guesses a status from text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from pydantic import ValidationError

from postbridge.carriers.usps.wire.errors import UspsPayloadInvalid
from postbridge.carriers.usps.wire.event_time import resolve_event_time
from postbridge.carriers.usps.wire.tracking_models import (
    BATCH_RESPONSE,
    DETAIL_RESPONSE,
    ERROR_RESPONSE,
    MAX_NUMBERS_PER_REQUEST,
    TrackingDetail,
    TrackingErrorMessage,
    TrackingRequestBody,
)
from postbridge.errors import InvalidInput

# Codes for entries that carry no events, besides the HTTP-like statusCode USPS gives.
NO_EVENTS_FOR_ITEM = "no_events"
EVENT_TIME_UNKNOWN = "event_time_unknown"


@dataclass(frozen=True, slots=True)
class TrackingQuery:
    tracking_number: str
    mailing_date: date | None = None  # both only to tell apart a reused number
    destination_zip: str | None = None


@dataclass(frozen=True, slots=True)
class RawTrackingEvent:
    tracking_number: str
    event_code: str | None  # USPS scan event code ("OF", "01", ...), for the code table
    event_text: str  # USPS's eventType, as sent
    occurred_at: datetime  # aware UTC
    local_offset_minutes: int | None  # minutes east of GMT where it was scanned
    local_timestamp: str | None  # eventTimestamp as USPS sent it (the local wall clock)
    city: str | None
    state: str | None
    postal_code: str | None
    country: str | None  # USPS leaves it empty for domestic scans
    action_code: str | None = None
    reason_code: str | None = None


@dataclass(frozen=True, slots=True)
class TrackingLookupError:
    """A number USPS could not answer for (statusCode 404 and friends), or an event without a
    usable time (code ``event_time_unknown``): reported, never dropped silently."""

    tracking_number: str
    status_code: str
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class ParsedTracking:
    """Events in the order USPS sent them (newest first per number); sort on ``occurred_at``."""

    events: tuple[RawTrackingEvent, ...]
    errors: tuple[TrackingLookupError, ...]


def _request_body(query: TrackingQuery | str) -> TrackingRequestBody:
    if isinstance(query, str):
        query = TrackingQuery(query)
    number = query.tracking_number.replace(" ", "")
    if not (4 <= len(number) <= 34 and number.isascii() and number.isalnum()):
        raise InvalidInput.for_field(
            "tracking_number", f"USPS tracks 4 to 34 letters and digits, got {number!r}"
        )
    body: TrackingRequestBody = {"trackingNumber": number}
    if query.mailing_date is not None:
        body["mailingDate"] = query.mailing_date.isoformat()
    if query.destination_zip is not None:
        body["destinationZIPCode"] = query.destination_zip[:5]
    return body


def build_tracking_requests(
    queries: Iterable[TrackingQuery | str],
) -> list[list[TrackingRequestBody]]:
    """Bodies for ``POST /tracking/v3r2/tracking``: at most 35 numbers each, in the given order,
    a number asked twice only once (it would spend a slot of the 35 for the same answer)."""
    seen: set[tuple[str, str, str]] = set()
    batch: list[TrackingRequestBody] = []
    batches = [batch]
    for query in queries:
        body = _request_body(query)
        key = (
            body["trackingNumber"],
            body.get("mailingDate", ""),
            body.get("destinationZIPCode", ""),
        )
        if key in seen:
            continue
        seen.add(key)
        if len(batch) == MAX_NUMBERS_PER_REQUEST:
            batch = []
            batches.append(batch)
        batch.append(body)
    return batches if batch else []


def parse_tracking_batch(body: bytes | str) -> ParsedTracking:
    """A 200 or 207 answer of ``POST /tracking/v3r2/tracking`` (a JSON array)."""
    try:
        entries = BATCH_RESPONSE.validate_json(body)
    except ValidationError as error:
        raise UspsPayloadInvalid(f"tracking batch response: {_first_problem(error)}") from error
    events: list[RawTrackingEvent] = []
    errors: list[TrackingLookupError] = []
    for entry in entries:
        failure = entry.get("error")
        if failure is not None:
            errors.append(
                TrackingLookupError(
                    tracking_number=entry.get("trackingNumber") or "",
                    status_code=entry.get("statusCode") or "",
                    code=failure.get("code") or "",
                    message=failure.get("message") or "",
                )
            )
        else:
            _collect(entry, events, errors)
    return ParsedTracking(tuple(events), tuple(errors))


def parse_tracking_detail(body: bytes | str) -> ParsedTracking:
    """A 200 answer of the single-number GET (one TrackingDetail object)."""
    try:
        detail = DETAIL_RESPONSE.validate_json(body)
    except ValidationError as error:
        raise UspsPayloadInvalid(f"tracking response: {_first_problem(error)}") from error
    events: list[RawTrackingEvent] = []
    errors: list[TrackingLookupError] = []
    _collect(detail, events, errors)
    return ParsedTracking(tuple(events), tuple(errors))


def parse_tracking_error(
    body: bytes | str, *, tracking_number: str, status_code: int
) -> TrackingLookupError:
    """A 4xx answer of the single-number GET (an ErrorMessage), as a lookup error."""
    try:
        message: TrackingErrorMessage = ERROR_RESPONSE.validate_json(body)
    except ValidationError as error:
        raise UspsPayloadInvalid(f"tracking error response: {_first_problem(error)}") from error
    failure = message.get("error") or {}
    return TrackingLookupError(
        tracking_number=tracking_number,
        status_code=str(status_code),
        code=failure.get("code") or "",
        message=failure.get("message") or "",
    )


def _collect(
    detail: TrackingDetail, events: list[RawTrackingEvent], errors: list[TrackingLookupError]
) -> None:
    number = detail.get("trackingNumber")
    if not number:
        raise UspsPayloadInvalid("tracking response: an item without trackingNumber")
    tracking_events = detail.get("trackingEvents")
    if not tracking_events:
        errors.append(
            TrackingLookupError(number, "200", NO_EVENTS_FOR_ITEM, detail.get("status") or "")
        )
        return
    for event in tracking_events:
        local = event.get("eventTimestamp")
        when = resolve_event_time(local, event.get("GMTOffset"), event.get("GMTTimestamp"))
        text = event.get("eventType") or ""
        if when is None:
            detail_text = f"{event.get('eventCode')} {text!r} at {local!r}"
            errors.append(TrackingLookupError(number, "200", EVENT_TIME_UNKNOWN, detail_text))
            continue
        events.append(
            RawTrackingEvent(
                number,
                event.get("eventCode"),
                text,
                when.occurred_at,
                when.local_offset_minutes,
                local,
                event.get("eventCity"),
                event.get("eventState"),
                event.get("eventZIPCode") or event.get("eventZIP"),
                event.get("eventCountry"),
                event.get("actionCode"),
                event.get("reasonCode"),
            )
        )


def _first_problem(error: ValidationError) -> str:
    first = error.errors(include_url=False)[0]
    where = ".".join(str(part) for part in first["loc"]) or "body"
    return f"{where}: {first['msg']}"
