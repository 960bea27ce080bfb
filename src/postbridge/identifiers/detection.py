"""Which carrier issued a tracking number: ranked candidates, offline, from shape and check
digit (tracking-and-eta.md §1.3; formats and test numbers of jkeen/tracking_number_data).

A number can fit several formats (a 34-digit IMpb with ``420`` + ZIP+4 can also pass the
FedEx 34-digit check; any 10-digit number passes DHL's mod 7 one time in seven), so
``detect_carriers`` returns every format that fits, best first, and leaves the choice to
context (the merchant's carriers, the destination) or to a person.

Confidence says how unlikely the match is by chance:

- ``high``: a distinctive prefix *and* a check digit (S10 with a known issuer country,
  UPS ``1Z``, USPS IMpb channels 91–95 with or without ``420`` + ZIP, FedEx ``96`` numbers);
- ``medium``: a check digit on digits with no distinctive prefix (FedEx 12/15/18/32/34,
  USPS 20-digit, DHL Express, UPS waybills), where random digits pass 1 time in 7 to 11;
- ``low``: no check digit at all (DHL piece ids and eCommerce numbers): the shape fits.

Candidates are ordered by confidence, then by the order of ``FORMAT_RULES`` (which puts
postal formats first, since this platform books postal parcels).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from postbridge.identifiers import dhl, fedex, ups, usps_numbers
from postbridge.identifiers.impb import ChannelApplicationId
from postbridge.identifiers.s10 import is_valid_s10


class Carrier(StrEnum):
    UPU_POST = "upu_post"  # the postal operator of the S10 issuer country
    USPS = "usps"
    UPS = "ups"
    FEDEX = "fedex"
    DHL = "dhl"


class TrackingFormat(StrEnum):
    """Format ids; the same ids as tracking_number_data where it has one."""

    S10 = "s10"
    USPS_IMPB_C = "usps_impb_c"  # channels 92, 93, 95
    USPS_IMPB_N = "usps_impb_n"  # channel 94
    USPS_LEGACY = "usps_legacy"  # channel 91, or its 20 digits without "91"
    USPS_20 = "usps_20"
    UPS = "ups"
    UPS_WAYBILL = "ups_waybill"
    FEDEX_GROUND_96 = "fedex_ground_96"
    FEDEX_GROUND_GSN = "fedex_ground_gsn"
    FEDEX_12 = "fedex_12"
    FEDEX_GROUND = "fedex_ground"
    FEDEX_GROUND_SSCC_18 = "fedex_ground_sscc_18"
    FEDEX_34 = "fedex_34"
    FEDEX_ASTRA_32 = "fedex_astra_32"
    DHL_EXPRESS = "dhl_express"
    DHL_EXPRESS_PIECE_ID = "dhl_express_piece_id"
    DHL_ECOMMERCE = "dhl_ecommerce"
    DHL_ECOMMERCE_14 = "dhl_ecommerce_14"


class Confidence(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        return (Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW).index(self)


@dataclass(frozen=True, slots=True)
class CarrierCandidate:
    carrier: Carrier
    format: TrackingFormat
    confidence: Confidence
    tracking_number: str  # what to ask the carrier for: routing prefixes and wrappers removed
    issuer_country: str | None = None  # S10 only


Matcher = Callable[[str], list[str]]


@dataclass(frozen=True, slots=True)
class FormatRule:
    carrier: Carrier
    format: TrackingFormat
    confidence: Confidence
    matches: Matcher  # the compact number -> the tracking numbers it reads as (none: no match)

    @property
    def has_check_digit(self) -> bool:
        return self.confidence is not Confidence.LOW


def _one(match: Callable[[str], str | None]) -> Matcher:
    def matcher(compact: str) -> list[str]:
        found = match(compact)
        return [] if found is None else [found]

    return matcher


def _s10(compact: str) -> list[str]:
    return [compact] if len(compact) == 13 and is_valid_s10(compact) else []


def _impb_channels(*channels: ChannelApplicationId) -> Matcher:
    prefixes = tuple(channel.value for channel in channels)

    def matcher(compact: str) -> list[str]:
        return [pic for pic in usps_numbers.pic_readings(compact) if pic.startswith(prefixes)]

    return matcher


_C = ChannelApplicationId
HIGH, MEDIUM, LOW = Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW
FORMAT_RULES: tuple[FormatRule, ...] = (
    FormatRule(Carrier.UPU_POST, TrackingFormat.S10, HIGH, _s10),
    FormatRule(
        Carrier.USPS,
        TrackingFormat.USPS_IMPB_C,
        HIGH,
        _impb_channels(_C.COMMERCIAL_MID9, _C.COMMERCIAL_MID6, _C.USPS_RETAIL),
    ),
    FormatRule(Carrier.USPS, TrackingFormat.USPS_IMPB_N, HIGH, _impb_channels(_C.USPS_ONLINE)),
    FormatRule(Carrier.USPS, TrackingFormat.USPS_LEGACY, HIGH, _impb_channels(_C.LEGACY)),
    FormatRule(Carrier.UPS, TrackingFormat.UPS, HIGH, _one(ups.match_ups_1z)),
    FormatRule(
        Carrier.FEDEX, TrackingFormat.FEDEX_GROUND_96, HIGH, _one(fedex.match_fedex_ground_96)
    ),
    FormatRule(
        Carrier.FEDEX, TrackingFormat.FEDEX_GROUND_GSN, HIGH, _one(fedex.match_fedex_ground_gsn_34)
    ),
    FormatRule(
        Carrier.USPS,
        TrackingFormat.USPS_LEGACY,
        MEDIUM,
        _one(usps_numbers.match_usps_legacy_without_91),
    ),
    FormatRule(Carrier.USPS, TrackingFormat.USPS_20, MEDIUM, _one(usps_numbers.match_usps_20)),
    FormatRule(Carrier.UPS, TrackingFormat.UPS_WAYBILL, MEDIUM, _one(ups.match_ups_waybill)),
    FormatRule(Carrier.FEDEX, TrackingFormat.FEDEX_12, MEDIUM, _one(fedex.match_fedex_express_12)),
    FormatRule(
        Carrier.FEDEX, TrackingFormat.FEDEX_GROUND, MEDIUM, _one(fedex.match_fedex_ground_15)
    ),
    FormatRule(
        Carrier.FEDEX,
        TrackingFormat.FEDEX_GROUND_SSCC_18,
        MEDIUM,
        _one(fedex.match_fedex_sscc_18),
    ),
    FormatRule(Carrier.FEDEX, TrackingFormat.FEDEX_34, MEDIUM, _one(fedex.match_fedex_express_34)),
    FormatRule(
        Carrier.FEDEX, TrackingFormat.FEDEX_ASTRA_32, MEDIUM, _one(fedex.match_fedex_astra_32)
    ),
    FormatRule(Carrier.DHL, TrackingFormat.DHL_EXPRESS, MEDIUM, _one(dhl.match_dhl_express)),
    FormatRule(Carrier.DHL, TrackingFormat.DHL_EXPRESS_PIECE_ID, LOW, _one(dhl.match_dhl_piece_id)),
    FormatRule(Carrier.DHL, TrackingFormat.DHL_ECOMMERCE, LOW, _one(dhl.match_dhl_ecommerce)),
    FormatRule(Carrier.DHL, TrackingFormat.DHL_ECOMMERCE_14, LOW, _one(dhl.match_dhl_ecommerce_14)),
)


def compact_tracking_number(text: str) -> str:
    """Blanks removed and letters upper-cased: how numbers are printed is not what they are."""
    return "".join(text.split()).upper()


def detect_carriers(text: str, *, include_unchecked: bool = True) -> tuple[CarrierCandidate, ...]:
    """Every carrier format the number fits, best first; empty when none does.

    ``include_unchecked=False`` leaves out formats without a check digit (the "strict" mode
    users of other detectors ask for, since those formats match coupon codes and SKUs).
    """
    compact = compact_tracking_number(text)
    if not compact.isascii() or not compact.isalnum():
        return ()
    found: list[tuple[int, int, CarrierCandidate]] = []
    seen: set[tuple[TrackingFormat, str]] = set()
    for order, rule in enumerate(FORMAT_RULES):
        if not include_unchecked and not rule.has_check_digit:
            continue
        for number in rule.matches(compact):
            if (rule.format, number) in seen:
                continue
            seen.add((rule.format, number))
            candidate = CarrierCandidate(
                carrier=rule.carrier,
                format=rule.format,
                confidence=rule.confidence,
                tracking_number=number,
                issuer_country=number[-2:] if rule.format is TrackingFormat.S10 else None,
            )
            found.append((rule.confidence.rank, order, candidate))
    return tuple(candidate for _, _, candidate in sorted(found, key=lambda f: f[:2]))
