"""USPS tracking numbers as people paste them: IMpb PICs with or without ``420`` + ZIP, the
legacy 20-digit numbers, and the long channel-94 PIC (tracking-and-eta.md §1.3,
postal-standards.md §4).

The IMpb rules themselves live in ``identifiers.impb``; this module only decides which
readings of a pasted string to try:

- a bare PIC (22 or 26 digits, or 30 for channel 94 with a 9-digit mailer id);
- ``420`` + ZIP+4 + PIC, then ``420`` + ZIP5 + PIC: both are tried because scanners drop the
  separator, and every reading whose PIC validates is kept;
- legacy numbers: channel ``91`` PICs, and 20-digit numbers that are a ``91`` PIC without its
  ``91`` (the check digit is computed with ``91`` in front);
- the pre-IMpb 20-digit form: service (2) + shipper (9) + package (8) + MOD 10 check.
"""

from __future__ import annotations

from postbridge.identifiers.errors import InvalidImpb
from postbridge.identifiers.impb import (
    ROUTING_AI,
    ZIP_LENGTHS,
    ChannelApplicationId,
    impb_check_digit,
    parse_impb_tracking_number,
)

_LONG_CHANNEL_94_LENGTH = 30  # 94 + STC + 9-digit MID + 15-digit serial + check


def pic_readings(compact: str) -> list[str]:
    """Every valid PIC the digits can be read as (the routing prefix dropped), longest ZIP
    first; an empty list when none validates."""
    if not (compact.isascii() and compact.isdigit()):
        return []
    readings = [compact] if _valid_pic(compact) else []
    if compact.startswith(ROUTING_AI):
        for zip_length in sorted(ZIP_LENGTHS, reverse=True):
            pic = compact[len(ROUTING_AI) + zip_length :]
            if _valid_pic(pic):
                readings.append(pic)
    return readings


def match_usps_20(compact: str) -> str | None:
    if len(compact) != 20 or not (compact.isascii() and compact.isdigit()):
        return None
    return compact if impb_check_digit(compact[:19]) == int(compact[19]) else None


def match_usps_legacy_without_91(compact: str) -> str | None:
    """A 20-digit number (after an optional ``420`` + ZIP) that validates with ``91`` in front."""
    if not (compact.isascii() and compact.isdigit()):
        return None
    bodies = [compact]
    if compact.startswith(ROUTING_AI):
        bodies += [compact[len(ROUTING_AI) + n :] for n in sorted(ZIP_LENGTHS, reverse=True)]
    for body in bodies:
        if len(body) == 20 and not body.startswith(ChannelApplicationId.LEGACY):
            prefixed = ChannelApplicationId.LEGACY + body
            if impb_check_digit(prefixed[:-1]) == int(prefixed[-1]):
                return body
    return None


def _valid_pic(digits: str) -> bool:
    if len(digits) == _LONG_CHANNEL_94_LENGTH:
        # identifiers.impb knows the 22/26-digit PICs; channel 94 also has a 30-digit form.
        return (
            digits.startswith(ChannelApplicationId.USPS_ONLINE)
            and digits[5] == "9"
            and impb_check_digit(digits[:-1]) == int(digits[-1])
        )
    try:
        pic = parse_impb_tracking_number(digits)
    except InvalidImpb:
        return False
    # A 6-digit mailer id (channel 93) never starts with 9: 9 marks the 9-digit ones.
    return not (pic.channel is ChannelApplicationId.COMMERCIAL_MID6 and digits[5] == "9")
