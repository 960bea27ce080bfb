"""Money as integer minor units with an ISO 4217 currency.

JSON carries amounts as decimal strings (``{"amount": "9.90", "currency": "USD"}``) so that no
float ever touches a price; inside the platform every amount is an ``int`` of minor units.

Amounts a client sends (API bodies, CSV cells) go through ``parse_amount``: plain ASCII decimal
strings, at most the currency's decimals, from 0 to ``MAX_AMOUNT_UNITS`` units. It reads them
with a regular expression and integer arithmetic, so a hostile amount costs microseconds.
"""

from __future__ import annotations

import re
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


# Codes merchants write that are not ISO 4217 but name one currency: RMB (renminbi) is how
# Chinese invoices and marketplaces write CNY, the ISO code of the yuan.
CURRENCY_ALIASES: dict[str, str] = {"RMB": "CNY"}


def canonical_currency(currency: str) -> str:
    """The ISO 4217 code of ``currency`` as typed ("rmb" -> "CNY", "usd" -> "USD")."""
    code = currency.upper()
    return CURRENCY_ALIASES.get(code, code)


class MoneyError(ValueError):
    """An amount or currency that cannot be represented."""


# The largest amount a client may declare, in units of its currency (any currency: a billion
# dong or rupiah is a few tens of thousands of US dollars, a plausible parcel).
MAX_AMOUNT_UNITS = 1_000_000_000
MAX_AMOUNT_CHARS = 24
_MAX_PARSE_DIGITS = 30
_PLAIN_AMOUNT = re.compile(r"(-?)([0-9]+)(?:\.([0-9]+))?", re.ASCII)


def amount_minor(
    text: str, exponent: int, *, currency: str = "", maximum: int = MAX_AMOUNT_UNITS
) -> int:
    """``text`` ("9.90") in minor units of a currency with ``exponent`` decimals.

    The one reader of client amounts: ASCII digits with an optional point and decimals (no
    exponent, sign, spaces, separators or other scripts' digits), not negative, at most
    ``maximum`` units, and no more decimals than the currency has (trailing zeros aside).
    """
    shown = repr(text) if len(text) <= MAX_AMOUNT_CHARS else repr(text[:MAX_AMOUNT_CHARS]) + "..."
    if len(text) > MAX_AMOUNT_CHARS:
        raise MoneyError(
            f"{shown} is too long for an amount (at most {MAX_AMOUNT_CHARS} characters)"
        )
    match = _PLAIN_AMOUNT.fullmatch(text)
    if match is None:
        raise MoneyError(
            f'{shown} is not a plain decimal amount such as "9.90" '
            "(ASCII digits and an optional point; no exponent, sign, spaces or separators)"
        )
    sign, whole, fraction = match.group(1), match.group(2), match.group(3) or ""
    if sign:
        raise MoneyError(f"{shown} is negative; amounts start at 0")
    if int(whole) > maximum or (int(whole) == maximum and fraction.strip("0")):
        raise MoneyError(f"{shown} is above the maximum amount of {maximum}")
    if fraction[exponent:].strip("0"):
        where = f" for {currency}" if currency else ""
        raise MoneyError(f"{shown} has more than {exponent} decimals{where}")
    return int(whole) * 10**exponent + int(fraction[:exponent].ljust(exponent, "0") or 0)


def parse_amount(text: str, currency: str, *, maximum: int = MAX_AMOUNT_UNITS) -> Money:
    """A client's amount of ``currency`` (see ``amount_minor``); MoneyError names the rule."""
    code = canonical_currency(currency)
    exponent = currency_exponent(code)
    return Money(code, amount_minor(text, exponent, currency=code, maximum=maximum))


@lru_cache(maxsize=512)
def currency_exponent(currency: str) -> int:
    """Return the number of minor-unit digits of an ISO 4217 currency code (or an alias)."""
    code = canonical_currency(currency)
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


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of one currency, in integer minor units (cents for USD, centavos for BRL).

    Amounts of one currency add, subtract and compare; mixing two currencies raises
    ``MoneyError`` (there is no rate to answer with). Equality across currencies is False.
    """

    currency: str
    minor: int

    @classmethod
    def parse(cls, amount: str | int | Decimal, currency: str) -> Money:
        """Build from a decimal amount ("9.90"); refuses more digits than the currency has."""
        code = canonical_currency(currency)
        exponent = currency_exponent(code)
        try:
            value = Decimal(str(amount))
        except InvalidOperation as exc:
            raise MoneyError(f"amount {amount!r} is not a decimal number") from exc
        if not value.is_finite():
            raise MoneyError(f"amount {amount!r} is not a finite number")
        if value and value.adjusted() > _MAX_PARSE_DIGITS:
            # int() of 1E999990 would build a million-digit integer: refuse before that.
            raise MoneyError(f"amount {amount!r} is too large")
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

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return self.minor < other.minor

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return self.minor <= other.minor

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return self.minor > other.minor

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return self.minor >= other.minor

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
