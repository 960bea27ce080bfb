"""CN22 up to the SDR threshold, CN23 above; the threshold is a parameter."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from postbridge.customs import (
    Category,
    CustomsItem,
    Declaration,
    FormType,
    MissingRate,
    form_for_declaration,
    form_type,
    fx_rate,
    value_in_sdr,
)
from postbridge.kit.money import Money

ON = date(2025, 9, 1)  # planning rate: 0.732 XDR per USD


def test_value_in_sdr_uses_the_dated_rate() -> None:
    assert value_in_sdr(Money.parse("100.00", "USD"), on_date=ON) == Decimal("73.2000")
    assert fx_rate("USD", "XDR", date(2025, 3, 1)).rate == Decimal("0.745")


def test_exactly_300_sdr_is_cn22() -> None:
    # 300 SDR = 300 / 0.732 USD = 409.836... USD
    assert form_type(Money.parse("409.83", "USD"), on_date=ON) is FormType.CN22


def test_just_above_300_sdr_is_cn23() -> None:
    assert form_type(Money.parse("409.84", "USD"), on_date=ON) is FormType.CN23


def test_the_threshold_is_a_parameter() -> None:
    value = Money.parse("200.00", "USD")  # 146.4 SDR

    assert form_type(value, on_date=ON, threshold_sdr=150) is FormType.CN22
    assert form_type(value, on_date=ON, threshold_sdr=146) is FormType.CN23


def test_other_currencies_convert_through_usd() -> None:
    # 2000 CNY / 7.12 * 0.732 = 205.6 SDR
    assert form_type(Money.parse("2000.00", "CNY"), on_date=ON) is FormType.CN22
    assert form_type(Money.parse("3000.00", "CNY"), on_date=ON) is FormType.CN23


def test_dates_before_the_rate_table_are_refused() -> None:
    with pytest.raises(MissingRate):
        form_type(Money.parse("10.00", "USD"), on_date=date(2020, 1, 1))


def test_declaration_form_uses_the_total_of_all_lines() -> None:
    line = CustomsItem("wool coat", 2, Money.parse("210.00", "USD"), "620231", "CN", 900)
    coats = Declaration(Category.SALE_OF_GOODS, (line,), "USD", "")  # 420 USD = 307 SDR

    assert form_for_declaration(coats, on_date=ON) is FormType.CN23
    assert form_for_declaration(coats, on_date=ON, threshold_sdr=310) is FormType.CN22


def test_documents_without_items_travel_on_a_cn22() -> None:
    letters = Declaration(Category.DOCUMENTS, (), None, "")

    assert form_for_declaration(letters, on_date=ON) is FormType.CN22
