"""Contract: the label request built from the shared domestic shipment, byte for byte, and
checked against USPS's LabelRequest schema; the label answer's metadata."""

from __future__ import annotations

import base64
import dataclasses
from datetime import date

import orjson
import pytest

from postbridge.addresses.model import NormalizedAddress
from postbridge.carriers.usps.wire import (
    LabelReceipt,
    PlatformImpb,
    UspsPayloadInvalid,
    build_label_request,
    encode_body,
    parse_label_metadata,
)
from postbridge.errors import InvalidInput
from postbridge.kit.measures import GRAMS_PER_POUND, MM_PER_INCH
from tests.unit.carriers.usps_wire import openapi_subset
from tests.unit.carriers.usps_wire.fixture_shipment import (
    fixture_json,
    fixture_label_shipment,
    platform_address,
)

# 1200 g, 300 x 200 x 100 mm: the fixture's 1.2 kg and 30 x 20 x 10 cm, over the exact factors.
EXPECTED_REQUEST = {
    "imageInfo": {"imageType": "PDF", "labelType": "4X6LABEL", "receiptOption": "NONE"},
    "toAddress": {
        "streetAddress": "1309 S Agnew Avenue",
        "city": "Oklahoma City",
        "state": "OK",
        "ZIPCode": "73108",
        "secondaryAddress": "Apt 303",
        "firstName": "Lina",
        "lastName": "Smith",
        "firm": "Horizon",
        "phone": "1234567890",
    },
    "fromAddress": {
        "streetAddress": "1098 N Fraser Street",
        "city": "Georgetown",
        "state": "SC",
        "ZIPCode": "29440",
        "firstName": "Jane",
        "lastName": "Doe",
        "firm": "ACME Fulfilment",
        "phone": "8005554526",
        "email": "ops@example.com",
    },
    "packageDescription": {
        "mailClass": "USPS_GROUND_ADVANTAGE",
        "rateIndicator": "SP",
        "weightUOM": "lb",
        "weight": 2.6455471462185307,
        "dimensionsUOM": "in",
        "length": 11.811023622047244,
        "width": 7.874015748031496,
        "height": 3.937007874015748,
        "processingCategory": "MACHINABLE",
        "mailingDate": "2025-03-10",
        "destinationEntryFacilityType": "NONE",
        "extraServices": [921],
        "customerReference": [{"referenceNumber": "ORDER-10001", "printReferenceNumber": True}],
    },
}


def fixture_recipient() -> NormalizedAddress:
    return platform_address(fixture_json("shipment_request_domestic.json")["recipient"])


def test_label_request_from_the_shared_domestic_shipment() -> None:
    body = encode_body(build_label_request(fixture_label_shipment()))

    assert body == orjson.dumps(EXPECTED_REQUEST)


def test_pounds_and_inches_are_the_exact_quotients() -> None:
    package = build_label_request(fixture_label_shipment())["packageDescription"]

    assert package["weight"] * GRAMS_PER_POUND == 1200
    assert (package["length"] * MM_PER_INCH, package["width"] * MM_PER_INCH) == (300, 200)
    assert package["height"] * MM_PER_INCH == 100


def test_required_fields_of_the_openapi_label_request_by_hand() -> None:
    request = build_label_request(fixture_label_shipment())

    # LabelRequest: required fromAddress, packageDescription, toAddress.
    assert {"fromAddress", "packageDescription", "toAddress"} <= request.keys()
    # DomesticLabelAddress: required ZIPCode, city, state, streetAddress + a name or a firm.
    for address in (request["toAddress"], request["fromAddress"]):
        assert {"ZIPCode", "city", "state", "streetAddress"} <= address.keys()
        assert {"firstName", "lastName"} <= address.keys() or "firm" in address
    # BaseDomesticPackageDescription + DomesticPackageDescription's rateIndicator.
    assert {
        "destinationEntryFacilityType", "height", "length", "mailClass", "mailingDate",
        "processingCategory", "weight", "width", "rateIndicator",
    } <= request["packageDescription"].keys()  # fmt: skip


def test_label_request_fits_the_openapi_schema() -> None:
    if not openapi_subset.SHARED_OPENAPI.is_dir():
        pytest.skip("../shared/reference/usps-openapi is not beside this clone")
    schemas = openapi_subset.load_schemas("labels.yaml")
    with_everything = dataclasses.replace(
        fixture_label_shipment(),
        platform_impb=PlatformImpb("9274890111494601443836", "C03"),
        platform_tracking_number="LZ123456785CN",
        package_value_cents=2000,
        immediate_manifest=True,
        sender=fixture_label_shipment().mailed_from,
    )

    for shipment in (fixture_label_shipment(), with_everything):
        request = build_label_request(shipment)
        assert openapi_subset.problems(request, schemas["LabelRequest"], schemas) == []


