"""Phones to E.164: the fast path must agree with phonenumbers whenever it answers."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postbridge.addresses.phones import _fast_e164, _library_e164, to_e164


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("(650) 253-0000", "US", "+16502530000"),
        ("1-512-463-2000", "US", "+15124632000"),
        ("+1 512 463 2000", "BR", "+15124632000"),
        ("11 98765-4321", "BR", "+5511987654321"),
        ("(011) 98765-4321", "BR", "+5511987654321"),
        ("13800138000", "CN", "+8613800138000"),
        ("0755 8888 6666", "CN", "+8675588886666"),
        ("912 345 678", "ES", "+34912345678"),
        ("55 1234 5678", "MX", "+525512345678"),
        ("+56 2 2345 6789", "CL", "+56223456789"),
    ],
)
def test_numbers_become_e164(raw: str, region: str, expected: str) -> None:
    assert to_e164(raw, region) == expected


@pytest.mark.parametrize(
    ("raw", "region"),
    [("123", "US"), ("+1 555 0100", "US"), ("(999) 555-1234", "US"), ("phone", "BR"), ("", "CN")],
)
def test_impossible_or_unassigned_numbers_are_refused(raw: str, region: str) -> None:
    assert to_e164(raw, region) is None


def test_country_code_cannot_start_with_zero() -> None:
    # Found by the property below: "+01..." once read as country code 1.
    assert to_e164("+012012000000", "US") is None


REGIONS = ["US", "BR", "ES", "CN", "MX", "CL", "GB", "DE", "FR", "IT", "SG"]


@settings(max_examples=200, deadline=None)
@given(
    region=st.sampled_from(REGIONS),
    digits=st.text(alphabet="0123456789", min_size=6, max_size=14),
    international=st.booleans(),
)
def test_fast_path_never_accepts_what_phonenumbers_refuses(
    region: str, digits: str, international: bool
) -> None:
    raw = f"+{digits}" if international else digits
    fast = _fast_e164(raw, region)
    if fast is not None:
        assert fast == _library_e164(raw, region)


PHONE_TYPES = [phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE]


@settings(max_examples=300, deadline=None)
@given(
    region=st.sampled_from(REGIONS),
    kind=st.sampled_from(PHONE_TYPES),
    tail=st.text(alphabet="0123456789", min_size=4, max_size=4),
    with_prefix=st.booleans(),
    international=st.booleans(),
)
def test_fast_path_agrees_with_phonenumbers_on_plausible_numbers(
    region: str, kind: int, tail: str, with_prefix: bool, international: bool
) -> None:
    # Real-looking numbers: a valid example with its last four digits replaced.
    example = phonenumbers.example_number_for_type(region, kind)
    assert example is not None
    national = phonenumbers.national_significant_number(example)[:-4] + tail
    if international:
        raw = f"+{example.country_code} {national}"
    else:
        prefix = phonenumbers.PhoneMetadata.metadata_for_region(region).national_prefix
        raw = f"{prefix}{national}" if with_prefix and prefix else national
    fast = _fast_e164(raw, region)
    if fast is not None:
        assert fast == _library_e164(raw, region)


@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize("kind", PHONE_TYPES)
def test_fast_path_answers_for_example_numbers(region: str, kind: int) -> None:
    example = phonenumbers.example_number_for_type(region, kind)
    assert example is not None
    national = phonenumbers.national_significant_number(example)

    assert _fast_e164(national, region) == f"+{example.country_code}{national}"


@settings(max_examples=300, deadline=None)
@given(region=st.sampled_from(REGIONS), data=st.data())
def test_fast_path_accepts_valid_example_numbers(region: str, data: st.DataObject) -> None:
    kind = data.draw(
        st.sampled_from(
            [phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE]
        )
    )
    example = phonenumbers.example_number_for_type(region, kind)
    assert example is not None
    national = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
    expected = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
    assert to_e164(national, region) == expected
