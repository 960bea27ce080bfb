"""Loading and selecting the dated duty rules of ``data/duty_rules.yaml`` (cached once)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import yaml

from postbridge.kit.money import Money

_RULE_KEYS = frozenset(
    {
        "id",
        "destinations",
        "origins",
        "origins_excluded",
        "effective_from",
        "effective_to",
        "method",
        "summary",
        "source",
    }
)


@lru_cache(maxsize=1024)
def parse_amount(amount: str, currency: str) -> Money:
    """Rule amounts ("800", "USD"), parsed once: the same few figures recur on every estimate."""
    return Money.parse(amount, currency)


@dataclass(frozen=True, slots=True)
class DutyRule:
    id: str
    destinations: frozenset[str]
    origins: frozenset[str] | None  # None: any origin
    origins_excluded: frozenset[str]
    effective_from: date
    effective_to: date | None
    method: str
    summary: str
    source: str
    params: Mapping[str, Any]

    def in_force(self, on_date: date) -> bool:
        return self.effective_from <= on_date and (
            self.effective_to is None or on_date <= self.effective_to
        )

    def admits_origin(self, origin: str) -> bool:
        if origin in self.origins_excluded:
            return False
        return self.origins is None or origin in self.origins

    def money(self, key: str) -> Money:
        entry = self.params[key]
        return parse_amount(str(entry["amount"]), str(entry["currency"]))

    def decimal(self, key: str) -> Decimal:
        return Decimal(str(self.params[key]))


@dataclass(frozen=True, slots=True)
class DatedRate:
    key: str  # country of origin ("*" default) or VAT country
    rate: Decimal
    effective_from: date
    effective_to: date | None
    source: str

    def in_force(self, on_date: date) -> bool:
        return self.effective_from <= on_date and (
            self.effective_to is None or on_date <= self.effective_to
        )


@dataclass(frozen=True, slots=True)
class RuleBook:
    rules: tuple[DutyRule, ...]
    ieepa_rates: tuple[DatedRate, ...]
    vat_rates: tuple[DatedRate, ...]
    vat_source: str
    # Customs unions (name -> members): goods moving inside one are not imported.
    customs_unions: Mapping[str, frozenset[str]]

    def is_import(self, origin: str, destination: str) -> bool:
        if origin == destination:
            return False
        return not any(
            origin in members and destination in members for members in self.customs_unions.values()
        )

    def rule_for(self, destination: str, origin: str, on_date: date) -> DutyRule | None:
        for rule in self.rules:
            if (
                destination in rule.destinations
                and rule.in_force(on_date)
                and rule.admits_origin(origin)
            ):
                return rule
        return None

    def ieepa_rate(self, origin: str, on_date: date) -> DatedRate | None:
        return _dated(self.ieepa_rates, origin, on_date) or _dated(self.ieepa_rates, "*", on_date)

    def vat_rate(self, country: str, on_date: date) -> DatedRate | None:
        return _dated(self.vat_rates, country, on_date)


def _dated(rates: tuple[DatedRate, ...], key: str, on_date: date) -> DatedRate | None:
    for rate in rates:
        if rate.key == key and rate.in_force(on_date):
            return rate
    return None


def _rule(entry: dict[str, Any]) -> DutyRule:
    origins = entry.get("origins")
    return DutyRule(
        id=str(entry["id"]),
        destinations=frozenset(str(code) for code in entry["destinations"]),
        origins=frozenset(str(code) for code in origins) if origins else None,
        origins_excluded=frozenset(str(code) for code in entry.get("origins_excluded") or ()),
        effective_from=entry["effective_from"],
        effective_to=entry.get("effective_to"),
        method=str(entry["method"]),
        summary=str(entry["summary"]),
        source=str(entry["source"]),
        params=MappingProxyType({k: v for k, v in entry.items() if k not in _RULE_KEYS}),
    )


def parse_rule_book(loaded: dict[str, Any]) -> RuleBook:
    vat_source = "European Commission, VAT rates applied in the Member States (TEDB)"
    return RuleBook(
        rules=tuple(_rule(entry) for entry in loaded["rules"]),
        ieepa_rates=tuple(
            DatedRate(
                key=str(entry["origin"]),
                rate=Decimal(str(entry["rate"])),
                effective_from=entry["effective_from"],
                effective_to=entry.get("effective_to"),
                source=str(entry["source"]),
            )
            for entry in loaded.get("ieepa_rates") or ()
        ),
        vat_rates=tuple(
            DatedRate(
                key=str(entry["country"]),
                rate=Decimal(str(entry["rate"])),
                effective_from=entry["effective_from"],
                effective_to=entry.get("effective_to"),
                source=vat_source,
            )
            for entry in loaded.get("vat_rates") or ()
        ),
        vat_source=vat_source,
        customs_unions=MappingProxyType(
            {
                str(name): frozenset(str(code) for code in members)
                for name, members in (loaded.get("customs_unions") or {}).items()
            }
        ),
    )


@lru_cache(maxsize=1)
def rule_book() -> RuleBook:
    """The packaged rule book, parsed once per process."""
    text = resources.files("postbridge.customs").joinpath("data/duty_rules.yaml").read_text("utf-8")
    return parse_rule_book(yaml.safe_load(text))
