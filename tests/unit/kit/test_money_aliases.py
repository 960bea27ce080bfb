"""Currency codes merchants write that are not ISO 4217: RMB is CNY (issue #11 point 8)."""

from __future__ import annotations

import pytest

from postbridge.kit.money import Money, MoneyError, canonical_currency, parse_amount
from postbridge.kit.schemas import MoneyIn


@pytest.mark.parametrize("typed", ["RMB", "rmb", "Rmb", "CNY", "cny"])
def test_rmb_is_read_as_cny(typed: str) -> None:
    assert canonical_currency(typed) == "CNY"
    assert parse_amount("68.00", typed) == Money("CNY", 6800)
    assert Money.parse("68.5", typed) == Money("CNY", 6850)
    assert MoneyIn(currency=typed, amount="68.00").to_money() == Money("CNY", 6800)
    assert MoneyIn(currency=typed, amount="68.00").currency == "CNY"


def test_other_codes_are_only_upper_cased() -> None:
    assert canonical_currency("usd") == "USD"
    with pytest.raises(MoneyError, match="unknown ISO 4217 currency 'RMX'"):
        parse_amount("1.00", "RMX")
