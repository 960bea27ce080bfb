"""One calculator per rule ``method`` of ``data/duty_rules.yaml``.

Each reads its parameters from the rule, adds charge lines to the Calculation and says in a note
what it could not estimate. Amounts are computed in the declaration currency; rule amounts in
other currencies (USD 800, EUR 150, GBP 135) are converted at the dated planning rate.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from postbridge.customs.duty_rules import parse_amount
from postbridge.customs.estimate import (
    AppliedRule,
    Calculation,
    ChargeKind,
    Incoterm,
    UsPostalOption,
    percent,
)
from postbridge.kit.money import Money


def us_de_minimis(calc: Calculation) -> None:
    threshold = calc.rule_money("threshold")
    if calc.goods_value <= threshold:
        calc.notes.append(f"value {calc.goods_value} is within de minimis ({threshold}): no duty")
        return
    calc.not_estimated(
        f"value {calc.goods_value} is above de minimis ({threshold}): entry with HTS duty rates "
        "per item, not estimated"
    )


def us_postal_duty(calc: Calculation) -> None:
    params = calc.rule.params
    option = calc.us_postal_option or UsPostalOption(str(params["default_option"]))
    has_specific = "specific_per_item" in params or "specific_bands" in params
    until = params.get("specific_option_until")
    if option is UsPostalOption.SPECIFIC and (
        not has_specific or (until is not None and calc.on_date > until)
    ):
        calc.notes.append("the specific per-item option is not available on this date")
        option = UsPostalOption.AD_VALOREM
    if option is UsPostalOption.SPECIFIC:
        _us_specific(calc)
    else:
        _us_ad_valorem(calc)


def _us_ad_valorem(calc: Calculation) -> None:
    configured = str(calc.rule.params["ad_valorem_rate"])
    if configured != "ieepa":
        rate = Decimal(configured)
        duty = calc.goods_value.times(rate)
        calc.add(ChargeKind.DUTY, f"US postal duty {percent(rate)} of value", duty, at_sale=False)
        return
    duty = Money.zero(calc.currency)
    for item in calc.items:
        dated = _ieepa(calc, item.origin_country)
        if dated is None:
            return
        duty = duty + item.line_value.times(dated)
    calc.add(ChargeKind.DUTY, "US postal duty at the IEEPA rate of origin", duty, at_sale=False)


def _us_specific(calc: Calculation) -> None:
    params = calc.rule.params
    if "specific_per_item" in params:
        amount = calc.rule_money("specific_per_item")
    else:
        rates = [_ieepa(calc, item.origin_country) for item in calc.items] or [
            _ieepa(calc, calc.origin)
        ]
        if any(rate is None for rate in rates):
            return
        highest = max(rate for rate in rates if rate is not None)
        amount = calc.local(_band_amount(params["specific_bands"], highest))
    # "Per item" means per postal item (the parcel), as CBP applies the specific duty.
    calc.add(
        ChargeKind.DUTY, "US postal duty, specific amount per postal item", amount, at_sale=False
    )


def _band_amount(bands: list[dict[str, str]], rate: Decimal) -> Money:
    for band in bands:
        if "rate_below" in band and rate < Decimal(band["rate_below"]):
            return parse_amount(band["amount"], band["currency"])
        if "rate_up_to" in band and rate <= Decimal(band["rate_up_to"]):
            return parse_amount(band["amount"], band["currency"])
        if "rate_above" in band and rate > Decimal(band["rate_above"]):
            return parse_amount(band["amount"], band["currency"])
    raise ValueError(f"no specific-duty band for rate {rate}")


def _ieepa(calc: Calculation, origin: str) -> Decimal | None:
    dated = calc.book.ieepa_rate(origin, calc.on_date)
    if dated is None:
        calc.not_estimated(f"no IEEPA rate recorded for origin {origin} on {calc.on_date}")
        return None
    rule_id = f"ieepa-rate-{dated.key if dated.key != '*' else 'default'}"
    if all(applied.id != rule_id for applied in calc.extra_rules):
        calc.extra_rules.append(
            AppliedRule(
                rule_id,
                f"effective IEEPA rate {percent(dated.rate)} for origin {origin}",
                dated.source,
                dated.effective_from,
                dated.effective_to,
            )
        )
    return dated.rate


def vat_low_value(calc: Calculation) -> None:
    params = calc.rule.params
    threshold = calc.rule_money("threshold")
    vat_rate = _vat_rate(calc)
    vat_base = calc.goods_value + calc.shipping_cost
    if calc.goods_value > threshold:
        if vat_rate is not None:
            vat = vat_base.times(vat_rate)
            calc.add(ChargeKind.TAX, f"import VAT {percent(vat_rate)}", vat, at_sale=False)
        calc.not_estimated(
            f"value {calc.goods_value} is above {threshold}: customs duty depends on each HS "
            "code's tariff rate and is not estimated; VAT shown excludes duty from its base"
        )
        return
    if "duty_per_tariff_subheading" in params:
        subheadings = {item.hs_subheading for item in calc.items}
        per_line = calc.rule_money("duty_per_tariff_subheading")
        duty = per_line.times(len(subheadings))
        label = f"flat customs duty {per_line} x {len(subheadings)} tariff subheading(s)"
        calc.add(ChargeKind.DUTY, label, duty, at_sale=False)
    if vat_rate is None:
        return
    # EU: VAT is collected at checkout under IOSS, which a DDP seller uses; a DDU parcel pays it
    # at import instead. UK: the seller must charge it at the point of sale either way.
    at_sale = params.get("vat_at_sale") == "always" or calc.incoterm is Incoterm.DDP
    calc.add(ChargeKind.TAX, f"VAT {percent(vat_rate)}", vat_base.times(vat_rate), at_sale=at_sale)


def _vat_rate(calc: Calculation) -> Decimal | None:
    params = calc.rule.params
    if "vat_rate" in params:
        return Decimal(str(params["vat_rate"]))
    dated = calc.book.vat_rate(calc.destination, calc.on_date)
    if dated is None:
        calc.not_estimated(f"no VAT rate recorded for {calc.destination} on {calc.on_date}")
        return None
    calc.extra_rules.append(
        AppliedRule(
            f"vat-{calc.destination.lower()}",
            f"{calc.destination} standard VAT rate {percent(dated.rate)}",
            dated.source,
            dated.effective_from,
            dated.effective_to,
        )
    )
    return dated.rate


def br_remessa_conforme(calc: Calculation) -> None:
    params = calc.rule.params
    base = calc.customs_value
    currency = str(params["band_currency"])
    for band in params["bands"]:
        if base <= calc.local(parse_amount(band["up_to"], currency)):
            rate = Decimal(band["rate"])
            deduction = calc.local(parse_amount(band["deduction"], currency))
            break
    else:
        calc.not_estimated(f"customs value {base} is above the Remessa Conforme ceiling")
        return
    import_tax = base.times(rate) - deduction
    import_tax = import_tax if import_tax.minor > 0 else Money.zero(calc.currency)
    label = f"Imposto de Importação {percent(rate)}"
    if deduction.minor:
        label += f" minus {deduction}"
    calc.add(ChargeKind.DUTY, label, import_tax, at_sale=True)
    icms_rate = Decimal(str(params["icms_rate"]))
    # ICMS "por dentro": the tax is part of its own base, so base / (1 - rate) * rate.
    icms = (base + import_tax).times(icms_rate / (1 - icms_rate))
    calc.add(ChargeKind.TAX, f"ICMS {percent(icms_rate)} (por dentro)", icms, at_sale=True)


def cl_low_value(calc: Calculation) -> None:
    params = calc.rule.params
    base = calc.customs_value
    duty_rate = Decimal(str(params["duty_rate"]))
    vat_rate = Decimal(str(params["vat_rate"]))
    if "exempt_up_to" in params and base <= calc.rule_money("exempt_up_to"):
        calc.notes.append(f"customs value {base} is within the exemption: no duty or VAT")
        return
    if "vat_only_up_to" in params and base <= calc.rule_money("vat_only_up_to"):
        calc.add(ChargeKind.TAX, f"IVA {percent(vat_rate)}", base.times(vat_rate), at_sale=True)
        return
    duty = base.times(duty_rate)
    calc.add(ChargeKind.DUTY, f"customs duty {percent(duty_rate)}", duty, at_sale=False)
    vat = (base + duty).times(vat_rate)
    calc.add(ChargeKind.TAX, f"IVA {percent(vat_rate)}", vat, at_sale=False)


def mx_global_rate(calc: Calculation) -> None:
    params = calc.rule.params
    base = calc.customs_value
    if base > calc.rule_money("max_value"):
        calc.not_estimated(f"customs value {base} is above the simplified regime's ceiling")
        return
    fta_origins = set(params["fta_origins"])
    origins = {item.origin_country for item in calc.items} or {calc.origin}
    if origins <= fta_origins:
        for band in params["fta_bands"]:
            if base <= calc.local(parse_amount(band["up_to"], "USD")):
                rate = Decimal(band["rate"])
                break
        else:  # pragma: no cover - the last band equals max_value
            raise ValueError("fta_bands must reach max_value")
    else:
        rate = Decimal(str(params["non_fta_rate"]))
    label = f"global rate {percent(rate)} (duty and VAT combined)"
    calc.add(ChargeKind.DUTY, label, base.times(rate), at_sale=False)


def rate_not_recorded(calc: Calculation) -> None:
    """A regime known to charge duty whose rate the rule book does not have: say so, charge
    nothing, and leave the estimate partial rather than guess."""
    calc.not_estimated(str(calc.rule.params["note"]))


METHODS: dict[str, Callable[[Calculation], None]] = {
    "rate_not_recorded": rate_not_recorded,
    "us_de_minimis": us_de_minimis,
    "us_postal_duty": us_postal_duty,
    "vat_low_value": vat_low_value,
    "br_remessa_conforme": br_remessa_conforme,
    "cl_low_value": cl_low_value,
    "mx_global_rate": mx_global_rate,
}
