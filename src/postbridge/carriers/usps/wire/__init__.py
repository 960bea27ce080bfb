"""USPS v3 REST wire formats: typed payloads, request builders and response parsers.

Pure: no HTTP, no storage, no clock. The HTTP client on the partner seam sends what the
builders return (``encode_body`` makes the bytes) and hands the bodies it receives to the
parsers. Sources: the USPS OpenAPI files oauth2 3.0, labels 3.9.4 and tracking v3r2 3.2.2.
"""

from postbridge.carriers.usps.wire.encoding import encode_body
from postbridge.carriers.usps.wire.errors import UspsPayloadInvalid
from postbridge.carriers.usps.wire.event_time import EventTime, parse_gmt_offset, resolve_event_time
from postbridge.carriers.usps.wire.label_models import (
    LABEL_PATH,
    DestinationEntryFacilityType,
    LabelRequest,
    MailClass,
    ProcessingCategory,
)
from postbridge.carriers.usps.wire.labels import (
    DomesticLabelShipment,
    LabelParty,
    LabelReceipt,
    PlatformImpb,
    build_label_request,
    parse_label_metadata,
)
from postbridge.carriers.usps.wire.oauth import (
    TOKEN_PATH,
    AccessToken,
    ClientCredentials,
    build_token_request,
    parse_token_error,
    parse_token_response,
)
from postbridge.carriers.usps.wire.tracking import (
    EVENT_TIME_UNKNOWN,
    NO_EVENTS_FOR_ITEM,
    ParsedTracking,
    RawTrackingEvent,
    TrackingLookupError,
    TrackingQuery,
    build_tracking_requests,
    parse_tracking_batch,
    parse_tracking_detail,
    parse_tracking_error,
)
from postbridge.carriers.usps.wire.tracking_models import (
    MAX_NUMBERS_PER_REQUEST,
    TrackingRequestBody,
)

TRACKING_BATCH_PATH = "/tracking/v3r2/tracking"
TRACKING_DETAIL_PATH = "/tracking/v3/tracking/{trackingNumber}"  # with ?expand=DETAIL

__all__ = [
    "EVENT_TIME_UNKNOWN",
    "LABEL_PATH",
    "MAX_NUMBERS_PER_REQUEST",
    "NO_EVENTS_FOR_ITEM",
    "TOKEN_PATH",
    "TRACKING_BATCH_PATH",
    "TRACKING_DETAIL_PATH",
    "AccessToken",
    "ClientCredentials",
    "DestinationEntryFacilityType",
    "DomesticLabelShipment",
    "EventTime",
    "LabelParty",
    "LabelReceipt",
    "LabelRequest",
    "MailClass",
    "ParsedTracking",
    "PlatformImpb",
    "ProcessingCategory",
    "RawTrackingEvent",
    "TrackingLookupError",
    "TrackingQuery",
    "TrackingRequestBody",
    "UspsPayloadInvalid",
    "build_label_request",
    "build_token_request",
    "build_tracking_requests",
    "encode_body",
    "parse_gmt_offset",
    "parse_label_metadata",
    "parse_token_error",
    "parse_token_response",
    "parse_tracking_batch",
    "parse_tracking_detail",
    "parse_tracking_error",
    "resolve_event_time",
]
