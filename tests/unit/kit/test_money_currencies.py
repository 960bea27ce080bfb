"""Money of two currencies never compares or combines; one currency orders like its integers."""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postbridge.kit.money import Money, MoneyError
from postbridge.network.model import Incoterm, ServiceLevel
from postbridge.routing.choice import choose
from postbridge.routing.pricing import PriceBreakdown
from postbridge.routing.promise import Promise
from postbridge.routing.quote import QuoteOption

CURRENCIES = st.sampled_from(["USD", "EUR", "JPY", "KWD", "BRL", "CLP"])
MINORS = st.integers(min_value=-(10**15), max_value=10**15)
COMPARISONS: list[Callable[[Any, Any], bool]] = [
    operator.lt,
    operator.le,
    operator.gt,
    operator.ge,
]
COMBINATIONS: list[Callable[[Any, Any], Any]] = [operator.add, operator.sub]


def test_the_reported_comparison_raises() -> None:
    with pytest.raises(MoneyError, match="cannot combine USD with EUR"):
        _ = Money("USD", 1) > Money("EUR", 10**9)


@given(a=CURRENCIES, b=CURRENCIES, x=MINORS, y=MINORS)
def test_two_currencies_neither_compare_nor_combine(a: str, b: str, x: int, y: int) -> None:
    left, right = Money(a, x), Money(b, y)
    if a == b:
        return
    for compare in COMPARISONS:
        with pytest.raises(MoneyError, match=f"cannot combine {a} with {b}"):
            compare(left, right)
    for combine in COMBINATIONS:
        with pytest.raises(MoneyError, match=f"cannot combine {a} with {b}"):
            combine(left, right)
    assert left != right
    assert not left == right  # noqa: SIM201 - __eq__ itself, not __ne__
    with pytest.raises(MoneyError):
        sorted([left, right])
    with pytest.raises(MoneyError):
        min(left, right)


@given(currency=CURRENCIES, x=MINORS, y=MINORS)
def test_one_currency_orders_and_adds_like_its_minor_units(currency: str, x: int, y: int) -> None:
    left, right = Money(currency, x), Money(currency, y)
    for compare in COMPARISONS:
        assert compare(left, right) is compare(x, y)
    assert (left == right) is (x == y)
    assert left + right == Money(currency, x + y)
    assert left - right == Money(currency, x - y)
    assert sorted([left, right]) == [Money(currency, v) for v in sorted([x, y])]
    assert max(left, right).minor == max(x, y)


def test_comparing_with_a_number_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        _ = Money("USD", 1) < 2  # type: ignore[operator]
    assert Money("USD", 0) != 0


def _option(product: str, currency: str, minor: int, *, p50: int = 10) -> QuoteOption:
    money = Money(currency, minor)
    zero = Money.zero(currency)
    day = datetime(2026, 12, 1, tzinfo=UTC)
    return QuoteOption(
        product=product,
        product_name=product,
        service=ServiceLevel.STANDARD,
        partner="USPS",
        injection_point="LAX-ISC",
        incoterm=Incoterm.DDU,
        price=PriceBreakdown(money, zero, zero, None, money, "1", 500),
        promise=Promise(date(2026, 12, p50), date(2026, 12, 12), "UTC", day, day, 5, 7),
        promised_by=date(2026, 12, 15),
        within_promise=True,
        route=(),
        linehaul_cost=zero,
    )


def test_standard_picks_the_cheapest_as_money() -> None:
    options = [_option("A", "USD", 1200), _option("B", "USD", 990), _option("C", "USD", 1500)]
    assert choose(options, "standard").product == "B"


def test_standard_refuses_to_compare_prices_of_two_currencies() -> None:
    # Before, 990 JPY "beat" 10.00 USD on minor units alone.
    options = [_option("A", "USD", 1000), _option("B", "JPY", 990)]
    with pytest.raises(MoneyError, match="cannot combine"):
        choose(options, "standard")


def test_premium_ties_on_dates_break_on_price() -> None:
    options = [
        replace(_option("A", "USD", 2000), service=ServiceLevel.PREMIUM),
        replace(_option("B", "USD", 1800), service=ServiceLevel.PREMIUM),
    ]
    assert choose(options, "premium").product == "B"
