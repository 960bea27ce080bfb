"""Money as integer minor units with an ISO 4217 currency.

JSON carries amounts as decimal strings (``{"amount": "9.90", "currency": "USD"}``) so that no
float ever touches a price; inside the platform every amount is an ``int`` of minor units.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import lru_cache

import pycountry

# ISO 4217 minor-unit exponents that differ from 2. pycountry has no exponents, so the short list
# of exceptions lives here (source: ISO 4217 table, 2024 edition).
_EXPONENT_EXCEPTIONS: dict[str, int] = {
    "BHD": 3, "BIF": 0, "CLF": 4, "CLP": 0, "DJF": 0, "GNF": 0, "IQD": 3, "ISK": 0, "JOD": 3,
    "JPY": 0, "KMF": 0, "KRW": 0, "KWD": 3, "LYD": 3, "OMR": 3, "PYG": 0, "RWF": 0, "TND": 3,
    "UGX": 0, "UYI": 0, "UYW": 4, "VND": 0, "VUV": 0, "XAF": 0, "XDR": 0, "XOF": 0, "XPF": 0,
}  # fmt: skip


class MoneyError(ValueError):
    """An amount or currency that cannot be represented."""


@lru_cache(maxsize=512)
def currency_exponent(currency: str) -> int:
    """Return the number of minor-unit digits of an ISO 4217 currency code."""
    code = currency.upper()
    if code in _EXPONENT_EXCEPTIONS:
        return _EXPONENT_EXCEPTIONS[code]
    if len(code) != 3 or pycountry.currencies.get(alpha_3=code) is None:
        raise MoneyError(f"unknown ISO 4217 currency {currency!r}")
    return 2


def divide_half_even(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` (denominator > 0) rounded half-even to an integer."""
    quotient, remainder = divmod(numerator, denominator)
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2):
        quotient += 1
    return quotient


@lru_cache(maxsize=4096)
def _ratio(factor: int | Decimal) -> tuple[int, int]:
    """``factor`` as numerator and positive denominator (rates repeat: tax and fuel rates)."""
    try:
        return Decimal(factor).as_integer_ratio()
    except (ValueError, OverflowError) as exc:
        raise MoneyError(f"cannot multiply an amount by {factor!r}") from exc


@dataclass(frozen=True, slots=True, order=True)
class Money:
    """An amount of one currency, in integer minor units (cents for USD, centavos for BRL)."""

    currency: str
    minor: int

    @classmethod
    def parse(cls, amount: str | int | Decimal, currency: str) -> Money:
        """Build from a decimal amount ("9.90"); refuses more digits than the currency has."""
        code = currency.upper()
        exponent = currency_exponent(code)
        try:
            value = Decimal(str(amount))
        except InvalidOperation as exc:
            raise MoneyError(f"amount {amount!r} is not a decimal number") from exc
        if not value.is_finite():
            raise MoneyError(f"amount {amount!r} is not a finite number")
        scaled = value.scaleb(exponent)
        if scaled != scaled.to_integral_value():
            raise MoneyError(f"amount {amount!r} has more than {exponent} decimals for {code}")
        return cls(currency=code, minor=int(scaled))

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(currency=currency.upper(), minor=0)

    @property
    def exponent(self) -> int:
        return currency_exponent(self.currency)

    def as_decimal(self) -> Decimal:
        return Decimal(self.minor).scaleb(-self.exponent)

    def amount_str(self) -> str:
        """The decimal string used in JSON, always with the currency's decimals ("9.90")."""
        exponent = currency_exponent(self.currency)
        sign = "-" if self.minor < 0 else ""
        if exponent == 0:
            return f"{sign}{abs(self.minor)}"
        whole, fraction = divmod(abs(self.minor), 10**exponent)
        return f"{sign}{whole}.{fraction:0{exponent}d}"

    def to_json(self) -> dict[str, str]:
        return {"amount": self.amount_str(), "currency": self.currency}

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise MoneyError(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.currency, self.minor + other.minor)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.currency, self.minor - other.minor)

    def times(self, factor: int | Decimal) -> Money:
        """Multiply, rounding half-even to the minor unit (bankers' rounding, as tax tables do).

        Exact rational arithmetic on integers: Decimal's context lookups made this the hottest
        line of bulk capture, and the product of a price and a rate needs no 28-digit rounding.
        """
        if type(factor) is int:
            return Money(self.currency, self.minor * factor)
        numerator, denominator = _ratio(factor)
        return Money(self.currency, divide_half_even(self.minor * numerator, denominator))

    def convert(self, currency: str, rate: Decimal) -> Money:
        """Convert with ``rate`` = units of ``currency`` per one unit of this currency."""
        target = currency.upper()
        value = self.as_decimal() * rate
        scaled = value.scaleb(currency_exponent(target))
        return Money(target, int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_EVEN)))

    def __str__(self) -> str:
        return f"{self.amount_str()} {self.currency}"
