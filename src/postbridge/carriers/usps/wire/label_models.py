"""USPS domestic label payloads (``POST /labels/v3/label``, labels.yaml 3.9.4), as USPS spells
them. Only the fields the platform sends or reads are declared; USPS accepts more.

Request side: TypedDicts, so the body is a plain dict checked by mypy and encoded once.
Response side: ``LabelMetadata`` (the ``labelMetadata`` part of the multipart answer, or the
top level of the ``application/vnd.usps.labels+json`` answer, which adds ``labelImage``),
validated by pydantic-core.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NotRequired

from pydantic import TypeAdapter
from typing_extensions import TypedDict

LABEL_PATH = "/labels/v3/label"
MAX_WEIGHT_POUNDS = 70  # PackageDescription.weight: "70 pounds (1120 ounces) or less"


class MailClass(StrEnum):
    """BaseDomesticPackageDescription.mailClass (deprecated values left out)."""

    PARCEL_SELECT = "PARCEL_SELECT"
    USPS_CONNECT_LOCAL = "USPS_CONNECT_LOCAL"
    USPS_CONNECT_REGIONAL = "USPS_CONNECT_REGIONAL"
    USPS_CONNECT_MAIL = "USPS_CONNECT_MAIL"
    USPS_GROUND_ADVANTAGE = "USPS_GROUND_ADVANTAGE"
    PRIORITY_MAIL_EXPRESS = "PRIORITY_MAIL_EXPRESS"
    PRIORITY_MAIL = "PRIORITY_MAIL"
    LIBRARY_MAIL = "LIBRARY_MAIL"
    MEDIA_MAIL = "MEDIA_MAIL"
    BOUND_PRINTED_MATTER = "BOUND_PRINTED_MATTER"


class ProcessingCategory(StrEnum):
    """IRREGULAR and NON_MACHINABLE are deprecated: USPS converts them to NONSTANDARD."""

    LETTERS = "LETTERS"
    FLATS = "FLATS"
    MACHINABLE = "MACHINABLE"
    NONSTANDARD = "NONSTANDARD"


class DestinationEntryFacilityType(StrEnum):
    NONE = "NONE"
    DESTINATION_NETWORK_DISTRIBUTION_CENTER = "DESTINATION_NETWORK_DISTRIBUTION_CENTER"
    DESTINATION_SECTIONAL_CENTER_FACILITY = "DESTINATION_SECTIONAL_CENTER_FACILITY"
    DESTINATION_DELIVERY_UNIT = "DESTINATION_DELIVERY_UNIT"
    DESTINATION_SERVICE_HUB = "DESTINATION_SERVICE_HUB"


class ImageInfo(TypedDict):
    imageType: str  # PDF, ZPL203DPI, ...
    labelType: str  # 4X6LABEL, ...
    receiptOption: str  # NONE: no receipt page to print and throw away


class DomesticLabelAddress(TypedDict):
    """DomesticLabelAddress / DomesticLabelToAddress / DomesticLabelSenderAddress: the
    required four plus "First and Last Name or Firm"."""

    streetAddress: str  # 1..50
    secondaryAddress: NotRequired[str]  # ..50
    city: str  # 1..28
    state: str  # two letters
    ZIPCode: str  # 5 digits
    ZIPPlus4: NotRequired[str]  # 4 digits
    firstName: NotRequired[str]  # 1..50
    lastName: NotRequired[str]  # 1..50
    firm: NotRequired[str]  # ..50
    phone: NotRequired[str]  # ^\+?[1-9][0-9]{7,14}$
    email: NotRequired[str]  # ..50


class OriginalPackage(TypedDict):
    """packageOptions.originalPackage: the label the parcel wore before this one covered it."""

    originalTrackingNumber: str  # routing ("420" + ZIP) + tracking number, 22..34
    originalConstructCode: str  # 3 characters, e.g. C03


class PackageOptions(TypedDict, total=False):
    packageValue: float  # US dollars
    immediateManifest: bool
    originalPackage: OriginalPackage


class CustomerReference(TypedDict):
    referenceNumber: str  # 1..30
    printReferenceNumber: bool


class PackageDescription(TypedDict):
    """DomesticPackageDescription (the variant with ``rateIndicator``)."""

    mailClass: str
    rateIndicator: str  # SP single piece, DR dimensional rectangular, ...
    weightUOM: str  # "lb"
    weight: float
    dimensionsUOM: str  # "in"
    length: float
    width: float
    height: float
    processingCategory: str
    mailingDate: str  # YYYY-MM-DD, today .. today + 7
    destinationEntryFacilityType: str
    extraServices: NotRequired[list[int]]
    packageOptions: NotRequired[PackageOptions]
    customerReference: NotRequired[list[CustomerReference]]


class LabelRequest(TypedDict):
    """LabelRequest (additionalProperties false): fromAddress, packageDescription and toAddress
    are required."""

    imageInfo: ImageInfo
    toAddress: DomesticLabelAddress
    fromAddress: DomesticLabelAddress
    senderAddress: NotRequired[DomesticLabelAddress]
    packageDescription: PackageDescription


class Commitment(TypedDict, total=False):
    name: str | None  # "2-Day", ...
    scheduleDeliveryDate: str | None


class PricedItem(TypedDict, total=False):
    name: str | None
    SKU: str | None
    price: float | None


class LabelMetadata(TypedDict, total=False):
    trackingNumber: str
    routingInformation: str | None  # "420" + ZIP
    constructCode: str | None
    SKU: str | None
    postage: float | None  # US dollars, without extra services and fees
    extraServices: list[PricedItem] | None
    fees: list[PricedItem] | None
    serviceTypeCode: str | None
    zone: str | None
    commitment: Commitment | None
    weight: float | None
    dimensionalWeight: float | None
    bannerText: str | None
    labelImage: str | None  # base64; only in the application/vnd.usps.labels+json answer


LABEL_METADATA: TypeAdapter[LabelMetadata] = TypeAdapter(LabelMetadata)
