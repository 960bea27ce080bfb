from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postbridge.identifiers import (
    ChannelApplicationId,
    IdentifierProblem,
    InvalidImpb,
    build_impb_barcode,
    build_impb_block,
    build_impb_tracking_number,
    impb_check_digit,
    impb_weighted_sum,
    is_valid_impb,
    normalize_routing_zip,
    parse_impb_barcode,
    parse_impb_tracking_number,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
IMPB_FIXTURE = FIXTURES / "impb_examples.txt"


@dataclass(frozen=True)
class ImpbExample:
    data: str
    valid: bool
    routing_zip: str | None
    pic: str
    expected_check: int


def load_examples() -> list[ImpbExample]:
    rows = []
    for line in IMPB_FIXTURE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        data, status, zip_code, pic, check, _note = (part.strip() for part in line.split("|"))
        rows.append(
            ImpbExample(
                data=data,
                valid=status == "VALID",
                routing_zip=None if zip_code == "-" else zip_code,
                pic=pic,
                expected_check=int(check),
            )
        )
    return rows


EXAMPLES = load_examples()
VALID = [e for e in EXAMPLES if e.valid]
INVALID = [e for e in EXAMPLES if not e.valid]


def test_fixture_has_the_documented_counts() -> None:
    assert (len(VALID), len(INVALID)) == (15, 3)


@pytest.mark.parametrize("example", VALID, ids=lambda e: e.data)
def test_valid_examples_split_and_validate(example: ImpbExample) -> None:
    barcode = parse_impb_barcode(example.data)

    assert barcode.routing_zip == example.routing_zip
    assert barcode.tracking_number.digits == example.pic
    assert barcode.data == example.data
    assert impb_check_digit(example.pic[:-1]) == example.expected_check
    assert barcode.tracking_number.check_digit == example.expected_check
    assert is_valid_impb(example.data) is True


@pytest.mark.parametrize("example", INVALID, ids=lambda e: e.data)
def test_invalid_examples_are_refused_for_their_check_digit(example: ImpbExample) -> None:
    with pytest.raises(InvalidImpb) as caught:
        parse_impb_barcode(example.data)

    assert caught.value.reason is IdentifierProblem.BAD_CHECK_DIGIT
    assert f"requires {example.expected_check}" in str(caught.value)
    assert impb_check_digit(example.pic[:-1]) == example.expected_check
    assert is_valid_impb(example.data) is False


def test_worked_example_sum() -> None:
    assert impb_weighted_sum("927489011149460144383") == 174
    assert impb_check_digit("927489011149460144383") == 6


def test_check_digit_is_zero_not_ten_when_the_sum_is_a_multiple_of_ten() -> None:
    assert impb_weighted_sum("926129011318541746851") % 10 == 0
    assert impb_check_digit("926129011318541746851") == 0


def test_commercial_pic_fields() -> None:
    pic = parse_impb_tracking_number("9261 2901 1318 5417 4685 10")

    assert pic.channel is ChannelApplicationId.COMMERCIAL_MID9
    assert (pic.service_type_code, pic.mailer_id, pic.serial) == ("612", "901131854", "1746851")
    assert pic.grouped == "9261 2901 1318 5417 4685 10"
    six = parse_impb_tracking_number("9302234567890123456788")
    assert (six.channel, six.service_type_code, six.mailer_id, six.serial) == (
        ChannelApplicationId.COMMERCIAL_MID6,
        "022",
        "345678",
        "9012345678",
    )
    online = parse_impb_tracking_number("9400111201080805483016")
    assert (online.channel, online.mailer_id, online.serial) == (
        ChannelApplicationId.USPS_ONLINE,
        None,
        None,
    )


def test_build_commercial_numbers() -> None:
    short = build_impb_tracking_number(service_type_code="001", mailer_id="900000001", serial=1)
    assert short.digits == "9200190000000100000015"
    long_six = build_impb_tracking_number(
        service_type_code="001", mailer_id="123456", serial=99, long_form=True
    )
    assert long_six.digits == "93001123456000000000000996"
    assert len(long_six.digits) == 26


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"service_type_code": "01", "mailer_id": "900000001", "serial": 1}, "bad_format"),
        ({"service_type_code": "001", "mailer_id": "800000001", "serial": 1}, "bad_mailer_id"),
        ({"service_type_code": "001", "mailer_id": "12345", "serial": 1}, "bad_mailer_id"),
        ({"service_type_code": "001", "mailer_id": "900000001", "serial": 10**7}, "bad_serial"),
        ({"service_type_code": "001", "mailer_id": "123456", "serial": 10**10}, "bad_serial"),
    ],
)
def test_build_refuses_bad_parts(kwargs: dict[str, object], reason: str) -> None:
    with pytest.raises(InvalidImpb) as caught:
        build_impb_tracking_number(**kwargs)  # type: ignore[arg-type]

    assert caught.value.reason == reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("940011120108080548301", IdentifierProblem.WRONG_LENGTH),
        ("8400111201080805483016", IdentifierProblem.BAD_CHANNEL),
        ("9261290113185417468510"[:5] + "1" + "9261290113185417468510"[6:], "bad_mailer_id"),
        ("94001112010808054830AB", IdentifierProblem.BAD_FORMAT),
    ],
)
def test_pic_refusals(text: str, reason: str) -> None:
    with pytest.raises(InvalidImpb) as caught:
        parse_impb_tracking_number(text)

    assert caught.value.reason == reason


