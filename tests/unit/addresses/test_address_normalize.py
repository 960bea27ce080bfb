"""normalize_address: each rule of issue #3 item 2, with exact fields and messages."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tests.unit.addresses.samples import CN_SENDER, recipient, sender

from postbridge.addresses import AddressInput, NormalizedAddress, TaxIdKind
from postbridge.errors import FieldProblem
from postbridge.labels.addressing import label_address

US_RECIPIENT = AddressInput(
    name="Ann Lee",
    street_lines=("100 Congress Ave", "Suite 200"),
    city="Austin",
    region="Texas",
    postal_code="78701",
    country="US",
    phone="(512) 463-2000",
    email="Ann.Lee@Example.COM",
)
BR_RECIPIENT = AddressInput(
    name="João Silva",
    street_lines=("Av. Paulista, 1000",),
    city="Sao Paulo",
    region="Sao Paulo",
    postal_code="01310-100",
    country="BR",
    phone="11 98765-4321",
    tax_id="529.982.247-25",
)


def test_us_recipient_is_normalised_with_state_code_and_e164_phone() -> None:
    result, problems = recipient(US_RECIPIENT)

    assert problems == []
    assert result == NormalizedAddress(
        name="Ann Lee",
        company="",
        street_lines=("100 Congress Ave", "Suite 200"),
        city="AUSTIN",
        region="TX",
        postal_code="78701",
        country="US",
        phone="+15124632000",
        email="ann.lee@example.com",
        tax_id="",
        tax_id_kind=None,
        formatted_lines=(
            "Ann Lee",
            "100 Congress Ave",
            "Suite 200",
            "AUSTIN, TX 78701",
            "UNITED STATES",
        ),
    )


def test_formatted_lines_are_the_lines_the_label_prints() -> None:
    """One formatter (addresses.lines) for the API and the label: the destination's own order
    and separators, no "REP. OF SINGAPORE", no doubled city."""
    sg = AddressInput(name="Tan Ah Kow", street_lines=("10 Anson Road #10-11",),
                      postal_code="079903", country="SG")  # fmt: skip
    es = AddressInput(name="Pepe Pérez", street_lines=("Calle Mayor 1",), city="Madrid",
                      region="Madrid", postal_code="28013", country="ES")  # fmt: skip
    expected = {
        "US": ("Ann Lee", "100 Congress Ave", "Suite 200", "AUSTIN, TX 78701", "UNITED STATES"),
        "BR": ("João Silva", "Av. Paulista, 1000", "SÃO PAULO - SP", "01310-100", "BRAZIL"),
        "SG": ("Tan Ah Kow", "10 Anson Road #10-11", "SINGAPORE 079903"),
        "ES": ("Pepe Pérez", "Calle Mayor 1", "28013 MADRID", "SPAIN"),
    }
    for data in (US_RECIPIENT, BR_RECIPIENT, sg, es):
        result, problems = recipient(data)
        assert problems == []
        assert result is not None
        assert result.formatted_lines == expected[result.country]
        printed = label_address(
            country=result.country,
            name=result.name,
            company=result.company,
            street_lines=result.street_lines,
            city=result.city,
            region=result.region,
            postal_code=result.postal_code,
        )
        assert result.formatted_lines == tuple(line.text for line in printed)


def test_zip_of_another_state_names_the_state_it_belongs_to() -> None:
    result, problems = recipient(replace(US_RECIPIENT, postal_code="10001"))

    assert result is None
    assert problems == [FieldProblem("recipient.postal_code", "ZIP 10001 belongs to NY, not TX")]


def test_malformed_zip_says_what_was_expected() -> None:
    _, problems = recipient(replace(US_RECIPIENT, postal_code="7870"))

    assert problems == [
        FieldProblem(
            "recipient.postal_code",
            "expected a 5-digit ZIP code such as 78701, or ZIP+4 such as 78701-1234; got '7870'",
        )
    ]


def test_state_zip_ranges_include_their_exceptions() -> None:
    # 73301 (Austin IRS) lies in Oklahoma's 73x range but belongs to Texas.
    result, problems = recipient(replace(US_RECIPIENT, postal_code="73301"))

    assert problems == []
    assert result is not None


def test_zip_outside_every_state_range_is_not_assigned() -> None:
    # Issue #11 point 8: the ZIP list (zipcodes package) refuses ZIPs USPS never assigned.
    _, problems = recipient(replace(US_RECIPIENT, postal_code="00100"))

    assert problems == [
        FieldProblem("recipient.postal_code", "ZIP 00100 is not an assigned ZIP code")
    ]


def test_zip_plus_four_without_hyphen_is_canonicalised() -> None:
    result, _ = recipient(replace(US_RECIPIENT, postal_code="787011234"))

    assert result is not None
    assert result.postal_code == "78701-1234"


@pytest.mark.parametrize("typed", ["Texas", "TX", "tx", "texas ", "US-TX"])
def test_state_names_and_codes_become_the_code(typed: str) -> None:
    result, problems = recipient(replace(US_RECIPIENT, region=typed))

    assert problems == []
    assert result is not None
    assert result.region == "TX"


def test_unknown_state_is_refused_with_an_example() -> None:
    _, problems = recipient(replace(US_RECIPIENT, region="Texxas"))

    assert problems == [
        FieldProblem("recipient.region", "expected a US state such as TX or Texas; got 'Texxas'")
    ]


def test_missing_required_fields_are_all_reported_with_their_paths() -> None:
    _, problems = recipient(AddressInput(country="US"))

    assert [(p.field, p.code) for p in problems] == [
        ("recipient.name", "required"),
        ("recipient.street_lines", "required"),
        ("recipient.region", "required"),
        ("recipient.city", "required"),
        ("recipient.postal_code", "required"),
    ]


def test_brazilian_recipient_accepts_accentless_names_and_keeps_the_cpf() -> None:
    result, problems = recipient(BR_RECIPIENT)

    assert problems == []
    assert result is not None
    assert (result.region, result.city, result.postal_code) == ("SP", "SÃO PAULO", "01310-100")
    assert (result.tax_id, result.tax_id_kind) == ("52998224725", TaxIdKind.CPF)
    assert result.phone == "+5511987654321"
    assert result.to_json() == {
        "name": "João Silva",
        "company": "",
        "street_lines": ["Av. Paulista, 1000"],
        "city": "SÃO PAULO",
        "region": "SP",
        "postal_code": "01310-100",
        "country": "BR",
        "phone": "+5511987654321",
        "email": "",
        "tax_id": "52998224725",
        "tax_id_kind": "CPF",
        "formatted_lines": [
            "João Silva",
            "Av. Paulista, 1000",
            "SÃO PAULO - SP",
            "01310-100",
            "BRAZIL",
        ],
        "phone_extension": "",
        "warnings": [],
    }


def test_brazilian_cep_of_eight_digits_gets_its_hyphen() -> None:
    result, _ = recipient(replace(BR_RECIPIENT, postal_code="01310100"))

    assert result is not None
    assert result.postal_code == "01310-100"


def test_brazilian_cep_with_seven_digits_is_refused() -> None:
    result, problems = recipient(replace(BR_RECIPIENT, postal_code="1310100"))

    assert result is None
    assert problems == [
        FieldProblem(
            "recipient.postal_code", "expected an 8-digit CEP such as 01310-100; got '1310100'"
        )
    ]


def test_brazilian_cep_of_another_state_is_refused() -> None:
    _, problems = recipient(replace(BR_RECIPIENT, postal_code="20040-020"))

    assert problems == [
        FieldProblem(
            "recipient.postal_code",
            "postal code 20040-020 belongs to RJ, not SP",
        )
    ]


def test_brazilian_recipient_without_cpf_is_refused() -> None:
    _, problems = recipient(replace(BR_RECIPIENT, tax_id=None))

    assert problems == [
        FieldProblem(
            "recipient.tax_id",
            "required by BR customs: expected a CPF of 11 digits or a CNPJ of 14 characters",
            "required",
        )
    ]


def test_brazilian_recipient_with_wrong_cpf_check_digit_is_refused() -> None:
    _, problems = recipient(replace(BR_RECIPIENT, tax_id="529.982.247-24"))

    assert problems == [
        FieldProblem(
            "recipient.tax_id",
            "CPF check digits do not match: expected a CPF of 11 digits or a CNPJ of 14 "
            "characters with valid check digits",
        )
    ]


def test_brazilian_company_recipient_with_cnpj() -> None:
    result, _ = recipient(replace(BR_RECIPIENT, tax_id="11.222.333/0001-81"))

    assert result is not None
    assert (result.tax_id, result.tax_id_kind) == ("11222333000181", TaxIdKind.CNPJ)


def test_tax_id_of_unknown_shape_is_refused() -> None:
    _, problems = recipient(replace(BR_RECIPIENT, tax_id="12345"))

    assert problems == [
        FieldProblem(
            "recipient.tax_id",
            "expected a CPF of 11 digits or a CNPJ of 14 characters; got '12345'",
        )
    ]


def test_sender_tax_id_is_not_checked_against_destination_rules() -> None:
    result, problems = sender(replace(CN_SENDER, tax_id="91440300MA5DC0XX1X"))

    assert problems == []
    assert result is not None
    assert (result.tax_id, result.tax_id_kind) == ("91440300MA5DC0XX1X", None)


def test_chilean_rut_is_optional_but_checked_when_given() -> None:
    chile = AddressInput(
        name="Ana Rojas",
        street_lines=("Av. Providencia 1234",),
        city="Santiago",
        region="Santiago",
        postal_code="7500000",
        country="CL",
    )
    without, no_problems = recipient(chile)
    valid, _ = recipient(replace(chile, tax_id="12.345.678-5"))
    _, wrong = recipient(replace(chile, tax_id="12.345.678-4"))

    assert no_problems == []
    assert without is not None
    assert without.region == "Región Metropolitana"
    assert valid is not None
    assert (valid.tax_id, valid.tax_id_kind) == ("123456785", TaxIdKind.RUT)
    assert [p.field for p in wrong] == ["recipient.tax_id"]


def test_recipient_outside_the_destination_is_refused() -> None:
    _, problems = recipient(US_RECIPIENT, destination="BR")

    assert problems == [
        FieldProblem("recipient.country", "expected BR, the shipment's destination")
    ]


def test_country_names_and_alpha3_codes_are_accepted() -> None:
    by_name, _ = recipient(replace(US_RECIPIENT, country="United States"))
    by_alpha3, _ = recipient(replace(US_RECIPIENT, country="USA"))

    assert by_name is not None
    assert by_alpha3 is not None
    assert by_name.country == by_alpha3.country == "US"


def test_unknown_country_is_refused() -> None:
    _, problems = recipient(replace(US_RECIPIENT, country="Atlantis"), destination="US")

    assert problems == [
        FieldProblem(
            "recipient.country", "expected an ISO 3166-1 country code such as US, not Atlantis"
        )
    ]


def test_bad_email_is_refused() -> None:
    _, problems = recipient(replace(US_RECIPIENT, email="ann@@example"))

    assert problems == [
        FieldProblem("recipient.email", "expected an e-mail address such as name@example.com")
    ]


def test_impossible_phone_is_refused_with_the_field_path() -> None:
    _, problems = recipient(replace(US_RECIPIENT, phone="123"))

    assert len(problems) == 1
    assert problems[0].field == "recipient.phone"
    assert problems[0].message.startswith("expected a valid phone number for US such as +1 ")


def test_countries_without_regions_keep_free_text() -> None:
    data = AddressInput(
        name="Tom",
        street_lines=("10 Downing Street",),
        city="London",
        postal_code="sw1a2aa",
        country="GB",
        phone="020 7925 0918",
    )
    result, problems = recipient(data)

    assert problems == []
    assert result is not None
    assert (result.city, result.postal_code, result.phone) == (
        "LONDON",
        "SW1A 2AA",
        "+442079250918",
    )
