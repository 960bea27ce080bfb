from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postbridge.errors import InvalidInput
from postbridge.identifiers import (
    AgreementNeeded,
    IdentifierProblem,
    InvalidS10,
    ServiceCategory,
    describe_service_indicator,
    format_s10,
    format_s10_block,
    is_valid_s10,
    parse_s10,
    s10_check_digit,
    s10_weighted_sum,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
S10_FIXTURE = FIXTURES / "s10_examples.txt"


@dataclass(frozen=True)
class S10Example:
    identifier: str
    valid: bool
    serial: str
    weighted_sum: int
    remainder: int
    printed_check: int
    expected_check: int


def load_examples() -> list[S10Example]:
    rows = []
    for line in S10_FIXTURE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        identifier, status, serial, total, remainder, check, _note = (
            part.strip() for part in line.split("|")
        )
        match = re.fullmatch(r"(\d) \(expected (\d)\)", check)
        assert match is not None, line
        rows.append(
            S10Example(
                identifier=identifier,
                valid=status == "VALID",
                serial=serial,
                weighted_sum=int(total),
                remainder=int(remainder),
                printed_check=int(match.group(1)),
                expected_check=int(match.group(2)),
            )
        )
    return rows


EXAMPLES = load_examples()
VALID = [e for e in EXAMPLES if e.valid]
INVALID = [e for e in EXAMPLES if not e.valid]


def test_fixture_has_the_documented_counts() -> None:
    assert (len(VALID), len(INVALID)) == (20, 5)


@pytest.mark.parametrize("example", VALID, ids=lambda e: e.identifier)
def test_valid_examples_parse_and_sums_match(example: S10Example) -> None:
    parsed = parse_s10(example.identifier)

    assert parsed.text == example.identifier
    assert parsed.serial == example.serial
    assert s10_weighted_sum(example.serial) == example.weighted_sum
    assert example.weighted_sum % 11 == example.remainder
    assert s10_check_digit(example.serial) == example.expected_check == parsed.check_digit
    assert is_valid_s10(example.identifier) is True


@pytest.mark.parametrize("example", INVALID, ids=lambda e: e.identifier)
def test_invalid_examples_are_refused_for_their_check_digit(example: S10Example) -> None:
    with pytest.raises(InvalidS10) as caught:
        parse_s10(example.identifier)

    assert caught.value.reason is IdentifierProblem.BAD_CHECK_DIGIT
    assert f"requires {example.expected_check}" in str(caught.value)
    assert s10_weighted_sum(example.serial) == example.weighted_sum
    assert s10_check_digit(example.serial) == example.expected_check
    assert is_valid_s10(example.identifier) is False


def test_worked_example_from_the_standard() -> None:
    assert s10_weighted_sum("47312482") == 200
    assert s10_check_digit("47312482") == 9
    assert format_s10("RR", 47312482, "GB") == "RR473124829GB"


@pytest.mark.parametrize(("serial", "check"), [("00000000", 5), ("10047514", 5), ("10158380", 0)])
def test_remainders_zero_and_one_map_to_five_and_zero(serial: str, check: int) -> None:
    assert s10_check_digit(serial) == check


@pytest.mark.parametrize(
    ("text", "reason", "fragment"),
    [
        ("RR47312482GB", IdentifierProblem.WRONG_LENGTH, "has 12"),
        ("RR4731248299GB", IdentifierProblem.WRONG_LENGTH, "has 14"),
        ("1R473124829GB", IdentifierProblem.BAD_SERVICE_INDICATOR, "'1R'"),
        ("JJ473124829GB", IdentifierProblem.BAD_SERVICE_INDICATOR, "reserved"),
        ("SA473124829GB", IdentifierProblem.BAD_SERVICE_INDICATOR, "reserved"),
        ("RR4731248X9GB", IdentifierProblem.BAD_FORMAT, "'4731248X9'"),
        ("RR473124829XX", IdentifierProblem.UNKNOWN_COUNTRY, "'XX'"),
        ("RR4731248291B", IdentifierProblem.UNKNOWN_COUNTRY, "'1B'"),
        ("RR473124822GB", IdentifierProblem.BAD_CHECK_DIGIT, "is 2 but serial 47312482 requires 9"),
    ],
)
def test_refusals_name_the_broken_rule(text: str, reason: IdentifierProblem, fragment: str) -> None:
    with pytest.raises(InvalidS10) as caught:
        parse_s10(text)

    assert caught.value.reason is reason
    assert fragment in str(caught.value)


def test_errors_are_value_errors_and_422_input_errors() -> None:
    with pytest.raises(InvalidS10) as caught:
        parse_s10("nonsense")

    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, InvalidInput)
    assert caught.value.http_status == 422
    assert caught.value.problems[0].field == "tracking_number"
    assert caught.value.problems[0].code == "wrong_length"


def test_spaces_and_lower_case_are_accepted() -> None:
    parsed = parse_s10(" rr 473 124 829 gb ")

    assert parsed.text == "RR473124829GB"
    assert parsed.spaced == "RR 473 124 829 GB"
    assert parsed.serial_number == 47312482
    assert str(parsed) == "RR473124829GB"