def test_scanner_forms_are_understood() -> None:
    expected = ("12345", "9302234567890123456788")
    for text in (
        "(420)12345(93)02234567890123456788",
        "]C1420123459302234567890123456788",
        "42012345\x1d9302234567890123456788",
        "420123459302234567890123456788",
    ):
        barcode = parse_impb_barcode(text)
        assert (barcode.routing_zip, barcode.tracking_number.digits) == expected


def test_element_string_and_fnc1_fields() -> None:
    barcode = build_impb_barcode("12345-6789", "9302234567890123456788")

    assert barcode.routing_zip == "123456789"
    assert barcode.fnc1_fields() == ("420123456789", "9302234567890123456788")
    assert barcode.element_string == "(420)123456789(93)02234567890123456788"
    assert build_impb_barcode(None, barcode.tracking_number).fnc1_fields() == (
        "9302234567890123456788",
    )


def test_ambiguous_concatenation_is_refused_but_separated_data_is_not() -> None:
    # ZIP+4 ending in 9300 turns "420"+ZIP9+PIC22 into an equally valid ZIP5+PIC26 (AI 93).
    data = "420" + "100019300" + "9400111201080805483016"
    with pytest.raises(InvalidImpb) as caught:
        parse_impb_barcode(data)
    assert caught.value.reason is IdentifierProblem.AMBIGUOUS_ROUTING

    separated = parse_impb_barcode("420100019300\x1d9400111201080805483016")
    assert separated.routing_zip == "100019300"


def test_routing_zip_must_be_zip5_or_zip9() -> None:
    assert normalize_routing_zip(" 12345 ") == "12345"
    with pytest.raises(InvalidImpb) as caught:
        normalize_routing_zip("1234")
    assert caught.value.reason is IdentifierProblem.BAD_ROUTING_CODE


short_mid = st.from_regex(r"\A[0-9]{6}\Z")
long_mid = st.from_regex(r"\A9[0-9]{8}\Z")
stc = st.from_regex(r"\A[0-9]{3}\Z")


@st.composite
def tracking_numbers(draw: st.DrawFn) -> str:
    mailer_id = draw(st.one_of(short_mid, long_mid))
    long_form = draw(st.booleans())
    digits = {(9, False): 7, (9, True): 11, (6, False): 10, (6, True): 14}[
        (len(mailer_id), long_form)
    ]
    serial = draw(st.integers(min_value=0, max_value=10**digits - 1))
    return build_impb_tracking_number(
        service_type_code=draw(stc), mailer_id=mailer_id, serial=serial, long_form=long_form
    ).digits


@given(tracking_numbers(), st.from_regex(r"\A[0-9]{5}([0-9]{4})?\Z"))
def test_build_then_parse_round_trips(pic: str, zip_code: str) -> None:
    barcode = build_impb_barcode(zip_code, pic)

    separated = parse_impb_barcode("\x1d".join(barcode.fnc1_fields()))
    assert separated == barcode
    assert parse_impb_tracking_number(barcode.tracking_number.grouped).digits == pic
    if len(zip_code) == 5 and len(pic) == 22:  # 30 digits: only one possible split
        assert parse_impb_barcode(barcode.data) == barcode


@given(tracking_numbers(), st.data())
def test_any_single_digit_substitution_is_detected(pic: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(min_value=0, max_value=len(pic) - 1))
    shift = data.draw(st.integers(min_value=1, max_value=9))
    digit = (int(pic[position]) + shift) % 10
    altered = pic[:position] + str(digit) + pic[position + 1 :]

    assert is_valid_impb(altered) is False


@given(
    first=st.integers(min_value=0, max_value=9_999_999_000),
    count=st.integers(min_value=1, max_value=30),
    mailer_id=st.sampled_from(["901234", "912345678"]),
    service_type_code=st.sampled_from(["001", "612", "748"]),
)
def test_a_block_equals_one_number_at_a_time(
    first: int, count: int, mailer_id: str, service_type_code: str
) -> None:
    if len(mailer_id) == 9:
        first %= 10_000_000 - count
    expected = [
        build_impb_tracking_number(
            service_type_code=service_type_code, mailer_id=mailer_id, serial=serial
        ).digits
        for serial in range(first, first + count)
    ]
    block = build_impb_block(
        service_type_code=service_type_code, mailer_id=mailer_id, first_serial=first, count=count
    )
    assert block == expected
    assert all(is_valid_impb(number) for number in block)


def test_a_block_refuses_a_last_serial_that_does_not_fit() -> None:
    with pytest.raises(InvalidImpb, match="serial must fit in 7 digits"):
        build_impb_block(
            service_type_code="001", mailer_id="912345678", first_serial=9_999_999, count=2
        )
