"""The result of a duties-and-taxes estimate, and the working state the rule methods fill in.

A shipment stores its estimate as ``DutyEstimate.to_json()`` and reads it back with
``DutyEstimate.from_json``: a version 1 document (``kit.documents``), which names no version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from postbridge.customs.duty_rules import DutyRule, RuleBook
from postbridge.customs.fx import FxRate, convert
from postbridge.customs.model import CustomsItem
from postbridge.kit.documents import DocumentError, document_version
from postbridge.kit.money import Money
from postbridge.kit.terms import Incoterm

DUTIES_VERSION = 1


def _money(raw: Any) -> Money:
    return Money.parse(raw["amount"], raw["currency"])


class Payer(StrEnum):
    BUYER = "buyer"
    MERCHANT = "merchant"


class ChargeKind(StrEnum):
    DUTY = "duty"
    TAX = "tax"
    FEE = "fee"


class EstimateStatus(StrEnum):
    COMPLETE = "complete"  # every charge the rule defines was computed
    PARTIAL = "partial"  # some charge needs data we do not have (e.g. a tariff rate); see note
    NOT_ESTIMATED = "not_estimated"  # no rule recorded for this destination and date


class UsPostalOption(StrEnum):
    """US postal duty methods the carrier elects between (EO 14324 and earlier orders)."""

    AD_VALOREM = "ad_valorem"
    SPECIFIC = "specific"


@dataclass(frozen=True, slots=True)
class ChargeLine:
    kind: ChargeKind
    label: str
    amount: Money
    rule_id: str
    collected_at_sale: bool  # charged at checkout by the seller/platform, not at delivery

    @classmethod
    def from_json(cls, raw: Any) -> ChargeLine:
        return cls(
            ChargeKind(raw["kind"]),
            raw["label"],
            _money(raw["amount"]),
            raw["rule_id"],
            raw["collected_at_sale"],
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "label": self.label,
            "amount": self.amount.to_json(),
            "rule_id": self.rule_id,
            "collected_at_sale": self.collected_at_sale,
        }


@dataclass(frozen=True, slots=True)
class AppliedRule:
    id: str
    summary: str
    source: str
    effective_from: date
    effective_to: date | None

    @classmethod
    def from_json(cls, raw: Any) -> AppliedRule:
        ends = raw["effective_to"]
        return cls(
            raw["id"],
            raw["summary"],
            raw["source"],
            date.fromisoformat(raw["effective_from"]),
            None if ends is None else date.fromisoformat(ends),
        )

    def to_json(self) -> dict[str, str | None]:
        return {
            "id": self.id,
            "summary": self.summary,
            "source": self.source,
            "effective_from": self.effective_from.isoformat(),
            "effective_to": self.effective_to.isoformat() if self.effective_to else None,
        }


@dataclass(frozen=True, slots=True)
class DutyEstimate:
    """Duties, taxes and fees in the declaration currency, with the rules and FX rates used."""

    destination_country: str
    on_date: date
    incoterm: Incoterm
    payer: Payer
    status: EstimateStatus
    goods_value: Money
    shipping_cost: Money
    duties: Money
    taxes: Money
    fees: Money
    total: Money
    collected_at_sale: Money  # part of ``total`` charged at checkout (IOSS, Remessa Conforme...)
    # Part of ``total`` the buyer pays at the door; zero for DDP (the merchant pays it all).
    due_on_delivery: Money
    landed_cost: Money  # goods + shipping + total
    lines: tuple[ChargeLine, ...]
    rules: tuple[AppliedRule, ...]
    fx_rates: tuple[FxRate, ...]
    note: str

    @classmethod
    def from_json(cls, raw: Any) -> DutyEstimate:
        """A stored estimate (what ``to_json`` wrote); DocumentError when it is not one."""
        document_version(raw, "duties", (DUTIES_VERSION,))
        try:
            return cls(
                destination_country=raw["destination_country"],
                on_date=date.fromisoformat(raw["on_date"]),
                incoterm=Incoterm(raw["incoterm"]),
                payer=Payer(raw["payer"]),
                status=EstimateStatus(raw["status"]),
                goods_value=_money(raw["goods_value"]),
                shipping_cost=_money(raw["shipping_cost"]),
                duties=_money(raw["duties"]),
                taxes=_money(raw["taxes"]),
                fees=_money(raw["fees"]),
                total=_money(raw["total"]),
                collected_at_sale=_money(raw["collected_at_sale"]),
                due_on_delivery=_money(raw["due_on_delivery"]),
                landed_cost=_money(raw["landed_cost"]),
                lines=tuple(ChargeLine.from_json(line) for line in raw["lines"]),
                rules=tuple(AppliedRule.from_json(rule) for rule in raw["rules"]),
                fx_rates=tuple(FxRate.from_json(rate) for rate in raw["fx_rates"]),
                note=raw["note"],
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise DocumentError(f"duties document: missing or invalid {exc!r}") from exc

    def to_json(self) -> dict[str, Any]:
        """Version 1 of the stored document: no version field (see kit.documents)."""
        return {
            "destination_country": self.destination_country,
            "on_date": self.on_date.isoformat(),
            "incoterm": self.incoterm.value,
            "payer": self.payer.value,
            "status": self.status.value,
            "goods_value": self.goods_value.to_json(),
            "shipping_cost": self.shipping_cost.to_json(),
            "duties": self.duties.to_json(),
            "taxes": self.taxes.to_json(),
            "fees": self.fees.to_json(),
            "total": self.total.to_json(),
            "collected_at_sale": self.collected_at_sale.to_json(),
            "due_on_delivery": self.due_on_delivery.to_json(),
            "landed_cost": self.landed_cost.to_json(),
            "lines": [line.to_json() for line in self.lines],
            "rules": [rule.to_json() for rule in self.rules],
            "fx_rates": [rate.to_json() for rate in self.fx_rates],
            "note": self.note,
        }


@dataclass(slots=True)
class Calculation:
    """Working state for one rule method: inputs, plus the lines and notes it produces."""

    book: RuleBook
    rule: DutyRule
    destination: str
    origin: str
    on_date: date
    incoterm: Incoterm
    us_postal_option: UsPostalOption | None
    currency: str
    items: tuple[CustomsItem, ...]
    goods_value: Money
    shipping_cost: Money
    lines: list[ChargeLine] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    fx_used: dict[tuple[str, str], FxRate] = field(default_factory=dict)
    extra_rules: list[AppliedRule] = field(default_factory=list)
    complete: bool = True

    @property
    def customs_value(self) -> Money:
        """Goods plus shipping: the CIF-style base Brazil, Chile and Mexico tax."""
        return self.goods_value + self.shipping_cost

    def local(self, amount: Money) -> Money:
        """``amount`` in the declaration currency at the dated planning rate (rate recorded)."""
        if amount.currency == self.currency:
            return amount
        converted, rate = convert(amount, self.currency, self.on_date)
        self.fx_used[(rate.base, rate.quote)] = rate
        return converted

    def rule_money(self, key: str) -> Money:
        return self.local(self.rule.money(key))

    def add(self, kind: ChargeKind, label: str, amount: Money, *, at_sale: bool) -> None:
        self.lines.append(ChargeLine(kind, label, amount, self.rule.id, at_sale))

    def not_estimated(self, note: str) -> None:
        self.complete = False
        self.notes.append(note)


def percent(rate: Any) -> str:
    """ "0.335" -> "33.5 %"."""
    text = f"{rate * 100:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text} %"
