"""estimate_duties_and_taxes: import charges under the dated rule in force on the shipment date.

Amounts come back in the declaration currency (the currency of the items' values); every rule
amount in another currency is converted at the dated planning rate, and the rates used are
listed in the result. Pure: the rule book and rate table are packaged data read once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Literal

from postbridge.customs.duty_methods import METHODS
from postbridge.customs.duty_rules import RuleBook, rule_book
from postbridge.customs.estimate import (
    AppliedRule,
    Calculation,
    ChargeKind,
    DutyEstimate,
    EstimateStatus,
    Incoterm,
    Payer,
    UsPostalOption,
)
from postbridge.customs.fx import FxRate, convert
from postbridge.customs.model import CustomsItem
from postbridge.kit.countries import normalize_country
from postbridge.kit.money import Money


def estimate_duties_and_taxes(
    *,
    destination_country: str,
    items: Sequence[CustomsItem],
    shipping_cost: Money | None,
    incoterm: Incoterm | Literal["DDU", "DDP"],
    on_date: date,
    origin_country: str,
    us_postal_option: UsPostalOption | Literal["ad_valorem", "specific"] | None = None,
    book: RuleBook | None = None,
) -> DutyEstimate:
    """Estimate what the import will cost, and who pays it (buyer for DDU, merchant for DDP).

    ``origin_country`` (where the parcel ships from) selects the rule; each item's own
    ``origin_country`` sets origin-dependent rates (US IEEPA). ``us_postal_option`` is the
    carrier's election between the ad valorem and the specific per-item US postal duty (None:
    the rule's default). ``book`` replaces the packaged rule book (tests, what-if).
    """
    destination = normalize_country(destination_country)
    origin = normalize_country(origin_country)
    terms = Incoterm(incoterm)
    option = UsPostalOption(us_postal_option) if us_postal_option is not None else None
    currency = _currency(items, shipping_cost)
    goods = _sum([item.line_value for item in items], currency)
    shipping, fx_used = _shipping_in(currency, shipping_cost, on_date)
    book = book or rule_book()
    if not book.is_import(origin, destination):
        note = f"From {origin} to {destination} is not an import: no duties or import taxes."
        return _without_charges(
            EstimateStatus.COMPLETE, note, destination, on_date, terms, goods, shipping, fx_used
        )
    rule = book.rule_for(destination, origin, on_date)
    if rule is None:
        note = (
            f"No duty or tax rules are recorded for {destination} on {on_date.isoformat()}; "
            "import charges were not estimated."
        )
        return _without_charges(
            EstimateStatus.NOT_ESTIMATED, note, destination, on_date, terms, goods, shipping,
            fx_used,
        )  # fmt: skip
    calc = Calculation(
        book=book,
        rule=rule,
        destination=destination,
        origin=origin,
        on_date=on_date,
        incoterm=terms,
        us_postal_option=option,
        currency=currency,
        items=tuple(items),
        goods_value=goods,
        shipping_cost=shipping,
        fx_used=fx_used,
    )
    if items:
        METHODS[rule.method](calc)
    else:
        calc.notes.append("no dutiable items (documents only): no import charges")
    return _result(calc, terms)


def _shipping_in(
    currency: str, shipping_cost: Money | None, on_date: date
) -> tuple[Money, dict[tuple[str, str], FxRate]]:
    if shipping_cost is None:
        return Money.zero(currency), {}
    if shipping_cost.currency == currency:
        return shipping_cost, {}
    converted, rate = convert(shipping_cost, currency, on_date)
    return converted, {(rate.base, rate.quote): rate}


def _currency(items: Sequence[CustomsItem], shipping_cost: Money | None) -> str:
    currencies = {item.unit_value.currency for item in items}
    if len(currencies) > 1:
        raise ValueError(f"items mix currencies: {', '.join(sorted(currencies))}")
    if currencies:
        return currencies.pop()
    return shipping_cost.currency if shipping_cost is not None else "USD"


def _sum(amounts: Sequence[Money], currency: str) -> Money:
    # Adding minor units directly: every amount here is already in ``currency``.
    return Money(currency, sum(amount.minor for amount in amounts))


def _without_charges(
    status: EstimateStatus,
    note: str,
    destination: str,
    on_date: date,
    incoterm: Incoterm,
    goods: Money,
    shipping: Money,
    fx_used: dict[tuple[str, str], FxRate],
) -> DutyEstimate:
    """An estimate with no charge lines: not an import, or no rule recorded for the date."""
    payer = Payer.MERCHANT if incoterm is Incoterm.DDP else Payer.BUYER
    zero = Money.zero(goods.currency)
    return DutyEstimate(
        destination, on_date, incoterm, payer, status, goods, shipping,
        zero, zero, zero, zero, zero, zero, goods + shipping, (), (), tuple(fx_used.values()), note,
    )  # fmt: skip


def _result(calc: Calculation, incoterm: Incoterm) -> DutyEstimate:
    currency = calc.currency
    goods = calc.goods_value
    payer = Payer.MERCHANT if incoterm is Incoterm.DDP else Payer.BUYER
    lines = tuple(calc.lines)

    def of_kind(kind: ChargeKind) -> Money:
        return _sum([line.amount for line in lines if line.kind is kind], currency)

    total = _sum([line.amount for line in lines], currency)
    at_sale = _sum([line.amount for line in lines if line.collected_at_sale], currency)
    # DDP: the merchant pays every charge (we remit at import and invoice it), so nothing is
    # collected from the buyer at the door.
    at_delivery = Money.zero(currency) if payer is Payer.MERCHANT else total - at_sale
    rule = calc.rule
    applied = AppliedRule(
        rule.id, rule.summary, rule.source, rule.effective_from, rule.effective_to
    )
    status = EstimateStatus.COMPLETE if calc.complete else EstimateStatus.PARTIAL
    return DutyEstimate(
        destination_country=calc.destination,
        on_date=calc.on_date,
        incoterm=incoterm,
        payer=payer,
        status=status,
        goods_value=goods,
        shipping_cost=calc.shipping_cost,
        duties=of_kind(ChargeKind.DUTY),
        taxes=of_kind(ChargeKind.TAX),
        fees=of_kind(ChargeKind.FEE),
        total=total,
        collected_at_sale=at_sale,
        due_on_delivery=at_delivery,
        landed_cost=goods + calc.shipping_cost + total,
        lines=lines,
        rules=(applied, *calc.extra_rules),
        fx_rates=tuple(calc.fx_used.values()),
        note=_note(calc, payer, total, at_sale, status),
    )


def _note(
    calc: Calculation, payer: Payer, total: Money, at_sale: Money, status: EstimateStatus
) -> str:
    parts = [f"{calc.rule.summary}."]
    parts.extend(f"{note[0].upper()}{note[1:]}." for note in calc.notes)
    landed = calc.goods_value + calc.shipping_cost + total
    at_delivery = total - at_sale
    if payer is Payer.MERCHANT:
        parts.append(f"DDP: the merchant pays {total} in import charges; landed cost {landed}.")
    else:
        parts.append(
            f"DDU: the buyer pays {total} in import charges: {at_sale} at checkout, "
            f"{at_delivery} on delivery."
        )
    if status is EstimateStatus.PARTIAL:
        parts.append("Partial estimate: charges above are a lower bound.")
    return " ".join(parts)
