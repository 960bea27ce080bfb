"""parse_amount: the one reader of client amounts (JSON bodies and CSV cells)."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postbridge.kit.money import (
    MAX_AMOUNT_UNITS,
    Money,
    MoneyError,
    currency_exponent,
    parse_amount,
)

NOT_PLAIN = (
    'is not a plain decimal amount such as "9.90" (ASCII digits and an optional point; '
    "no exponent, sign, spaces or separators)"
)
# Every hostile amount of the fuzzing report (issue 10), and their cousins.
HOSTILE = {
    "1E999990": f"'1E999990' {NOT_PLAIN}",
    "1E999999999": f"'1E999999999' {NOT_PLAIN}",
    "1E5000": f"'1E5000' {NOT_PLAIN}",
    "1e308": f"'1e308' {NOT_PLAIN}",
    "1E400": f"'1E400' {NOT_PLAIN}",
    "１２３": f"'１２３' {NOT_PLAIN}",
    "١٢٣": f"'١٢٣' {NOT_PLAIN}",
    "1_000": f"'1_000' {NOT_PLAIN}",
    "1,000": f"'1,000' {NOT_PLAIN}",
    "+5": f"'+5' {NOT_PLAIN}",
    " 9.90": f"' 9.90' {NOT_PLAIN}",
    "9.90\n": f"'9.90\\n' {NOT_PLAIN}",
    "9 90": f"'9 90' {NOT_PLAIN}",
    ".5": f"'.5' {NOT_PLAIN}",
    "5.": f"'5.' {NOT_PLAIN}",
    "NaN": f"'NaN' {NOT_PLAIN}",
    "Infinity": f"'Infinity' {NOT_PLAIN}",
    "0x10": f"'0x10' {NOT_PLAIN}",
    "": f"'' {NOT_PLAIN}",
    "-1.00": "'-1.00' is negative; amounts start at 0",
    "1000000000000000000000000000000": (
        "'100000000000000000000000'... is too long for an amount (at most 24 characters)"
    ),
    "1000000000.01": "'1000000000.01' is above the maximum amount of 1000000000",
    "99999999999": "'99999999999' is above the maximum amount of 1000000000",
    "9.999": "'9.999' has more than 2 decimals for USD",
}


@pytest.mark.parametrize(("text", "message"), HOSTILE.items())
def test_hostile_amounts_are_refused_at_once(text: str, message: str) -> None:
    started = time.perf_counter()
    with pytest.raises(MoneyError) as caught:
        parse_amount(text, "USD")
    assert str(caught.value) == message
    assert time.perf_counter() - started < 0.01  # microseconds in fact; 1E999990 took 33 s


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("9.90", "usd", 990),
        ("9.9", "USD", 990),
        ("9.900", "USD", 990),  # trailing zeros are not extra decimals
        ("0", "USD", 0),
        ("007", "USD", 700),
        ("1000000000", "USD", 100_000_000_000),
        ("1500", "JPY", 1500),
        ("1.234", "KWD", 1234),
        ("0.0001", "CLF", 1),
    ],
)
def test_plain_amounts_read_exactly(text: str, currency: str, minor: int) -> None:
    assert parse_amount(text, currency) == Money(currency.upper(), minor)


def test_decimals_follow_the_currency() -> None:
    with pytest.raises(MoneyError, match=r"^'1.5' has more than 0 decimals for JPY$"):
        parse_amount("1.5", "JPY")
    with pytest.raises(MoneyError, match="unknown ISO 4217 currency 'XYZ'"):
        parse_amount("1", "XYZ")


def test_money_parse_refuses_a_huge_exponent_before_building_the_integer() -> None:
    started = time.perf_counter()
    with pytest.raises(MoneyError, match=r"^amount '1E999990' is too large$"):
        Money.parse("1E999990", "USD")
    assert time.perf_counter() - started < 0.01


CURRENCIES = st.sampled_from(["USD", "EUR", "JPY", "KWD", "CLP", "BRL", "CLF"])


@given(currency=CURRENCIES, data=st.data())
def test_every_plain_amount_in_range_round_trips(currency: str, data: st.DataObject) -> None:
    exponent = currency_exponent(currency)
    minor = data.draw(st.integers(min_value=0, max_value=MAX_AMOUNT_UNITS * 10**exponent))
    money = Money(currency, minor)
    assert parse_amount(money.amount_str(), currency) == money


@given(
    text=st.text(
        alphabet=st.characters(codec="utf-8", exclude_characters="0123456789."), min_size=1
    ),
    digits=st.from_regex(r"[0-9]{1,6}", fullmatch=True),
)
def test_anything_but_ascii_digits_and_one_point_is_refused(text: str, digits: str) -> None:
    for candidate in (text, digits + text, text + digits, digits[:1] + text + digits[1:]):
        if candidate.startswith("-") and candidate[1:].replace(".", "", 1).isascii():
            continue  # a sign is refused with its own message
        with pytest.raises(MoneyError):
            parse_amount(candidate, "USD")


@given(value=st.decimals(allow_nan=False, allow_infinity=False, places=2))
def test_what_is_accepted_is_exactly_the_decimal_written(value: Decimal) -> None:
    text = f"{value:f}"
    try:
        money = parse_amount(text, "USD")
    except MoneyError:
        assert value < 0 or value > MAX_AMOUNT_UNITS or len(text) > 24
        return
    assert money.as_decimal() == value
