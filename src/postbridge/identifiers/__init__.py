"""Parcel identifiers: UPU S10, USPS IMpb, and carrier detection from a tracking number.
Pure functions, no I/O."""

from postbridge.identifiers.detection import (
    Carrier,
    CarrierCandidate,
    Confidence,
    TrackingFormat,
    detect_carriers,
)
from postbridge.identifiers.errors import (
    IdentifierProblem,
    InvalidIdentifier,
    InvalidImpb,
    InvalidS10,
)
from postbridge.identifiers.impb import (
    ChannelApplicationId,
    ImpbBarcode,
    ImpbTrackingNumber,
    build_impb_barcode,
    build_impb_block,
    build_impb_tracking_number,
    impb_check_digit,
    impb_weighted_sum,
    is_valid_impb,
    normalize_routing_zip,
    parse_impb_barcode,
    parse_impb_tracking_number,
)
from postbridge.identifiers.s10 import (
    S10Id,
    format_s10,
    format_s10_block,
    is_valid_s10,
    parse_s10,
    s10_check_digit,
    s10_weighted_sum,
)
from postbridge.identifiers.s10_services import (
    AgreementNeeded,
    ServiceCategory,
    ServiceIndicatorInfo,
    describe_service_indicator,
)

__all__ = [
    "AgreementNeeded",
    "Carrier",
    "CarrierCandidate",
    "ChannelApplicationId",
    "Confidence",
    "IdentifierProblem",
    "ImpbBarcode",
    "ImpbTrackingNumber",
    "InvalidIdentifier",
    "InvalidImpb",
    "InvalidS10",
    "S10Id",
    "ServiceCategory",
    "ServiceIndicatorInfo",
    "TrackingFormat",
    "build_impb_barcode",
    "build_impb_block",
    "build_impb_tracking_number",
    "describe_service_indicator",
    "detect_carriers",
    "format_s10",
    "format_s10_block",
    "impb_check_digit",
    "impb_weighted_sum",
    "is_valid_impb",
    "is_valid_s10",
    "normalize_routing_zip",
    "parse_impb_barcode",
    "parse_impb_tracking_number",
    "parse_s10",
    "s10_check_digit",
    "s10_weighted_sum",
]
