"""Issue #11 point 8 in the pure core: the address forms merchants type, exact results."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.addresses.samples import CN_SENDER, recipient, sender

from postbridge.addresses import AddressInput
from postbridge.addresses.country_rules import (
    country_rules,
    postal_regions,
    region_rules,
    singapore_sectors,
)
from postbridge.addresses.phones import _library_e164, to_e164
from postbridge.errors import FieldProblem

US = AddressInput(
    name="Ann Lee",
    street_lines=("100 Congress Ave",),
    city="Austin",
    region="TX",
    postal_code="78701",
    country="US",
)
ES = AddressInput(
    name="Pepe Pérez", street_lines=("Calle Mayor 1",), city="Madrid", postal_code="28013",
    country="ES",
)  # fmt: skip
CO = AddressInput(
    name="Juan Pérez", street_lines=("Calle 100 # 10-20",), city="Bogotá", region="Bogotá",
    postal_code="110111", country="CO",
)  # fmt: skip
HK = AddressInput(
    name="Chan Tai Man", street_lines=("88 Nathan Road",), city="Kowloon", country="HK",
    phone="2123 4567",
)  # fmt: skip


def corrected(field: str, message: str) -> FieldProblem:
    return FieldProblem(field, message, "corrected")


# -- Chinese provinces ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "city", "postal_code", "expected"),
    [
        ("Guangdong Province", "Shenzhen", "518000", ("Guangdong Sheng", "Shenzhen Shi")),
        ("guangdong province", "Shenzhen City", "518000", ("Guangdong Sheng", "Shenzhen Shi")),
        ("广东", "深圳", "518000", ("Guangdong Sheng", "Shenzhen Shi")),
        ("浙江", "杭州", "310000", ("Zhejiang Sheng", "Hangzhou Shi")),
        (
            "Guangxi Zhuang Autonomous Region",
            "Nanning",
            "530000",
            ("Guangxi Zhuangzuzizhiqu", "Nanning Shi"),
        ),
        ("Shanghai Municipality", "Shanghai", "200000", ("Shanghai Shi", "Shanghai Shi")),
        ("上海", "上海", "200000", ("Shanghai Shi", "Shanghai Shi")),
    ],
)
def test_chinese_province_suffixes_in_english_and_chinese_names_without_them(
    region: str, city: str, postal_code: str, expected: tuple[str, str]
) -> None:
    result, problems = sender(replace(CN_SENDER, region=region, city=city, postal_code=postal_code))

    assert problems == []
    assert result is not None
    assert (result.region, result.city) == expected
    assert result.warnings == ()


def test_chinese_province_is_derived_from_the_postal_code() -> None:
    result, problems = sender(
        replace(CN_SENDER, region=None, city="Hangzhou", postal_code="310000")
    )

    assert problems == []
    assert result is not None
    assert (result.region, result.city) == ("Zhejiang Sheng", "Hangzhou Shi")


def test_chinese_postal_code_of_another_province_is_refused() -> None:
    _, problems = sender(replace(CN_SENDER, postal_code="310000"))

    assert problems == [
        FieldProblem(
            "sender.postal_code",
            "postal code 310000 belongs to Zhejiang Sheng, not Guangdong Sheng",
        )
    ]


def test_chinese_postal_code_whose_prefix_the_table_does_not_list_is_not_refused() -> None:
    # 14xxxx is in no province of the table: it says nothing rather than refuse a real code.
    result, problems = sender(replace(CN_SENDER, postal_code="140000"))

    assert problems == []
    assert result is not None


# -- Hong Kong --------------------------------------------------------------------------------


def test_hong_kong_sender_needs_neither_region_nor_postcode() -> None:
    result, problems = sender(HK)

    assert problems == []
    assert result is not None
    assert (result.region, result.city, result.postal_code, result.phone) == (
        "Kowloon",
        "Kowloon",
        "",
        "+85221234567",
    )


def test_hong_kong_sender_with_the_territory_as_city_keeps_no_region() -> None:
    result, problems = sender(replace(HK, city="Hong Kong"))

    assert problems == []
    assert result is not None
    assert (result.region, result.city) == ("", "Hong Kong")
    assert result.formatted_lines == (
        "Chan Tai Man",
        "88 Nathan Road",
        "HONG KONG",
    )


def test_hong_kong_district_fills_in_the_area() -> None:
    result, _ = sender(replace(HK, city="Tsim Sha Tsui"))

    assert result is not None
    assert result.region == "Kowloon"


# -- regions implied by the postal code ---------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (ES, ("M", "MADRID", "28013")),
        (replace(ES, city="Barcelona", postal_code="08001"), ("B", "BARCELONA", "08001")),
        (
            AddressInput(
                name="Ana",
                street_lines=("Av. Paulista, 1578",),
                city="Sao Paulo",
                postal_code="01310200",
                country="BR",
                tax_id="529.982.247-25",
            ),
            ("SP", "SÃO PAULO", "01310-200"),
        ),  # fmt: skip
        (
            AddressInput(
                name="María",
                street_lines=("Av. Juárez 100",),
                city="Guadalajara",
                postal_code="44100",
                country="MX",
            ),
            ("Jal.", "GUADALAJARA", "44100"),
        ),  # fmt: skip
        (
            AddressInput(
                name="Luis",
                street_lines=("Av. Reforma 1",),
                city="Ciudad de México",
                postal_code="06600",
                country="MX",
            ),
            ("CDMX", "CIUDAD DE MÉXICO", "06600"),
        ),  # fmt: skip
        (replace(US, region=None), ("TX", "AUSTIN", "78701")),
        (replace(CO, region=None), ("Bogotá", "BOGOTÁ", "110111")),
    ],
    ids=["ES Madrid", "ES Barcelona", "BR", "MX Jalisco", "MX CDMX", "US", "CO"],
)
def test_region_left_out_is_derived_from_the_postal_code(
    data: AddressInput, expected: tuple[str, str, str]
) -> None:
    result, problems = recipient(data)

    assert problems == []
    assert result is not None
    assert (result.region, result.city, result.postal_code) == expected
    assert result.warnings == ()


def test_region_left_out_and_a_malformed_postal_code_report_both() -> None:
    _, problems = recipient(replace(ES, postal_code="2801"))

    assert problems == [
        FieldProblem("recipient.region", "expected a ES province such as VI", "required"),
        FieldProblem(
            "recipient.postal_code", "expected a 5-digit código postal such as 28013; got '2801'"
        ),
    ]


def _regex_owners(country: str, code: str) -> set[str]:
    return {
        key
        for key in country_rules(country).region_display
        if (prefix := region_rules(country, key).postal_prefix) is not None and prefix.match(code)
    }


@settings(max_examples=300, deadline=None)
@given(country=st.sampled_from(["ES", "BR", "MX"]), number=st.integers(0, 99_999_999))
def test_prefix_table_says_what_libaddressinput_prefixes_say(country: str, number: int) -> None:
    code = f"{number:08d}"[: 8 if country == "BR" else 5]
    table = postal_regions(country)
    assert table is not None
    owners = _regex_owners(country, code)

    assert table.region_of(code) == (owners.pop() if len(owners) == 1 else None)


@pytest.mark.parametrize("country", ["CN", "CO"])
def test_postal_region_data_names_only_real_regions(country: str) -> None:
    table = postal_regions(country)
    assert table is not None

    assert set(table.region_by_prefix.values()) <= set(country_rules(country).region_display)
    assert table.length == 2


def test_postal_region_data_covers_every_colombian_department_and_chinese_province() -> None:
    colombia = postal_regions("CO")
    china = postal_regions("CN")
    assert colombia is not None
    assert china is not None

    assert set(colombia.region_by_prefix.values()) == set(country_rules("CO").region_display)
    # Every mainland province-level division; Hong Kong, Macao and Taiwan have no mainland code.
    assert set(country_rules("CN").region_display) - set(china.region_by_prefix.values()) == {
        "香港",
        "澳门",
        "台湾",
    }


# -- region name variants ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (replace(ES, region="Comunidad de Madrid"), "M"),
        (replace(ES, region="Madrid"), "M"),
        (replace(ES, region="Provincia de Madrid"), "M"),
        (replace(ES, city="Murcia", region="Región de Murcia", postal_code="30001"), "MU"),
        (replace(ES, city="Oviedo", region="Principado de Asturias", postal_code="33001"), "O"),
        (replace(ES, city="Pamplona", region="Comunidad Foral de Navarra", postal_code="31001"), "NA"),
        (replace(CO, region="Bogotá D.C."), "Bogotá"),
        (replace(CO, region="Bogota, D.C."), "Bogotá"),
        (replace(CO, region="Bogota"), "Bogotá"),
        (replace(CO, region="Distrito Capital"), "Bogotá"),
        (replace(CO, city="Cali", region="Valle", postal_code="760001"), "Valle del Cauca"),
        (replace(CO, city="Riohacha", region="Guajira", postal_code="440001"), "La Guajira"),
    ],
)  # fmt: skip
def test_common_variants_of_region_names(data: AddressInput, expected: str) -> None:
    result, problems = recipient(data)

    assert problems == []
    assert result is not None
    assert result.region == expected
    assert result.warnings == ()


def test_bogota_given_as_cundinamarca_is_corrected_with_a_warning() -> None:
    result, problems = recipient(replace(CO, region="Cundinamarca"))

    assert problems == []
    assert result is not None
    assert result.region == "Bogotá"
    assert result.warnings == (
        corrected(
            "recipient.region",
            "'Cundinamarca' corrected to 'Bogotá', the region of the postal code",
        ),
    )


def test_colombian_postal_code_of_another_department_is_refused() -> None:
    _, problems = recipient(replace(CO, city="Medellín", region="Antioquia"))

    assert problems == [
        FieldProblem("recipient.postal_code", "postal code 110111 belongs to Bogotá, not Antioquia")
    ]


@pytest.mark.parametrize(
    ("data", "expected_lines"),
    [
        (
            replace(CO, city="Medellín", region="Antioquia", postal_code=None),
            ("Juan Pérez", "Calle 100 # 10-20", "MEDELLÍN, ANTIOQUIA", "COLOMBIA"),
        ),
        (
            AddressInput(
                name="Ana Rojas",
                street_lines=("Av. Providencia 1234",),
                city="Santiago",
                region="RM",
                country="CL",
            ),
            ("Ana Rojas", "Av. Providencia 1234", "SANTIAGO", "REGIÓN METROPOLITANA", "CHILE"),
        ),  # fmt: skip
    ],
    ids=["CO", "CL"],
)
def test_colombian_and_chilean_addresses_without_a_postcode(
    data: AddressInput, expected_lines: tuple[str, ...]
) -> None:
    result, problems = recipient(data)

    assert problems == []
    assert result is not None
    assert result.postal_code == ""
    assert result.formatted_lines == expected_lines


# -- US ZIPs and cities -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("city", "postal_code", "region"),
    [
        ("Austin", "78701", "TX"),
        ("AUSTIN", "78701-1234", "TX"),
        ("Boston", "02134", "MA"),  # a name USPS accepts besides Allston
        ("Allston", "02134", "MA"),
        ("St. Louis", "63101", "MO"),  # USPS writes Saint Louis
        ("Saint Louis", "63101", "MO"),
        ("Brooklyn Heights", "11201", "NY"),
    ],
)
def test_us_cities_usps_accepts_for_the_zip(city: str, postal_code: str, region: str) -> None:
    result, problems = recipient(replace(US, city=city, postal_code=postal_code, region=region))

    assert problems == []
    assert result is not None
    assert result.city == city.upper()
    assert result.warnings == ()


@pytest.mark.parametrize(
    ("city", "postal_code", "region", "expected"),
    [
        ("Austn", "78701", "TX", "AUSTIN"),
        ("NYC", "10001", "NY", "NEW YORK"),
        ("Manhattan", "10001", "NY", "NEW YORK"),
        ("Pittsburg", "15213", "PA", "PITTSBURGH"),
    ],
)
def test_us_city_misspelt_or_not_a_usps_name_is_corrected(
    city: str, postal_code: str, region: str, expected: str
) -> None:
    result, problems = recipient(replace(US, city=city, postal_code=postal_code, region=region))

    assert problems == []
    assert result is not None
    assert result.city == expected
    assert result.warnings == (
        corrected(
            "recipient.city",
            f"{city.upper()!r} corrected to {expected!r}, the USPS city of ZIP {postal_code}",
        ),
    )
    assert result.formatted_lines[-2] == f"{expected}, {region} {postal_code}"


def test_us_city_that_is_another_city_is_refused() -> None:
    _, problems = recipient(replace(US, city="Dallas"))

    assert problems == [
        FieldProblem("recipient.city", "DALLAS does not match ZIP 78701, which is AUSTIN, TX")
    ]


@pytest.mark.parametrize(
    ("postal_code", "message"),
    [
        ("78700", "ZIP 78700 is not an assigned ZIP code"),
        ("00000", "ZIP 00000 is not an assigned ZIP code"),
        ("01195", "ZIP 01195 is no longer in use"),
    ],
)
def test_unassigned_or_retired_zip_is_refused(postal_code: str, message: str) -> None:
    _, problems = recipient(replace(US, postal_code=postal_code))

    assert problems == [FieldProblem("recipient.postal_code", message)]


def test_zip_of_another_state_is_refused_without_a_city_problem() -> None:
    _, problems = recipient(replace(US, postal_code="10001"))

    assert problems == [FieldProblem("recipient.postal_code", "ZIP 10001 belongs to NY, not TX")]


# -- Singapore --------------------------------------------------------------------------------


@pytest.mark.parametrize("postal_code", ["000000", "999999", "740123", "830000"])
def test_singapore_postcode_outside_every_postal_sector_is_refused(postal_code: str) -> None:
    data = AddressInput(
        name="Tan", street_lines=("10 Anson Road",), postal_code=postal_code, country="SG"
    )
    _, problems = recipient(data)

    assert problems == [
        FieldProblem(
            "recipient.postal_code",
            f"postal code {postal_code} is not in use: Singapore postal codes start with their "
            "postal sector, 01 to 82",
        )
    ]


def test_singapore_sectors_are_01_to_82_without_74() -> None:
    assert singapore_sectors() == {f"{n:02d}" for n in range(1, 83)} - {"74"}


# -- phones -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("00 1 512 555 0100", ("+15125550100", "")),
        ("0015125550100", ("+15125550100", "")),
        ("+1 512 555 0100 ext. 23", ("+15125550100", "23")),
        ("(512) 555-0100 x 23", ("+15125550100", "23")),
        ("512.555.0100 extension 123", ("+15125550100", "123")),
        ("+1-512-555-0100;ext=23", ("+15125550100", "23")),
        ("+1 512 555 0100 #23", ("+15125550100", "23")),
    ],
)
def test_phone_with_00_prefix_or_extension(phone: str, expected: tuple[str, str]) -> None:
    result, problems = recipient(replace(US, phone=phone))

    assert problems == []
    assert result is not None
    assert (result.phone, result.phone_extension) == expected


def test_invalid_number_with_an_extension_is_refused_without_keeping_it() -> None:
    _, problems = recipient(replace(US, phone="123 ext. 4"))

    assert [problem.field for problem in problems] == ["recipient.phone"]


def test_to_json_carries_the_extension_and_the_warnings() -> None:
    result, _ = recipient(replace(US, city="Austn", phone="+1 512 555 0100 ext. 23"))
    assert result is not None

    document = result.to_json()
    assert (document["phone"], document["phone_extension"]) == ("+15125550100", "23")
    assert document["warnings"] == [
        {
            "field": "recipient.city",
            "code": "corrected",
            "message": "'AUSTN' corrected to 'AUSTIN', the USPS city of ZIP 78701",
        }
    ]


@settings(max_examples=200, deadline=None)
@given(
    region=st.sampled_from(["US", "BR", "ES", "CN", "MX", "CL", "CO", "SG", "HK"]),
    digits=st.text(alphabet="0123456789", min_size=6, max_size=14),
)
def test_00_prefix_is_read_as_plus_only_for_valid_international_numbers(
    region: str, digits: str
) -> None:
    found = to_e164(f"00{digits}", region)
    if found is not None:
        as_typed = _library_e164(f"00{digits}", region)
        assert found == (as_typed or _library_e164(f"+{digits}", region))


@pytest.mark.parametrize(
    ("region", "city", "expected"),
    [
        ("Hong Kong", "Kowloon", "Kowloon"),
        ("HK SAR", "Hong Kong", ""),
        ("香港", "Central", "Hong Kong Island"),
    ],
)
def test_hong_kong_given_as_its_own_region_is_no_area(
    region: str, city: str, expected: str
) -> None:
    result, problems = sender(replace(HK, region=region, city=city))

    assert problems == []
    assert result is not None
    assert result.region == expected


@pytest.mark.parametrize(
    ("region", "city", "postal_code", "expected"),
    [
        ("Cataluña", "Barcelona", "08001", "B"),
        ("Catalunya", "Girona", "17001", "GI"),
        ("Andalucía", "Sevilla", "41001", "SE"),
        ("Comunitat Valenciana", "Valencia", "46001", "V"),
        ("País Vasco", "Bilbao", "48001", "BI"),
    ],
)
def test_spanish_community_of_several_provinces_takes_the_postal_codes_province(
    region: str, city: str, postal_code: str, expected: str
) -> None:
    result, problems = recipient(replace(ES, region=region, city=city, postal_code=postal_code))

    assert problems == []
    assert result is not None
    assert result.region == expected


def test_spanish_community_with_a_postal_code_outside_it_is_refused() -> None:
    _, problems = recipient(replace(ES, region="Cataluña"))

    assert problems == [
        FieldProblem(
            "recipient.region",
            "expected a ES province such as VI; got 'Cataluña', a group of them (B, GI, L, T): "
            "give its province, or a postal code of one",
        )
    ]
