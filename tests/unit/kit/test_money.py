from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postbridge.kit.money import Money, MoneyError


def test_parse_and_render_decimal_strings() -> None:
    assert Money.parse("9.90", "usd") == Money("USD", 990)
    assert Money.parse("9.9", "USD").to_json() == {"amount": "9.90", "currency": "USD"}
    assert Money.parse("1500", "CLP").to_json() == {"amount": "1500", "currency": "CLP"}
    assert Money.parse("1.234", "KWD").minor == 1234


@pytest.mark.parametrize(
    ("amount", "currency", "message"),
    [
        ("9.999", "USD", "more than 2 decimals"),
        ("1.5", "JPY", "more than 0 decimals"),
        ("ten", "USD", "not a decimal"),
        ("NaN", "USD", "not a finite"),
        ("1", "XYZ", "unknown ISO 4217"),
    ],
)
def test_parse_refuses(amount: str, currency: str, message: str) -> None:
    with pytest.raises(MoneyError, match=message):
        Money.parse(amount, currency)


def test_arithmetic_refuses_mixed_currencies() -> None:
    with pytest.raises(MoneyError, match="USD with EUR"):
        Money("USD", 1) + Money("EUR", 1)


def test_times_rounds_half_even() -> None:
    assert Money("USD", 5).times(Decimal("0.5")) == Money("USD", 2)
    assert Money("USD", 15).times(Decimal("0.5")) == Money("USD", 8)
    assert Money("USD", -5).times(Decimal("0.5")) == Money("USD", -2)
    assert Money("USD", -15).times(Decimal("0.5")) == Money("USD", -8)
    assert Money("USD", 7).times(3) == Money("USD", 21)


@given(
    minor=st.integers(min_value=-(10**12), max_value=10**12),
    factor=st.decimals(min_value=-1000, max_value=1000, places=8, allow_nan=False),
)
def test_times_equals_decimal_half_even_rounding(minor: int, factor: Decimal) -> None:
    """The integer arithmetic gives what Decimal's quantize gives (products stay far below
    Decimal's 28 significant digits here, so Decimal is exact too)."""
    expected = (Decimal(minor) * factor).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
    assert Money("USD", minor).times(factor) == Money("USD", int(expected))


def test_times_refuses_a_factor_that_is_not_a_number() -> None:
    with pytest.raises(MoneyError, match="cannot multiply"):
        Money("USD", 5).times(Decimal("NaN"))


def test_convert_uses_target_exponent() -> None:
    assert Money("USD", 1000).convert("JPY", Decimal("151.37")) == Money("JPY", 1514)


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_round_trip_through_json(minor: int) -> None:
    money = Money("EUR", minor)
    body = money.to_json()
    assert Money.parse(body["amount"], body["currency"]) == money
