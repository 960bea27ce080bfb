"""Duties and taxes under the dated rule in force on the shipment date."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import yaml

from postbridge.customs import (
    ChargeKind,
    CustomsItem,
    DutyEstimate,
    EstimateStatus,
    Payer,
    estimate_duties_and_taxes,
    parse_rule_book,
    rule_book,
)
from postbridge.kit.money import Money


def item(
    value: str, currency: str = "USD", *, hs: str = "610910", origin: str = "CN"
) -> CustomsItem:
    return CustomsItem("cotton T-shirt", 1, Money.parse(value, currency), hs, origin, 200)


def estimate(
    destination: str,
    items: list[CustomsItem],
    on: date,
    *,
    shipping: Money | None = None,
    incoterm: str = "DDU",
    origin: str = "CN",
    option: str | None = None,
) -> DutyEstimate:
    return estimate_duties_and_taxes(
        destination_country=destination,
        items=items,
        shipping_cost=shipping,
        incoterm="DDP" if incoterm == "DDP" else "DDU",
        on_date=on,
        origin_country=origin,
        us_postal_option="specific" if option == "specific" else None,
    )


def usd(amount: str) -> Money:
    return Money.parse(amount, "USD")


# ------------------------------------------------------------------ United States


def test_us_china_origin_august_vs_september_2025_differ() -> None:
    before = estimate("US", [item("40.00")], date(2025, 8, 1))
    after = estimate("US", [item("40.00")], date(2025, 9, 1))

    assert (before.duties, before.rules[0].id) == (usd("21.60"), "us-postal-china-geneva")
    assert (after.duties, after.rules[0].id) == (usd("12.00"), "us-postal-eo14324")
    assert after.rules[1].id == "ieepa-rate-CN"


def test_us_other_origin_loses_de_minimis_on_29_august_2025() -> None:
    before = estimate("US", [item("40.00", origin="VN")], date(2025, 8, 28), origin="VN")
    after = estimate("US", [item("40.00", origin="VN")], date(2025, 8, 29), origin="VN")

    assert (before.total, before.status, before.rules[0].id) == (
        usd("0.00"),
        EstimateStatus.COMPLETE,
        "us-de-minimis-800",
    )
    assert (after.total, after.rules[0].id) == (usd("4.00"), "us-postal-eo14324")


def test_us_specific_option_uses_the_band_of_the_origin_rate() -> None:
    china_30 = estimate("US", [item("40.00")], date(2025, 9, 1), option="specific")
    china_20 = estimate("US", [item("40.00")], date(2025, 12, 1), option="specific")
    vietnam_10 = estimate(
        "US", [item("40.00", origin="VN")], date(2025, 9, 1), origin="VN", option="specific"
    )

    assert china_30.duties == usd("200.00")
    assert china_20.duties == usd("160.00")
    assert vietnam_10.duties == usd("80.00")


def test_us_specific_amount_is_per_postal_item_not_per_line() -> None:
    result = estimate("US", [item("10.00"), item("15.00")], date(2025, 8, 1), option="specific")

    assert result.duties == usd("100.00")


def test_us_china_origin_timeline() -> None:
    assert estimate("US", [item("40.00")], date(2025, 5, 1)).total == usd("0.00")
    assert estimate("US", [item("40.00")], date(2025, 5, 2)).total == usd("48.00")
    assert estimate("US", [item("40.00")], date(2025, 5, 14)).total == usd("21.60")


def test_us_section_122_period_and_unknown_regime_after_it() -> None:
    surcharge = estimate("US", [item("40.00")], date(2026, 3, 1), option="specific")
    unknown = estimate("US", [item("40.00")], date(2026, 7, 25))

    assert (surcharge.duties, surcharge.rules[0].id) == (usd("4.00"), "us-postal-section-122")
    assert "The specific per-item option is not available on this date." in surcharge.note
    assert unknown.status is EstimateStatus.PARTIAL
    assert unknown.total == usd("0.00")
    assert [rule.id for rule in unknown.rules] == ["us-postal-after-section-122"]
    assert "no later postal duty rate is recorded here" in unknown.note
    assert "Partial estimate: charges above are a lower bound." in unknown.note


def test_us_above_de_minimis_is_partial() -> None:
    result = estimate("US", [item("800.01", origin="VN")], date(2025, 8, 1), origin="VN")

    assert result.status is EstimateStatus.PARTIAL


# ------------------------------------------------------------------ European Union


def test_eu_ioss_at_and_above_150_eur() -> None:
    shipping = Money.parse("10.00", "EUR")
    at = estimate(
        "DE", [item("150.00", "EUR")], date(2025, 9, 1), shipping=shipping, incoterm="DDP"
    )
    above = estimate("DE", [item("150.01", "EUR")], date(2025, 9, 1), shipping=shipping)

    assert (at.status, at.duties, at.taxes) == (
        EstimateStatus.COMPLETE,
        Money.parse("0.00", "EUR"),
        Money.parse("30.40", "EUR"),
    )
    assert at.collected_at_sale == Money.parse("30.40", "EUR")
    assert at.landed_cost == Money.parse("190.40", "EUR")
    assert at.payer is Payer.MERCHANT
    assert above.status is EstimateStatus.PARTIAL
    assert above.due_on_delivery == Money.parse("30.40", "EUR")
    assert above.payer is Payer.BUYER


def test_eu_threshold_converts_into_the_declaration_currency() -> None:
    # EUR 150 at 0.862 EUR per USD is 174.01 USD.
    below = estimate("FR", [item("174.01")], date(2025, 9, 1))
    above = estimate("FR", [item("174.02")], date(2025, 9, 1))

    assert below.status is EstimateStatus.COMPLETE
    assert below.taxes == usd("34.80")
    assert above.status is EstimateStatus.PARTIAL
    assert [(r.base, r.quote, r.rate) for r in below.fx_rates] == [
        ("EUR", "USD", Decimal(1) / Decimal("0.862"))
    ]


def test_eu_vat_rate_is_dated_per_member_state() -> None:
    july = estimate("RO", [item("100.00", "EUR")], date(2025, 7, 31))
    august = estimate("RO", [item("100.00", "EUR")], date(2025, 8, 1))

    assert july.taxes == Money.parse("19.00", "EUR")
    assert august.taxes == Money.parse("21.00", "EUR")


def test_eu_flat_duty_per_tariff_subheading_from_july_2026() -> None:
    items = [
        item("20.00", "EUR"),
        item("20.00", "EUR", hs="640299"),
        item("5.00", "EUR", hs="61091000"),  # same subheading 610910 as the first
    ]
    before = estimate("FR", items, date(2026, 6, 30))
    after = estimate("FR", items, date(2026, 7, 1))

    assert before.duties == Money.parse("0.00", "EUR")
    assert after.duties == Money.parse("6.00", "EUR")
    assert after.taxes == Money.parse("9.00", "EUR")
    assert after.rules[0].id == "eu-low-value-flat-duty"


# ------------------------------------------------------------------ United Kingdom


def test_uk_135_gbp_boundary() -> None:
    at = estimate("GB", [item("135.00", "GBP")], date(2025, 9, 1))
    above = estimate("GB", [item("135.01", "GBP")], date(2025, 9, 1))

    assert (at.status, at.duties, at.taxes) == (
        EstimateStatus.COMPLETE,
        Money.parse("0.00", "GBP"),
        Money.parse("27.00", "GBP"),
    )
    assert at.collected_at_sale == Money.parse("27.00", "GBP")
    assert above.status is EstimateStatus.PARTIAL
    assert above.collected_at_sale == Money.parse("0.00", "GBP")
    assert above.due_on_delivery == Money.parse("27.00", "GBP")


# ------------------------------------------------------------------ Brazil


@pytest.mark.parametrize(
    ("value", "import_tax", "icms"),
    [
        ("30.00", "6.00", "7.37"),  # 20 %; ICMS (30 + 6) x 0.17 / 0.83
        ("50.00", "10.00", "12.29"),  # last value of the 20 % band
        ("50.01", "10.01", "12.29"),  # 60 % minus USD 20
        ("100.00", "40.00", "28.67"),
        ("3000.00", "1780.00", "979.04"),
    ],
)
def test_br_remessa_conforme_bands(value: str, import_tax: str, icms: str) -> None:
    result = estimate("BR", [item(value)], date(2025, 9, 1), incoterm="DDP")

    assert [(line.kind, line.amount) for line in result.lines] == [
        (ChargeKind.DUTY, usd(import_tax)),
        (ChargeKind.TAX, usd(icms)),
    ]
    assert result.collected_at_sale == result.total
    assert result.status is EstimateStatus.COMPLETE


def test_br_customs_value_includes_shipping() -> None:
    result = estimate("BR", [item("40.00")], date(2025, 9, 1), shipping=usd("10.00"))

    assert result.duties == usd("10.00")


def test_amounts_are_in_the_declaration_currency_with_the_rates_used() -> None:
    # 7.12 CNY per USD: shipping 71.20 CNY; USD 50 band edge 356.00 CNY; USD 20 = 142.40 CNY.
    result = estimate("BR", [item("300.00", "CNY")], date(2025, 9, 1), shipping=usd("10.00"))

    assert result.shipping_cost == Money.parse("71.20", "CNY")
    assert result.duties == Money.parse("80.32", "CNY")  # 371.20 x 60 % - 142.40
    assert result.taxes == Money.parse("92.48", "CNY")  # (371.20 + 80.32) x 0.17 / 0.83
    assert {(rate.base, rate.quote) for rate in result.fx_rates} == {("USD", "CNY")}


def test_br_above_3000_usd_is_not_estimated() -> None:
    assert estimate("BR", [item("3000.01")], date(2025, 9, 1)).status is EstimateStatus.PARTIAL


def test_br_before_august_2024_had_no_tax_up_to_50_usd() -> None:
    small = estimate("BR", [item("30.00")], date(2024, 7, 31))
    large = estimate("BR", [item("100.00")], date(2024, 7, 31))

    assert small.duties == usd("0.00")
    assert small.taxes == usd("6.14")
    assert large.duties == usd("60.00")


# ------------------------------------------------------------------ Chile and Mexico


def test_cl_ley_21713_ends_the_41_usd_exemption() -> None:
    before = estimate("CL", [item("30.00")], date(2025, 10, 24))
    after = estimate("CL", [item("30.00")], date(2025, 10, 25))
    large = estimate("CL", [item("600.00")], date(2025, 10, 25))

    assert before.total == usd("0.00")
    assert (after.duties, after.taxes) == (usd("0.00"), usd("5.70"))
    assert (large.duties, large.taxes) == (usd("36.00"), usd("120.84"))


def test_mx_global_rate_rises_on_15_august_2025() -> None:
    before = estimate("MX", [item("100.00")], date(2025, 8, 14))
    after = estimate("MX", [item("100.00")], date(2025, 8, 15))
    usmca = estimate("MX", [item("100.00", origin="US")], date(2025, 8, 15), origin="US")

    assert before.duties == usd("19.00")
    assert after.duties == usd("33.50")
    assert usmca.duties == usd("17.00")


# ------------------------------------------------------------------ Payer, fallback, data


def test_ddu_buyer_and_ddp_merchant() -> None:
    ddu = estimate("US", [item("40.00")], date(2025, 9, 1), shipping=usd("5.00"))
    ddp = estimate("US", [item("40.00")], date(2025, 9, 1), shipping=usd("5.00"), incoterm="DDP")

    assert ddu.payer is Payer.BUYER
    assert ddu.note.endswith(
        "DDU: the buyer pays 12.00 USD in import charges: 0.00 USD at "
        "checkout, 12.00 USD on delivery."
    )
    assert ddp.payer is Payer.MERCHANT
    assert ddp.landed_cost == usd("57.00")
    assert ddp.note.endswith(
        "DDP: the merchant pays 12.00 USD in import charges; landed cost 57.00 USD."
    )


def test_documents_without_items_pay_nothing() -> None:
    result = estimate("US", [], date(2025, 9, 1), shipping=usd("5.00"), option="specific")

    assert (result.status, result.total, result.lines) == (
        EstimateStatus.COMPLETE,
        usd("0.00"),
        (),
    )
    assert "No dutiable items (documents only): no import charges." in result.note


def test_no_import_inside_a_country_or_the_eu() -> None:
    domestic = estimate("BR", [item("100.00")], date(2025, 9, 1), origin="BR")
    intra_eu = estimate("FR", [item("100.00", "EUR")], date(2025, 9, 1), origin="DE")

    for result in (domestic, intra_eu):
        assert (result.status, result.total.minor, result.rules) == (
            EstimateStatus.COMPLETE,
            0,
            (),
        )
    assert intra_eu.note == "From DE to FR is not an import: no duties or import taxes."


def test_destination_without_rules_says_so() -> None:
    result = estimate("JP", [item("100.00")], date(2025, 9, 1))

    assert result.status is EstimateStatus.NOT_ESTIMATED
    assert result.lines == ()
    assert result.rules == ()


def test_every_rule_cites_a_source_and_rules_do_not_overlap() -> None:
    book = rule_book()
    for rule in book.rules:
        assert rule.source.strip()
        assert rule.effective_to is None or rule.effective_from <= rule.effective_to
    for destination in {d for rule in book.rules for d in rule.destinations}:
        for origin in ("CN", "HK", "VN", "US"):
            matching = [
                r for r in book.rules if destination in r.destinations and r.admits_origin(origin)
            ]
            for first in matching:
                for second in matching:
                    if first is second:
                        continue
                    first_end = first.effective_to or date.max - timedelta(days=1)
                    second_end = second.effective_to or date.max - timedelta(days=1)
                    overlap = (
                        first.effective_from <= second_end and second.effective_from <= first_end
                    )
                    assert not overlap, (destination, origin, first.id, second.id)


def test_a_new_destination_is_data_not_code() -> None:
    book = parse_rule_book(
        yaml.safe_load(
            """
            rules:
              - id: jp-test-consumption-tax
                destinations: [JP]
                effective_from: 2025-01-01
                effective_to: null
                method: vat_low_value
                threshold: {amount: "10000", currency: JPY}
                vat_rate: "0.10"
                summary: "test rule"
                source: "test"
            """
        )
    )
    result = estimate_duties_and_taxes(
        destination_country="JP",
        items=[item("5000", "JPY")],
        shipping_cost=None,
        incoterm="DDU",
        on_date=date(2025, 9, 1),
        origin_country="CN",
        book=book,
    )

    assert (result.status, result.taxes) == (EstimateStatus.COMPLETE, Money.parse("500", "JPY"))
    assert result.rules[0].id == "jp-test-consumption-tax"
