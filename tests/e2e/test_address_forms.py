"""Issue #11 point 8: addresses as merchants type them, booked through POST /v1/shipments.

First the valid forms that used to be refused (now accepted and normalised), then the invalid
ones that used to be accepted (now corrected with a warning, or refused naming the field).
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.builders import RECIPIENT_BR, RECIPIENT_US, SENDER_CN, TSHIRT, shipment_body
from tests.e2e.conftest import auth

RECIPIENT_ES: dict[str, Any] = {
    "name": "Lucía García",
    "street_lines": ["Calle Mayor 1"],
    "city": "Madrid",
    "postal_code": "28013",
    "country": "ES",
    "phone": "+34 912 345 678",
}
RECIPIENT_MX: dict[str, Any] = {
    "name": "María López",
    "street_lines": ["Av. Juárez 100"],
    "city": "Guadalajara",
    "postal_code": "44100",
    "country": "MX",
    "phone": "+52 33 1234 5678",
}
RECIPIENT_CO: dict[str, Any] = {
    "name": "Juan Pérez",
    "street_lines": ["Calle 100 # 10-20"],
    "city": "Bogotá",
    "region": "Bogotá",
    "postal_code": "110111",
    "country": "CO",
    "phone": "+57 601 345 6789",
}
RECIPIENT_CL: dict[str, Any] = {
    "name": "Ana Rojas",
    "street_lines": ["Av. Providencia 1234"],
    "city": "Santiago",
    "region": "RM",
    "country": "CL",
    "phone": "+56 2 2123 4567",
}
RECIPIENT_SG: dict[str, Any] = {
    "name": "Tan Wei Ming",
    "street_lines": ["10 Anson Road #12-01"],
    "postal_code": "079903",
    "country": "SG",
    "phone": "+65 6123 4567",
}


def book(
    client: TestClient,
    key: str,
    *,
    recipient: dict[str, Any] | None = None,
    sender: dict[str, Any] | None = None,
    items: list[dict[str, Any]] | None = None,
) -> Any:
    body = shipment_body(recipient=recipient, items=items)
    if sender is not None:
        body["sender"] = sender
    return client.post("/v1/shipments", json=body, headers=auth(key))


def booked(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def locality(address: dict[str, Any]) -> tuple[str, str, str]:
    return address["region"], address["city"], address["postal_code"]


def errors(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    found: list[dict[str, str]] = response.json()["errors"]
    return found


def invalid(field: str, message: str) -> list[dict[str, str]]:
    return [{"field": field, "code": "invalid", "message": message}]


# -- valid forms, refused before ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "city"),
    [
        ("Guangdong Province", "Shenzhen"),
        ("Guangdong Province", "Shenzhen City"),
        ("广东", "深圳"),
        ("广东省", "深圳市"),
    ],
)
def test_chinese_province_with_english_suffix_or_in_chinese_without_it(
    client: TestClient, merchant_key: str, region: str, city: str
) -> None:
    sender = {**SENDER_CN, "region": region, "city": city}
    body = booked(book(client, merchant_key, sender=sender))

    assert locality(body["sender"]) == ("Guangdong Sheng", "Shenzhen Shi", "518057")
    assert body["sender"]["warnings"] == []


def test_hong_kong_sender_without_region_or_postcode_books_from_the_hong_kong_centre(
    client: TestClient, merchant_key: str
) -> None:
    sender = {
        "name": "Chan Tai Man",
        "company": "Kowloon Trading Ltd",
        "street_lines": ["Flat 8, 12/F, 88 Nathan Road", "Tsim Sha Tsui"],
        "city": "Kowloon",
        "country": "HK",
        "phone": "+852 2123 4567",
    }
    body = booked(book(client, merchant_key, sender=sender))

    assert (body["sender"]["country"], body["sender"]["postal_code"]) == ("HK", "")
    assert body["route"]["legs"][0]["from"] == "HKG-SC"  # collected in Kwai Chung


@pytest.mark.parametrize(
    ("recipient", "expected"),
    [
        (RECIPIENT_ES, ("M", "MADRID", "28013")),
        ({**RECIPIENT_BR, "region": None}, ("SP", "SÃO PAULO", "01310-200")),
        (RECIPIENT_MX, ("Jal.", "GUADALAJARA", "44100")),
    ],
    ids=["ES", "BR", "MX"],
)
def test_region_left_out_is_derived_from_the_postal_code(
    client: TestClient, merchant_key: str, recipient: dict[str, Any], expected: tuple[str, ...]
) -> None:
    body = booked(book(client, merchant_key, recipient=recipient))

    assert locality(body["recipient"]) == expected
    assert body["recipient"]["warnings"] == []


@pytest.mark.parametrize(
    ("recipient", "expected"),
    [
        ({**RECIPIENT_ES, "region": "Comunidad de Madrid"}, ("M", "MADRID", "28013")),
        ({**RECIPIENT_ES, "region": "Madrid"}, ("M", "MADRID", "28013")),
        (
            {**RECIPIENT_ES, "region": "Cataluña", "city": "Barcelona", "postal_code": "08001"},
            ("B", "BARCELONA", "08001"),
        ),
        ({**RECIPIENT_CO, "region": "Bogotá D.C."}, ("Bogotá", "BOGOTÁ", "110111")),
        ({**RECIPIENT_CO, "region": "Bogota"}, ("Bogotá", "BOGOTÁ", "110111")),
        ({**RECIPIENT_CO, "region": "Distrito Capital"}, ("Bogotá", "BOGOTÁ", "110111")),
    ],
    ids=["Comunidad de Madrid", "Madrid", "Cataluña", "Bogotá D.C.", "Bogota", "Distrito Capital"],
)
def test_common_variants_of_region_names(
    client: TestClient, merchant_key: str, recipient: dict[str, Any], expected: tuple[str, ...]
) -> None:
    body = booked(book(client, merchant_key, recipient=recipient))

    assert locality(body["recipient"]) == expected
    assert body["recipient"]["warnings"] == []


def test_colombian_address_without_a_postcode(client: TestClient, merchant_key: str) -> None:
    recipient = {**RECIPIENT_CO, "city": "Medellín", "region": "Antioquia", "postal_code": None}
    body = booked(book(client, merchant_key, recipient=recipient))

    assert locality(body["recipient"]) == ("Antioquia", "MEDELLÍN", "")
    assert body["recipient"]["formatted_lines"] == [
        "Juan Pérez",
        "Calle 100 # 10-20",
        "MEDELLÍN, ANTIOQUIA",
        "COLOMBIA",
    ]


def test_chilean_address_without_a_postcode(client: TestClient, merchant_key: str) -> None:
    body = booked(book(client, merchant_key, recipient=RECIPIENT_CL))

    assert locality(body["recipient"]) == ("Región Metropolitana", "SANTIAGO", "")
    assert body["recipient"]["formatted_lines"] == [
        "Ana Rojas",
        "Av. Providencia 1234",
        "SANTIAGO",
        "REGIÓN METROPOLITANA",
        "CHILE",
    ]


@pytest.mark.parametrize(
    ("phone", "sender_phone"),
    [("00 1 512 555 0100", "0086 755 8888 8888"), ("001-512-555-0100", "00 86 755 88888888")],
)
def test_phones_dialled_with_the_00_international_prefix(
    client: TestClient, merchant_key: str, phone: str, sender_phone: str
) -> None:
    recipient = {**RECIPIENT_US, "phone": phone}
    sender = {**SENDER_CN, "phone": sender_phone}
    body = booked(book(client, merchant_key, recipient=recipient, sender=sender))

    assert body["recipient"]["phone"] == "+15125550100"
    assert body["sender"]["phone"] == "+8675588888888"


@pytest.mark.parametrize(
    "phone", ["+1 512 555 0100 ext. 23", "512-555-0100 x23", "+1 (512) 555-0100;ext=23"]
)
def test_phone_extension_is_kept(client: TestClient, merchant_key: str, phone: str) -> None:
    body = booked(book(client, merchant_key, recipient={**RECIPIENT_US, "phone": phone}))

    assert (body["recipient"]["phone"], body["recipient"]["phone_extension"]) == (
        "+15125550100",
        "23",
    )
    again = client.get(f"/v1/shipments/{body['id']}", headers=auth(merchant_key)).json()
    assert again["recipient"]["phone_extension"] == "23"


@pytest.mark.parametrize("currency", ["RMB", "rmb"])
def test_currency_code_rmb_is_cny(client: TestClient, merchant_key: str, currency: str) -> None:
    item = {**TSHIRT, "unit_value": {"amount": "68.00", "currency": currency}}
    body = booked(book(client, merchant_key, items=[item]))

    assert body["customs"]["items"][0]["unit_value"] == {"amount": "68.00", "currency": "CNY"}
    assert body["customs"]["declared_value"] == {"amount": "136.00", "currency": "CNY"}


# -- invalid forms, accepted before -----------------------------------------------------------


def test_us_city_that_is_not_the_zips_city_is_refused(
    client: TestClient, merchant_key: str
) -> None:
    response = book(client, merchant_key, recipient={**RECIPIENT_US, "city": "Dallas"})

    assert errors(response) == invalid(
        "recipient.city", "DALLAS does not match ZIP 78701, which is AUSTIN, TX"
    )


@pytest.mark.parametrize(
    ("city", "postal_code", "expected"),
    [("Austn", "78701", "AUSTIN"), ("NYC", "10001", "NEW YORK")],
)
def test_us_city_misspelt_or_not_a_usps_name_is_corrected_with_a_warning(
    client: TestClient, merchant_key: str, city: str, postal_code: str, expected: str
) -> None:
    region = "TX" if postal_code == "78701" else "NY"
    recipient = {**RECIPIENT_US, "city": city, "postal_code": postal_code, "region": region}
    body = booked(book(client, merchant_key, recipient=recipient))

    assert body["recipient"]["city"] == expected
    assert body["recipient"]["warnings"] == [
        {
            "field": "recipient.city",
            "code": "corrected",
            "message": f"{city.upper()!r} corrected to {expected!r}, the USPS city of ZIP "
            f"{postal_code}",
        }
    ]
    assert body["recipient"]["formatted_lines"][-2] == f"{expected}, {region} {postal_code}"


def test_unassigned_zip_is_refused(client: TestClient, merchant_key: str) -> None:
    response = book(client, merchant_key, recipient={**RECIPIENT_US, "postal_code": "78700"})

    assert errors(response) == invalid(
        "recipient.postal_code", "ZIP 78700 is not an assigned ZIP code"
    )


def test_chinese_sender_postcode_of_another_province_is_refused(
    client: TestClient, merchant_key: str
) -> None:
    response = book(client, merchant_key, sender={**SENDER_CN, "postal_code": "310000"})

    assert errors(response) == invalid(
        "sender.postal_code", "postal code 310000 belongs to Zhejiang Sheng, not Guangdong Sheng"
    )


def test_colombian_postcode_of_another_department_is_refused(
    client: TestClient, merchant_key: str
) -> None:
    recipient = {**RECIPIENT_CO, "city": "Medellín", "region": "Antioquia"}
    response = book(client, merchant_key, recipient=recipient)

    assert errors(response) == invalid(
        "recipient.postal_code", "postal code 110111 belongs to Bogotá, not Antioquia"
    )


def test_bogota_given_as_cundinamarca_is_corrected_with_a_warning(
    client: TestClient, merchant_key: str
) -> None:
    recipient = {**RECIPIENT_CO, "region": "Cundinamarca"}
    body = booked(book(client, merchant_key, recipient=recipient))

    assert locality(body["recipient"]) == ("Bogotá", "BOGOTÁ", "110111")
    assert body["recipient"]["warnings"] == [
        {
            "field": "recipient.region",
            "code": "corrected",
            "message": "'Cundinamarca' corrected to 'Bogotá', the region of the postal code",
        }
    ]


@pytest.mark.parametrize("postal_code", ["000000", "999999"])
def test_singapore_postcodes_in_no_postal_sector_are_refused(
    client: TestClient, merchant_key: str, postal_code: str
) -> None:
    response = book(client, merchant_key, recipient={**RECIPIENT_SG, "postal_code": postal_code})

    assert errors(response) == invalid(
        "recipient.postal_code",
        f"postal code {postal_code} is not in use: Singapore postal codes start with their "
        "postal sector, 01 to 82",
    )


def test_singapore_postcode_in_a_sector_is_booked(client: TestClient, merchant_key: str) -> None:
    body = booked(book(client, merchant_key, recipient=RECIPIENT_SG))

    assert body["recipient"]["postal_code"] == "079903"


def test_missing_recipient_postcode_names_recipient_postal_code(
    client: TestClient, merchant_key: str
) -> None:
    response = book(client, merchant_key, recipient={**RECIPIENT_US, "postal_code": None})

    assert errors(response) == [
        {
            "field": "recipient.postal_code",
            "code": "required",
            "message": "expected a 5-digit ZIP code such as 78701, or ZIP+4 such as 78701-1234",
        }
    ]
