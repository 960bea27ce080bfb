"""The USPS domestic label request from a platform shipment, and the label answer's metadata.

Registration, not manifesting: ``POST /labels/v3/label`` has no field for a tracking number
of the mailer's own (LabelRequest is ``additionalProperties: false``); USPS allocates the
number and returns it in ``labelMetadata.trackingNumber``. Manifesting the platform's own IMpb
numbers goes through Pub 199's Shipping Services File, which none of the v3 REST APIs carries.
When the parcel already wears the IMpb the platform printed at origin, the request names it in
``packageOptions.originalPackage`` so USPS links that barcode to the label covering it.

Units: the platform keeps grams and millimetres; USPS takes pounds and inches. Both factors
are exact by definition (1 lb = 453.59237 g, 1 in = 25.4 mm) and the quotients go out
unrounded: USPS rounds weight up to its own price steps, and rounding here first could only
under-declare (postage adjustments) or overpay.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from pydantic import ValidationError

from postbridge.carriers.usps.wire.errors import UspsPayloadInvalid
from postbridge.carriers.usps.wire.label_models import (
    LABEL_METADATA,
    MAX_WEIGHT_POUNDS,
    CustomerReference,
    DestinationEntryFacilityType,
    DomesticLabelAddress,
    LabelRequest,
    MailClass,
    PackageDescription,
    PackageOptions,
    ProcessingCategory,
)
from postbridge.errors import ProblemList
from postbridge.identifiers.impb import build_impb_barcode
from postbridge.kit.measures import GRAMS_PER_POUND, MM_PER_INCH

_MAX_WEIGHT_G = MAX_WEIGHT_POUNDS * GRAMS_PER_POUND
_NAME_MAX = 50
_REFERENCE_MAX = 30


class LabelParty(Protocol):
    """The address fields a label needs; ``addresses.NormalizedAddress`` has them all."""

    @property
    def name(self) -> str: ...
    @property
    def company(self) -> str: ...
    @property
    def street_lines(self) -> tuple[str, ...]: ...
    @property
    def city(self) -> str: ...
    @property
    def region(self) -> str: ...  # the state code for US addresses
    @property
    def postal_code(self) -> str: ...
    @property
    def phone(self) -> str: ...
    @property
    def email(self) -> str: ...


@dataclass(frozen=True, slots=True)
class PlatformImpb:
    """An IMpb the platform allocated and printed on the parcel at origin."""

    tracking_number: str  # the 22- or 26-digit PIC
    construct_code: str  # the barcode construct, e.g. "C03" (Pub 199)


@dataclass(frozen=True, slots=True)
class DomesticLabelShipment:
    recipient: LabelParty
    mailed_from: LabelParty  # where USPS receives it (induction point): prices the label
    weight_g: int
    length_mm: int
    width_mm: int
    height_mm: int
    mail_class: MailClass
    mailing_date: date  # USPS takes today .. today + 7; the caller's clock picks it
    reference: str  # the merchant's order reference, printed on the label
    platform_tracking_number: str | None = None  # our S10, kept in USPS's files, not printed
    platform_impb: PlatformImpb | None = None
    sender: LabelParty | None = None  # the business, when it is not ``mailed_from``
    rate_indicator: str = "SP"  # single piece
    processing_category: ProcessingCategory = ProcessingCategory.MACHINABLE
    destination_entry: DestinationEntryFacilityType = DestinationEntryFacilityType.NONE
    extra_services: tuple[int, ...] = ()  # USPS extra service codes, e.g. 921 signature
    package_value_cents: int | None = None  # USD, for insurance and signature services
    image_type: str = "PDF"
    label_type: str = "4X6LABEL"
    immediate_manifest: bool = False


@dataclass(frozen=True, slots=True)
class LabelReceipt:
    tracking_number: str  # the number USPS allocated: the parcel's partner tracking number
    routing_information: str | None
    construct_code: str | None
    service_type_code: str | None
    sku: str | None
    zone: str | None
    postage_cents: int | None  # USD
    commitment: str | None
    scheduled_delivery_date: date | None
    label_image: bytes | None  # decoded; present in the vnd.usps.labels+json answer only


def build_label_request(shipment: DomesticLabelShipment) -> LabelRequest:
    problems = ProblemList()
    if not 0 < shipment.weight_g <= _MAX_WEIGHT_G:
        problems.add("weight_g", f"USPS labels take 1 g to {MAX_WEIGHT_POUNDS} lb")
    for field_name in ("length_mm", "width_mm", "height_mm"):
        if getattr(shipment, field_name) <= 0:
            problems.add(field_name, "must be positive")
    to_address = _address(shipment.recipient, "recipient", problems)
    from_address = _address(shipment.mailed_from, "mailed_from", problems)
    sender = _address(shipment.sender, "sender", problems) if shipment.sender else None
    problems.raise_if_any()

    package: PackageDescription = {
        "mailClass": shipment.mail_class.value,
        "rateIndicator": shipment.rate_indicator,
        "weightUOM": "lb",
        "weight": shipment.weight_g / GRAMS_PER_POUND,
        "dimensionsUOM": "in",
        "length": shipment.length_mm / MM_PER_INCH,
        "width": shipment.width_mm / MM_PER_INCH,
        "height": shipment.height_mm / MM_PER_INCH,
        "processingCategory": shipment.processing_category.value,
        "mailingDate": shipment.mailing_date.isoformat(),
        "destinationEntryFacilityType": shipment.destination_entry.value,
    }
    if shipment.extra_services:
        package["extraServices"] = list(shipment.extra_services)
    options = _package_options(shipment, to_address["ZIPCode"])
    if options:
        package["packageOptions"] = options
    package["customerReference"] = _references(shipment)
    request: LabelRequest = {
        "imageInfo": {
            "imageType": shipment.image_type,
            "labelType": shipment.label_type,
            "receiptOption": "NONE",
        },
        "toAddress": to_address,
        "fromAddress": from_address,
        "packageDescription": package,
    }
    if sender is not None:
        request["senderAddress"] = sender
    return request


def _package_options(shipment: DomesticLabelShipment, zip5: str) -> PackageOptions:
    options: PackageOptions = {}
    if shipment.package_value_cents is not None:
        options["packageValue"] = shipment.package_value_cents / 100
    if shipment.immediate_manifest:
        options["immediateManifest"] = True
    if shipment.platform_impb is not None:
        # Routing on ZIP5: 420 + ZIP+4 + a 26-digit PIC would pass the field's 34 characters.
        printed = build_impb_barcode(zip5, shipment.platform_impb.tracking_number)
        options["originalPackage"] = {
            "originalTrackingNumber": printed.data,
            "originalConstructCode": shipment.platform_impb.construct_code,
        }
    return options


def _references(shipment: DomesticLabelShipment) -> list[CustomerReference]:
    references: list[CustomerReference] = [
        {"referenceNumber": shipment.reference[:_REFERENCE_MAX], "printReferenceNumber": True}
    ]
    if shipment.platform_tracking_number:
        references.append(
            {"referenceNumber": shipment.platform_tracking_number, "printReferenceNumber": False}
        )
    return references


def _address(party: LabelParty, path: str, problems: ProblemList) -> DomesticLabelAddress:
    zip_digits = party.postal_code.replace("-", "").replace(" ", "")
    if len(zip_digits) not in (5, 9) or not zip_digits.isdigit():
        problems.add(f"{path}.postal_code", "a US ZIP Code (5 digits, or ZIP+4)")
    state = party.region.upper()
    if len(state) != 2 or not state.isalpha():
        problems.add(f"{path}.region", "a two-letter US state code")
    if not party.street_lines:
        problems.add(f"{path}.street_lines", "at least one street line")
        lines: tuple[str, ...] = ("",)
    else:
        lines = party.street_lines
    address: DomesticLabelAddress = {
        "streetAddress": lines[0][:_NAME_MAX],
        "city": party.city[:28],
        "state": state,
        "ZIPCode": zip_digits[:5],
    }
    if len(lines) > 1:
        address["secondaryAddress"] = " ".join(lines[1:])[:_NAME_MAX]
    if len(zip_digits) == 9:
        address["ZIPPlus4"] = zip_digits[5:]
    first, last = _split_name(party.name)
    if first:
        address["firstName"] = first
    if last:
        address["lastName"] = last
    if party.company:
        address["firm"] = party.company[:_NAME_MAX]
    if not (first or party.company):
        problems.add(f"{path}.name", "a name or a company")
    phone = _us_phone(party.phone)
    if phone:
        address["phone"] = phone
    if party.email and len(party.email) <= _NAME_MAX:
        address["email"] = party.email
    return address


def _split_name(name: str) -> tuple[str, str]:
    """USPS prints firstName then lastName: splitting at the last space prints the name as
    written, whatever the culture's order of given and family names."""
    first, _, last = name.strip().rpartition(" ")
    if not first:
        return last[:_NAME_MAX], ""
    return first[:_NAME_MAX], last[:_NAME_MAX]


