"""FedEx tracking numbers and the barcodes that carry them (tracking-and-eta.md §1.3).

Two check-digit families:

- *Express*: Σ digit × weight with weights 3, 1, 7 repeating from the left (1, 7, 3 for the
  13-digit serial of the 34-digit barcodes), then mod 11, then mod 10.
- *Ground*: the GS1 MOD 10 (weights 3, 1, ... from the rightmost digit), the same sum as the
  USPS IMpb check digit, so ``impb_check_digit`` is reused.

The 32- and 34-digit barcodes embed a 12-digit Express tracking number (the serial's last 11
digits and the check digit); that is the number to send to FedEx, so the matchers return it.
"""

from __future__ import annotations

from postbridge.identifiers.impb import impb_check_digit as gs1_check_digit

_EXPRESS_WEIGHTS = (3, 1, 7)
_BARCODE_WEIGHTS = (1, 7, 3)


def fedex_express_check_digit(digits: str, weights: tuple[int, int, int]) -> int:
    total = sum(int(d) * weights[i % 3] for i, d in enumerate(digits))
    return total % 11 % 10


def match_fedex_express_12(compact: str) -> str | None:
    if not _digits(compact, 12):
        return None
    return compact if _express_ok(compact[:11], compact[11], _EXPRESS_WEIGHTS) else None


def match_fedex_ground_15(compact: str) -> str | None:
    if not _digits(compact, 15):
        return None
    return compact if gs1_check_digit(compact[:14]) == int(compact[14]) else None


def match_fedex_sscc_18(compact: str) -> str | None:
    """Container type (2) + serial (15) + check; the sum skips the container type (zeros in
    FedEx's numbers, where it would change nothing)."""
    if not _digits(compact, 18):
        return None
    return compact if gs1_check_digit(compact[2:17]) == int(compact[17]) else None


def match_fedex_ground_96(compact: str) -> str | None:
    """``96`` + SCNC (2) + service (3) + shipper (7) + package (7) + check over the last 14."""
    if not _digits(compact, 22) or not compact.startswith("96"):
        return None
    return compact if gs1_check_digit(compact[7:21]) == int(compact[21]) else None


def match_fedex_express_34(compact: str) -> str | None:
    """``[0-8]`` + 14 + destination ZIP (5) + serial (13) + check."""
    if not _digits(compact, 34) or compact[0] == "9":
        return None
    return _barcode_serial(compact)


def match_fedex_ground_gsn_34(compact: str) -> str | None:
    """``96`` + SCNC (2) + 5 + GSN (10) + 1 + serial (13) + check."""
    if not _digits(compact, 34) or not compact.startswith("96"):
        return None
    return _barcode_serial(compact)


def match_fedex_astra_32(compact: str) -> str | None:
    """``3`` + 5 + 3 + 7 + serial (11) + check + 4: the 12 digits in the middle are the number."""
    if not _digits(compact, 32) or not compact.startswith("3"):
        return None
    if not _express_ok(compact[16:27], compact[27], _EXPRESS_WEIGHTS):
        return None
    return compact[16:28]


def _barcode_serial(compact: str) -> str | None:
    if not _express_ok(compact[20:33], compact[33], _BARCODE_WEIGHTS):
        return None
    return compact[22:34]


def _express_ok(serial: str, check: str, weights: tuple[int, int, int]) -> bool:
    return fedex_express_check_digit(serial, weights) == int(check)


def _digits(compact: str, length: int) -> bool:
    return len(compact) == length and compact.isascii() and compact.isdigit()
