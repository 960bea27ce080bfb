"""Real-world spellings: pinyin Chinese provinces and cities, names without accents."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tests.unit.addresses.samples import CN_SENDER, recipient, sender

from postbridge.addresses import AddressInput
from postbridge.errors import FieldProblem


@pytest.mark.parametrize(
    ("region", "city", "postal_code", "expected_region", "expected_city"),
    [
        ("Guangdong", "Shenzhen", "518000", "Guangdong Sheng", "Shenzhen Shi"),
        ("Guangdong Sheng", "Shenzhen Shi", "518000", "Guangdong Sheng", "Shenzhen Shi"),
        ("GUANGDONG", "shenzhen", "518000", "Guangdong Sheng", "Shenzhen Shi"),
        ("广东省", "深圳市", "518000", "Guangdong Sheng", "Shenzhen Shi"),
        ("Zhejiang", "Hangzhou", "310000", "Zhejiang Sheng", "Hangzhou Shi"),
        ("Zhejiang", "Yiwu", "322000", "Zhejiang Sheng", "Yiwu Shi"),
        ("GD", "Dongguan", "523000", "Guangdong Sheng", "Dongguan Shi"),
        ("Guangxi", "Nanning", "530000", "Guangxi Zhuangzuzizhiqu", "Nanning Shi"),
    ],
)
def test_chinese_sender_pinyin_spellings_are_accepted(
    region: str, city: str, postal_code: str, expected_region: str, expected_city: str
) -> None:
    result, problems = sender(replace(CN_SENDER, region=region, city=city, postal_code=postal_code))

    assert problems == []
    assert result is not None
    assert (result.region, result.city) == (expected_region, expected_city)


def test_chinese_province_is_filled_in_from_a_well_known_city() -> None:
    result, problems = sender(replace(CN_SENDER, region=None, city="Yiwu", postal_code="322000"))

    assert problems == []
    assert result is not None
    assert result.region == "Zhejiang Sheng"


def test_chinese_city_in_the_wrong_province_is_refused() -> None:
    _, problems = sender(replace(CN_SENDER, region="Zhejiang"))

    # Its postal code (518000, Shenzhen) is not in Zhejiang either (issue #11 point 8).
    assert problems == [
        FieldProblem("sender.city", "Shenzhen is in Guangdong Sheng, not Zhejiang Sheng"),
        FieldProblem(
            "sender.postal_code",
            "postal code 518000 belongs to Guangdong Sheng, not Zhejiang Sheng",
        ),
    ]


def test_chinese_sender_phone_is_e164() -> None:
    result, _ = sender(CN_SENDER)

    assert result is not None
    assert result.phone == "+8613800138000"
    assert result.formatted_lines[-3:] == ("SHENZHEN SHI", "GUANGDONG SHENG, 518000", "CHINA")


@pytest.mark.parametrize(
    ("country", "region", "city", "postal_code", "expected_region", "expected_city"),
    [
        ("MX", "Ciudad de Mexico", "Ciudad de Mexico", "06600", "CDMX", "CIUDAD DE MEXICO"),
        ("MX", "Mexico City", "Mexico City", "06600", "CDMX", "MEXICO CITY"),
        ("MX", "Nuevo Leon", "Monterrey", "64000", "N.L.", "MONTERREY"),
        ("ES", "Madrid", "Madrid", "28013", "M", "MADRID"),
        ("ES", "Alava", "Vitoria-Gasteiz", "01001", "VI", "VITORIA-GASTEIZ"),
        ("ES", "Malaga", "Malaga", "29001", "MA", "MALAGA"),
        ("BR", "Rio de Janeiro", "Niteroi", "24020-000", "RJ", "NITERÓI"),
        ("BR", "Ceara", "Fortaleza", "60000-000", "CE", "FORTALEZA"),
    ],
)
def test_names_without_accents_are_accepted(
    country: str,
    region: str,
    city: str,
    postal_code: str,
    expected_region: str,
    expected_city: str,
) -> None:
    data = AddressInput(
        name="Maria",
        street_lines=("Calle 1",),
        city=city,
        region=region,
        postal_code=postal_code,
        country=country,
        tax_id="52998224725" if country == "BR" else None,
    )
    result, problems = recipient(data)

    assert problems == []
    assert result is not None
    assert (result.region, result.city) == (expected_region, expected_city)


def test_spanish_postal_code_of_another_province_is_refused() -> None:
    data = AddressInput(
        name="Pepe",
        street_lines=("Calle Mayor 1",),
        city="Madrid",
        region="Madrid",
        postal_code="08001",
        country="ES",
    )
    _, problems = recipient(data)

    assert problems == [
        FieldProblem(
            "recipient.postal_code",
            "postal code 08001 belongs to B, not M",
        )
    ]
