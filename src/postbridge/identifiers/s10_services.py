"""UPU S10 service indicator ranges (S10-12 era table), as data.

Source: postal-standards.md §1.3 (Wikipedia's reproduction of the S10 table, jkeen
tracking_number_data ``s10_service_indicator.json``, bwipp). Letters not listed there (O, X, Y,
and the unlisted gaps) are ``UNASSIGNED``: the recommended policy is to refuse only the reserved
first letters J, K, S, T, W and keep per-partner allow-lists for what we actually issue.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache


class ServiceCategory(StrEnum):
    LETTER_POST_EXPRESS = "letter_post_express"  # L: in practice tracked small packets (ePacket)
    LETTER_POST_M_BAG = "letter_post_m_bag"
    LETTER_POST_IBRS = "letter_post_ibrs"
    LETTER_POST_REGISTERED = "letter_post_registered"
    LETTER_POST_CUSTOMS = "letter_post_customs"  # U: untracked goods packets with CN22/CN23
    LETTER_POST_INSURED = "letter_post_insured"
    PARCEL_POST = "parcel_post"
    EMS = "ems"
    ECOMMERCE_PARCEL = "ecommerce_parcel"
    DOMESTIC_OR_AGREEMENT = "domestic_or_agreement"  # domestic/bilateral/multilateral use only
    UNASSIGNED = "unassigned"
    RESERVED = "reserved"  # invalid as a service indicator


class AgreementNeeded(StrEnum):
    NONE = "none"
    BILATERAL = "bilateral"
    MULTILATERAL = "multilateral"


@dataclass(frozen=True, slots=True)
class ServiceIndicatorRange:
    first: str
    last: str
    category: ServiceCategory
    agreement: AgreementNeeded = AgreementNeeded.NONE

    def covers(self, indicator: str) -> bool:
        return self.first <= indicator <= self.last


_C = ServiceCategory
_A = AgreementNeeded
R = ServiceIndicatorRange

# Ordered so that a narrower range listed first wins (e.g. CZ before CA–CZ).
SERVICE_INDICATOR_RANGES: tuple[ServiceIndicatorRange, ...] = (
    R("AA", "AU", _C.UNASSIGNED),
    R("AV", "AZ", _C.DOMESTIC_OR_AGREEMENT),
    R("BA", "BZ", _C.DOMESTIC_OR_AGREEMENT),
    R("CZ", "CZ", _C.PARCEL_POST, _A.BILATERAL),
    R("CA", "CY", _C.PARCEL_POST),
    R("DA", "DZ", _C.DOMESTIC_OR_AGREEMENT),
    R("EX", "EZ", _C.EMS, _A.BILATERAL),
    R("EA", "EW", _C.EMS),
    R("GA", "GA", _C.DOMESTIC_OR_AGREEMENT),
    R("GD", "GD", _C.DOMESTIC_OR_AGREEMENT),
    R("HX", "HY", _C.ECOMMERCE_PARCEL, _A.MULTILATERAL),
    R("HZ", "HZ", _C.ECOMMERCE_PARCEL, _A.BILATERAL),
    R("HA", "HW", _C.ECOMMERCE_PARCEL),
    R("JA", "KZ", _C.RESERVED),
    R("LZ", "LZ", _C.LETTER_POST_EXPRESS, _A.BILATERAL),
    R("LA", "LY", _C.LETTER_POST_EXPRESS),
    R("MA", "MZ", _C.LETTER_POST_M_BAG),
    R("NA", "NZ", _C.DOMESTIC_OR_AGREEMENT),
    R("PA", "PZ", _C.DOMESTIC_OR_AGREEMENT),
    R("QA", "QM", _C.LETTER_POST_IBRS),
    R("RZ", "RZ", _C.LETTER_POST_REGISTERED, _A.BILATERAL),
    R("RA", "RY", _C.LETTER_POST_REGISTERED),
    R("SA", "TZ", _C.RESERVED),
    R("UA", "UZ", _C.LETTER_POST_CUSTOMS),
    R("VZ", "VZ", _C.LETTER_POST_INSURED, _A.BILATERAL),
    R("VA", "VY", _C.LETTER_POST_INSURED),
    R("WA", "WZ", _C.RESERVED),
    R("ZA", "ZZ", _C.DOMESTIC_OR_AGREEMENT),
)
del R


@dataclass(frozen=True, slots=True)
class ServiceIndicatorInfo:
    indicator: str
    category: ServiceCategory
    agreement: AgreementNeeded

    @property
    def is_reserved(self) -> bool:
        return self.category is ServiceCategory.RESERVED


@lru_cache(maxsize=676)
def describe_service_indicator(indicator: str) -> ServiceIndicatorInfo:
    """Classify a two-letter service indicator (caller guarantees two letters A–Z)."""
    for entry in SERVICE_INDICATOR_RANGES:
        if entry.covers(indicator):
            return ServiceIndicatorInfo(indicator, entry.category, entry.agreement)
    return ServiceIndicatorInfo(indicator, ServiceCategory.UNASSIGNED, AgreementNeeded.NONE)
