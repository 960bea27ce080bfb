"""DHL numbers (tracking-and-eta.md §1.3).

DHL Express waybills are 10 or 11 digits whose last digit is the rest of the number mod 7.
Piece ids (``J`` + 2–3 letters + 9–10 digits) and DHL eCommerce numbers carry no check digit,
so a match says only that the shape fits; detection ranks them below every checked format.
"""

from __future__ import annotations

import re

_PIECE_ID = re.compile(r"J[A-Z]{2,3}[0-9]{9,10}")
# The serial after the prefix starts with a digit: that keeps words such as "GMAIL..." out.
_ECOMMERCE = re.compile(r"(?:GM|LX|RX|UV|CN|SG|TH|IN|HK|MY)[0-9][0-9A-Z]{9,38}")


def dhl_express_check_digit(serial: str) -> int:
    return int(serial) % 7


def match_dhl_express(compact: str) -> str | None:
    if len(compact) not in (10, 11) or not (compact.isascii() and compact.isdigit()):
        return None
    return compact if dhl_express_check_digit(compact[:-1]) == int(compact[-1]) else None


def match_dhl_piece_id(compact: str) -> str | None:
    return compact if _PIECE_ID.fullmatch(compact) else None


def match_dhl_ecommerce(compact: str) -> str | None:
    return compact if _ECOMMERCE.fullmatch(compact) else None


def match_dhl_ecommerce_14(compact: str) -> str | None:
    return compact if len(compact) == 14 and compact.isascii() and compact.isdigit() else None
