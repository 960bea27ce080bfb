"""Dated planning exchange rates (``data/fx_rates.yaml``), including the SDR (XDR)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from postbridge.kit.money import Money


class MissingRate(LookupError):
    """No rate for a currency on a date: the table must be extended, not guessed."""


@dataclass(frozen=True, slots=True)
class FxPeriod:
    effective_from: date
    effective_to: date | None
    source: str
    per_usd: dict[str, Decimal]


@dataclass(frozen=True, slots=True)
class FxRate:
    """``rate`` units of ``quote`` per one unit of ``base``, from the period starting ``as_of``."""

    base: str
    quote: str
    rate: Decimal
    as_of: date
    source: str

    @classmethod
    def from_json(cls, raw: Any) -> FxRate:
        return cls(
            raw["base"],
            raw["quote"],
            Decimal(raw["rate"]),
            date.fromisoformat(raw["as_of"]),
            raw["source"],
        )

    def to_json(self) -> dict[str, str]:
        return {
            "base": self.base,
            "quote": self.quote,
            "rate": str(self.rate),
            "as_of": self.as_of.isoformat(),
            "source": self.source,
        }


@lru_cache(maxsize=1)
def fx_periods() -> tuple[FxPeriod, ...]:
    text = resources.files("postbridge.customs").joinpath("data/fx_rates.yaml").read_text("utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return tuple(
        FxPeriod(
            effective_from=entry["effective_from"],
            effective_to=entry["effective_to"],
            source=str(entry["source"]),
            per_usd={str(code): Decimal(str(value)) for code, value in entry["per_usd"].items()},
        )
        for entry in loaded["periods"]
    )


def _period(on_date: date) -> FxPeriod:
    for period in fx_periods():
        if period.effective_from <= on_date and (
            period.effective_to is None or on_date <= period.effective_to
        ):
            return period
    raise MissingRate(f"no exchange rates recorded for {on_date.isoformat()}")


@lru_cache(maxsize=4096)
def fx_rate(base: str, quote: str, on_date: date) -> FxRate:
    """Rate to convert ``base`` into ``quote`` on ``on_date`` (cross rate through USD)."""
    period = _period(on_date)
    base, quote = base.upper(), quote.upper()
    if base == quote:
        return FxRate(base, quote, Decimal(1), period.effective_from, period.source)
    try:
        rate = period.per_usd[quote] / period.per_usd[base]
    except KeyError as exc:
        raise MissingRate(f"no {exc.args[0]} rate recorded for {on_date.isoformat()}") from exc
    return FxRate(base, quote, rate, period.effective_from, period.source)


@lru_cache(maxsize=8192)
def convert(amount: Money, currency: str, on_date: date) -> tuple[Money, FxRate]:
    """``amount`` in ``currency`` at the dated rate, with the rate used (cached: rule thresholds
    are converted on every estimate)."""
    rate = fx_rate(amount.currency, currency, on_date)
    return amount.convert(rate.quote, rate.rate), rate