def test_the_impb_the_platform_printed_is_named_as_the_covered_label() -> None:
    shipment = dataclasses.replace(
        fixture_label_shipment(),
        platform_impb=PlatformImpb("9274890111494601443836", "C03"),
        platform_tracking_number="LZ123456785CN",
        package_value_cents=2000,
    )
    package = build_label_request(shipment)["packageDescription"]

    assert package["packageOptions"] == {
        "packageValue": 20.0,
        "originalPackage": {
            "originalTrackingNumber": "420731089274890111494601443836",
            "originalConstructCode": "C03",
        },
    }
    assert package["customerReference"] == [
        {"referenceNumber": "ORDER-10001", "printReferenceNumber": True},
        {"referenceNumber": "LZ123456785CN", "printReferenceNumber": False},
    ]


def test_zip_plus_four_and_a_single_word_name() -> None:
    base = fixture_label_shipment()
    recipient = dataclasses.replace(
        fixture_recipient(),
        postal_code="73108-2351",
        name="Madonna",
        company="",
        phone="+44 20 7946 0958",
    )
    address = build_label_request(dataclasses.replace(base, recipient=recipient))["toAddress"]

    assert (address["ZIPCode"], address["ZIPPlus4"]) == ("73108", "2351")
    assert (address["firstName"], "lastName" in address) == ("Madonna", False)
    assert address["phone"] == "442079460958"


def test_every_bad_field_is_named_at_once() -> None:
    base = fixture_label_shipment()
    recipient = dataclasses.replace(
        fixture_recipient(),
        postal_code="SW1A 1AA",
        region="Oklahoma",
        name="",
        company="",
    )
    shipment = dataclasses.replace(base, recipient=recipient, weight_g=32_000, height_mm=0)

    with pytest.raises(InvalidInput) as raised:
        build_label_request(shipment)

    assert [problem.field for problem in raised.value.problems] == [
        "weight_g",
        "height_mm",
        "recipient.postal_code",
        "recipient.region",
        "recipient.name",
    ]


LABEL_METADATA = {
    "labelAddress": {"streetAddress": "1309 S AGNEW AVE APT 303", "city": "OKLAHOMA CITY"},
    "routingInformation": "42073108",
    "trackingNumber": "9205590006662202169556",
    "constructCode": "C01",
    "SKU": "DUXP0XXXXC06030",
    "postage": 7.3,
    "extraServices": [{"name": "Signature Confirmation", "SKU": "DXS0XXXXXXC0000", "price": 4.4}],
    "zone": "06",
    "commitment": {"name": "4-Day", "scheduleDeliveryDate": "2025-03-14"},
    "weightUOM": "lb",
    "weight": 2.65,
    "dimensionalWeight": 0,
    "fees": [],
    "serviceTypeCode": "022",
    "labelImage": base64.b64encode(b"%PDF-1.7 label").decode(),
}


def test_label_metadata_of_the_answer() -> None:
    assert parse_label_metadata(orjson.dumps(LABEL_METADATA)) == LabelReceipt(
        tracking_number="9205590006662202169556",
        routing_information="42073108",
        construct_code="C01",
        service_type_code="022",
        sku="DUXP0XXXXC06030",
        zone="06",
        postage_cents=730,
        commitment="4-Day",
        scheduled_delivery_date=date(2025, 3, 14),
        label_image=b"%PDF-1.7 label",
    )


def test_the_multipart_metadata_part_has_no_image() -> None:
    part = {key: value for key, value in LABEL_METADATA.items() if key != "labelImage"}

    assert parse_label_metadata(orjson.dumps(part)).label_image is None


@pytest.mark.parametrize(
    ("metadata", "detail"),
    [
        ({"postage": 7.3}, "label metadata without trackingNumber"),
        ({"trackingNumber": "1", "postage": "seven"}, "label metadata: Input should be a valid number, unable to parse string as a number"),
        ({"trackingNumber": "1", "labelImage": "%%%"}, "label metadata: labelImage is not base64"),
    ],
)  # fmt: skip
def test_metadata_that_is_not_the_usps_format(metadata: dict[str, object], detail: str) -> None:
    with pytest.raises(UspsPayloadInvalid) as raised:
        parse_label_metadata(orjson.dumps(metadata))

    assert raised.value.detail == detail
