"""UPS tracking numbers: ``1Z`` numbers and waybills (tracking-and-eta.md §1.3).

``1Z`` + shipper (6) + service (2) + package (7) + check digit: 18 characters, the first 17
alphanumeric. The check digit is a MOD 10 over the 15 characters after ``1Z``, where a letter
counts as ``(ord(letter) - 3) mod 10`` (A=2, B=3, ... the digits of a phone keypad shifted)
and every second character is doubled.

Waybills are one of ``A H J K T V``, nine digits and a check digit computed the same way over
the nine digits.
"""

from __future__ import annotations

import re

_UPS_1Z = re.compile(r"1Z([0-9A-Z]{15})([0-9])")
_UPS_WAYBILL = re.compile(r"[AHJKTV]([0-9]{9})([0-9])")


def ups_check_digit(body: str) -> int:
    """Check digit of the characters between the prefix and the check digit."""
    total = 0
    for position, character in enumerate(body):
        value = int(character) if character.isdigit() else (ord(character) - 3) % 10
        total += value * (2 if position % 2 else 1)
    return (10 - total % 10) % 10


def match_ups_1z(compact: str) -> str | None:
    """The number itself when it is a valid ``1Z`` number (upper-case, no blanks), else None."""
    return _checked(_UPS_1Z, compact)


def match_ups_waybill(compact: str) -> str | None:
    return _checked(_UPS_WAYBILL, compact)


def _checked(pattern: re.Pattern[str], compact: str) -> str | None:
    match = pattern.fullmatch(compact)
    if match is None or ups_check_digit(match.group(1)) != int(match.group(2)):
        return None
    return compact
