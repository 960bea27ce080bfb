"""UPU S10 13-character item identifiers: ``SS NNNNNNNN C CC`` (postal-standards.md §1).

``SS`` is the service indicator, ``NNNNNNNN`` the serial, ``C`` the mod-11 check digit over the
serial and ``CC`` the ISO 3166-1 alpha-2 code of the issuing country (the issuer, which need not
be the origin of the item).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from postbridge.identifiers.errors import IdentifierProblem, InvalidS10
from postbridge.identifiers.s10_services import ServiceIndicatorInfo, describe_service_indicator
from postbridge.kit.countries import UnknownCountry, normalize_country

S10_LENGTH = 13
SERIAL_DIGITS = 8
MAX_SERIAL = 99_999_999
S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
_ASCII_UPPER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DIGITS = frozenset("0123456789")


@dataclass(frozen=True, slots=True)
class S10Id:
    service_indicator: str
    serial: str
    check_digit: int
    country: str

    @property
    def text(self) -> str:
        return f"{self.service_indicator}{self.serial}{self.check_digit}{self.country}"

    @property
    def spaced(self) -> str:
        """Human-readable grouping printed under barcodes: ``RR 473 124 829 GB``."""
        digits = f"{self.serial}{self.check_digit}"
        return f"{self.service_indicator} {digits[0:3]} {digits[3:6]} {digits[6:9]} {self.country}"

    @property
    def serial_number(self) -> int:
        return int(self.serial)

    @property
    def service(self) -> ServiceIndicatorInfo:
        return describe_service_indicator(self.service_indicator)

    def __str__(self) -> str:
        return self.text


def s10_weighted_sum(serial: str) -> int:
    """Σ digit × weight over the 8 serial digits (weights 8,6,4,2,3,5,9,7)."""
    if len(serial) != SERIAL_DIGITS or not _DIGITS.issuperset(serial):
        raise InvalidS10(
            IdentifierProblem.BAD_FORMAT, f"S10 serial must be 8 digits, got {serial!r}"
        )
    return sum(int(digit) * weight for digit, weight in zip(serial, S10_WEIGHTS, strict=True))


def s10_check_digit(serial: str) -> int:
    """Check digit of an 8-digit serial: 11 − (S mod 11), where 10 → 0 and 11 → 5."""
    check = 11 - s10_weighted_sum(serial) % 11
    if check == 10:
        return 0
    if check == 11:
        return 5
    return check


def format_s10(service_indicator: str, serial: int, country: str) -> str:
    """Build the 13-character id; ``country`` may be alpha-2, alpha-3 or an English name."""
    indicator = service_indicator.strip().upper()
    _check_service_indicator(indicator)
    if not 0 <= serial <= MAX_SERIAL:
        raise InvalidS10(
            IdentifierProblem.BAD_SERIAL, f"S10 serial must be 0–99999999, got {serial}"
        )
    issuer = _issuer_country(country.strip())
    serial_text = f"{serial:08d}"
    return f"{indicator}{serial_text}{s10_check_digit(serial_text)}{issuer}"


def format_s10_block(
    service_indicator: str, first_serial: int, count: int, country: str
) -> list[str]:
    """``count`` consecutive ids from ``first_serial``: ``format_s10`` for each, with the
    indicator and issuer checked once and check digits from two 10,000-entry tables (bulk
    capture numbers thousands of parcels per chunk)."""
    if count <= 0:
        return []
    first = format_s10(service_indicator, first_serial, country)
    format_s10(service_indicator, first_serial + count - 1, country)  # the last serial fits too
    prefix, issuer = first[:2], first[11:]
    high, low = _weighted_sum_tables()
    numbers = []
    for serial in range(first_serial, first_serial + count):
        check = 11 - (high[serial // 10_000] + low[serial % 10_000]) % 11
        numbers.append(f"{prefix}{serial:08d}{_CHECK_OF_REMAINDER[check]}{issuer}")
    return numbers


# 11 - (S mod 11) as the check digit: 10 becomes 0 and 11 becomes 5.
_CHECK_OF_REMAINDER = {check: (0 if check == 10 else 5 if check == 11 else check)
                       for check in range(1, 12)}  # fmt: skip


@lru_cache(maxsize=1)
def _weighted_sum_tables() -> tuple[list[int], list[int]]:
    """Weighted sums of the serial's first four digits (weights 8 6 4 2) and of its last four
    (3 5 9 7), for every four-digit value."""
    tables = []
    for weights in (S10_WEIGHTS[:4], S10_WEIGHTS[4:]):
        tables.append(
            [
                sum(int(d) * w for d, w in zip(f"{n:04d}", weights, strict=True))
                for n in range(10_000)
            ]
        )
    return tables[0], tables[1]


def parse_s10(text: str) -> S10Id:
    """Parse and validate; spaces are ignored and letters upper-cased (``rr 473 124 829 gb``).

    Raises:
        InvalidS10: with ``reason`` = wrong length, bad format, bad service indicator,
            bad check digit or unknown country, and a message naming the offending part.
    """
    compact = "".join(text.split()).upper()
    if len(compact) != S10_LENGTH:
        raise InvalidS10(
            IdentifierProblem.WRONG_LENGTH,
            f"S10 id must have 13 characters, {text!r} has {len(compact)}",
        )
    indicator, serial, check, country = compact[0:2], compact[2:10], compact[10], compact[11:13]
    if not _ASCII_UPPER.issuperset(indicator):
        raise InvalidS10(
            IdentifierProblem.BAD_SERVICE_INDICATOR,
            f"S10 service indicator must be two letters A–Z, got {indicator!r}",
        )
    if not _DIGITS.issuperset(serial) or check not in _DIGITS:
        raise InvalidS10(
            IdentifierProblem.BAD_FORMAT,
            f"S10 characters 3–11 must be digits, got {compact[2:11]!r}",
        )
    if not _ASCII_UPPER.issuperset(country):
        raise InvalidS10(
            IdentifierProblem.UNKNOWN_COUNTRY,
            f"S10 issuer must be an ISO 3166-1 alpha-2 code, got {country!r}",
        )
    _check_service_indicator(indicator)
    expected = s10_check_digit(serial)
    if int(check) != expected:
        raise InvalidS10(
            IdentifierProblem.BAD_CHECK_DIGIT,
            f"S10 check digit of {compact} is {check} but serial {serial} requires {expected}",
        )
    _issuer_country(country)
    return S10Id(service_indicator=indicator, serial=serial, check_digit=expected, country=country)


def is_valid_s10(text: str) -> bool:
    try:
        parse_s10(text)
    except InvalidS10:
        return False
    return True


def _check_service_indicator(indicator: str) -> None:
    if len(indicator) != 2 or not _ASCII_UPPER.issuperset(indicator):
        raise InvalidS10(
            IdentifierProblem.BAD_SERVICE_INDICATOR,
            f"S10 service indicator must be two letters A–Z, got {indicator!r}",
        )
    if describe_service_indicator(indicator).is_reserved:
        raise InvalidS10(
            IdentifierProblem.BAD_SERVICE_INDICATOR,
            f"S10 service indicator {indicator!r} is reserved (first letters J, K, S, T, W "
            "are invalid)",
        )


def _issuer_country(country: str) -> str:
    try:
        alpha2 = normalize_country(country)
    except UnknownCountry as exc:
        raise InvalidS10(
            IdentifierProblem.UNKNOWN_COUNTRY,
            f"S10 issuer {country!r} is not an ISO 3166-1 country",
        ) from exc
    # A two-letter input must be that code itself, not a name lookup that happens to match.
    if len(country) == 2 and alpha2 != country.upper():
        raise InvalidS10(
            IdentifierProblem.UNKNOWN_COUNTRY,
            f"S10 issuer {country!r} is not an ISO 3166-1 alpha-2 code",
        )
    return alpha2