def test_format_accepts_alpha3_and_names_and_refuses_bad_parts() -> None:
    assert format_s10("lx", 10047514, "CHN") == "LX100475145CN"
    assert format_s10("EE", 47110815, "France") == "EE471108151FR"
    with pytest.raises(InvalidS10) as too_big:
        format_s10("RR", 100_000_000, "GB")
    assert too_big.value.reason is IdentifierProblem.BAD_SERIAL
    with pytest.raises(InvalidS10) as reserved:
        format_s10("WA", 1, "GB")
    assert reserved.value.reason is IdentifierProblem.BAD_SERVICE_INDICATOR
    with pytest.raises(InvalidS10) as country:
        format_s10("RR", 1, "Atlantis")
    assert country.value.reason is IdentifierProblem.UNKNOWN_COUNTRY


@pytest.mark.parametrize(
    ("indicator", "category", "agreement"),
    [
        ("EA", ServiceCategory.EMS, AgreementNeeded.NONE),
        ("EZ", ServiceCategory.EMS, AgreementNeeded.BILATERAL),
        ("CP", ServiceCategory.PARCEL_POST, AgreementNeeded.NONE),
        ("CZ", ServiceCategory.PARCEL_POST, AgreementNeeded.BILATERAL),
        ("LX", ServiceCategory.LETTER_POST_EXPRESS, AgreementNeeded.NONE),
        ("LZ", ServiceCategory.LETTER_POST_EXPRESS, AgreementNeeded.BILATERAL),
        ("RR", ServiceCategory.LETTER_POST_REGISTERED, AgreementNeeded.NONE),
        ("UA", ServiceCategory.LETTER_POST_CUSTOMS, AgreementNeeded.NONE),
        ("VV", ServiceCategory.LETTER_POST_INSURED, AgreementNeeded.NONE),
        ("HY", ServiceCategory.ECOMMERCE_PARCEL, AgreementNeeded.MULTILATERAL),
        ("QM", ServiceCategory.LETTER_POST_IBRS, AgreementNeeded.NONE),
        ("QN", ServiceCategory.UNASSIGNED, AgreementNeeded.NONE),
        ("MB", ServiceCategory.LETTER_POST_M_BAG, AgreementNeeded.NONE),
        ("GD", ServiceCategory.DOMESTIC_OR_AGREEMENT, AgreementNeeded.NONE),
        ("GB", ServiceCategory.UNASSIGNED, AgreementNeeded.NONE),
        ("AW", ServiceCategory.DOMESTIC_OR_AGREEMENT, AgreementNeeded.NONE),
        ("OA", ServiceCategory.UNASSIGNED, AgreementNeeded.NONE),
        ("KZ", ServiceCategory.RESERVED, AgreementNeeded.NONE),
        ("TA", ServiceCategory.RESERVED, AgreementNeeded.NONE),
    ],
)
def test_service_indicator_table(
    indicator: str, category: ServiceCategory, agreement: AgreementNeeded
) -> None:
    info = describe_service_indicator(indicator)

    assert (info.category, info.agreement) == (category, agreement)


def test_parsed_id_describes_its_service() -> None:
    assert parse_s10("EZ000012162US").service.category is ServiceCategory.EMS


ISSUABLE = [a + b for a in "ABCDEFGHILMNOPQRUVXYZ" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"]
COUNTRIES = ["CN", "US", "GB", "SG", "ES", "BR", "CL", "MX", "HK", "FR"]
indicators = st.sampled_from(ISSUABLE)
serials = st.integers(min_value=0, max_value=99_999_999)
countries = st.sampled_from(COUNTRIES)


@given(indicators, serials, countries)
def test_format_then_parse_round_trips(indicator: str, serial: int, country: str) -> None:
    text = format_s10(indicator, serial, country)
    parsed = parse_s10(text)

    assert (parsed.service_indicator, parsed.serial_number, parsed.country) == (
        indicator,
        serial,
        country,
    )
    assert parse_s10(parsed.spaced) == parsed


@given(serials, st.integers(min_value=2, max_value=10), st.integers(min_value=1, max_value=9))
def test_single_digit_substitution_is_caught_except_the_known_blind_spot(
    serial: int, position: int, shift: int
) -> None:
    text = format_s10("RR", serial, "CN")
    digit = (int(text[position]) + shift) % 10
    altered = text[:position] + str(digit) + text[position + 1 :]
    if position == 10:
        assert is_valid_s10(altered) is False
        return
    before = s10_weighted_sum(text[2:10]) % 11
    after = s10_weighted_sum(altered[2:10]) % 11
    # Remainders 0 and 6 both give check digit 5: the one substitution S10 cannot see.
    blind_spot = {before, after} == {0, 6}
    assert is_valid_s10(altered) is blind_spot


@given(
    first=st.integers(min_value=0, max_value=99_999_999),
    count=st.integers(min_value=1, max_value=40),
    indicator=st.sampled_from(["LX", "RR", "CP", "EE", "UA"]),
    issuer=st.sampled_from(["CN", "HK", "US"]),
)
def test_a_block_equals_one_id_at_a_time(
    first: int, count: int, indicator: str, issuer: str
) -> None:
    count = min(count, 100_000_000 - first)
    expected = [format_s10(indicator, serial, issuer) for serial in range(first, first + count)]
    assert format_s10_block(indicator, first, count, issuer) == expected


def test_a_block_checks_its_inputs_once_and_its_last_serial() -> None:
    assert format_s10_block("LX", 5, 0, "CN") == []
    with pytest.raises(InvalidS10, match="reserved"):
        format_s10_block("JX", 1, 3, "CN")
    with pytest.raises(InvalidS10, match="0–99999999"):
        format_s10_block("LX", 99_999_999, 2, "CN")