def _us_phone(phone: str) -> str:
    """Ten digits for a North American number, which is what USPS shows carriers; other
    numbers go as digits with their country code. Empty when nothing usable is left."""
    digits = "".join(character for character in phone if character.isdigit())
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    if not 8 <= len(digits) <= 15 or digits[0] == "0":
        return ""
    return digits


def parse_label_metadata(body: bytes | str) -> LabelReceipt:
    """The ``labelMetadata`` part of the answer (or the whole vnd.usps.labels+json body)."""
    try:
        metadata = LABEL_METADATA.validate_json(body)
    except ValidationError as error:
        raise UspsPayloadInvalid(f"label metadata: {error.errors()[0]['msg']}") from error
    number = metadata.get("trackingNumber")
    if not number:
        raise UspsPayloadInvalid("label metadata without trackingNumber")
    postage = metadata.get("postage")
    commitment = metadata.get("commitment") or {}
    delivery = commitment.get("scheduleDeliveryDate")
    return LabelReceipt(
        tracking_number=number,
        routing_information=metadata.get("routingInformation"),
        construct_code=metadata.get("constructCode"),
        service_type_code=metadata.get("serviceTypeCode"),
        sku=metadata.get("SKU"),
        zone=metadata.get("zone"),
        # Through str: the float 7.3 is 7.29999..., and cents must come out 730.
        postage_cents=None
        if postage is None
        else int((Decimal(str(postage)) * 100).quantize(Decimal(1), ROUND_HALF_UP)),
        commitment=commitment.get("name"),
        scheduled_delivery_date=_date(delivery),
        label_image=_image(metadata.get("labelImage")),
    )


def _date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise UspsPayloadInvalid(f"label metadata: scheduleDeliveryDate {text!r}") from None


def _image(encoded: str | None) -> bytes | None:
    if not encoded:
        return None
    try:
        return base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise UspsPayloadInvalid("label metadata: labelImage is not base64") from None
