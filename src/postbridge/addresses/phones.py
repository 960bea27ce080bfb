"""Phone numbers to E.164 with phonenumbers, fast enough for bulk capture.

``phonenumbers.parse`` plus ``is_valid_number`` costs 40-60 µs a call, more than the whole address
budget. The fast path reads the same phonenumbers metadata: it strips formatting, removes the
country code or the national prefix, and matches the national number against the union of the
region's number-type patterns (the test ``is_valid_number`` makes, one regex instead of ten).
It only ever *accepts*; anything it is unsure of goes to the full library path, which alone
refuses. Tests check that both paths agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

_FORMATTING = re.compile(r"[\s().\-/]+")
_TYPE_DESCS = (
    "fixed_line",
    "mobile",
    "toll_free",
    "premium_rate",
    "shared_cost",
    "personal_number",
    "voip",
    "pager",
    "uan",
    "voicemail",
)


@dataclass(frozen=True, slots=True)
class _RegionNumbering:
    country_code: str
    national_prefix: str | None
    valid_national: re.Pattern[str]


@lru_cache(maxsize=512)
def _numbering(region: str) -> _RegionNumbering | None:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None:
        return None
    patterns = [
        desc.national_number_pattern
        for name in _TYPE_DESCS
        if (desc := getattr(metadata, name, None)) is not None and desc.national_number_pattern
    ]
    if not patterns:
        return None
    return _RegionNumbering(
        country_code=str(metadata.country_code),
        national_prefix=metadata.national_prefix or None,
        valid_national=re.compile("(?:" + ")|(?:".join(patterns) + ")"),
    )


def _fast_e164(raw: str, region: str) -> str | None:
    compact = _FORMATTING.sub("", raw)
    international = compact.startswith("+")
    digits = compact[1:] if international else compact
    if not digits.isdigit():
        return None
    if international:
        if digits.startswith("0"):  # country codes never start with 0
            return None
        for length in (1, 2, 3):
            regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(int(digits[:length]))
            if regions:
                numbering = _numbering(regions[0])
                national = digits[length:]
                break
        else:
            return None
    else:
        numbering = _numbering(region)
        national = digits
        if numbering is None:
            return None
        prefix = numbering.national_prefix
        # A leading country code or international prefix ("49...", "00...", "011...") needs
        # phonenumbers' own disambiguation; in NANP the country code is also the trunk prefix.
        if digits.startswith(("00", "011")) or (
            digits.startswith(numbering.country_code) and numbering.country_code != prefix
        ):
            return None
        if prefix and national.startswith(prefix):
            national = national[len(prefix) :]
    if numbering is None or not numbering.valid_national.fullmatch(national):
        return None
    return f"+{numbering.country_code}{national}"


@lru_cache(maxsize=65536)
def _library_e164(raw: str, region: str) -> str | None:
    try:
        number = phonenumbers.parse(raw, region)
    except NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return str(phonenumbers.format_number(number, PhoneNumberFormat.E164))


def to_e164(raw: str, region: str) -> str | None:
    """E.164 for ``raw`` read with ``region`` as default country; None if not a valid number.

    ``00`` is read as ``+`` when the number is not valid otherwise: it is the international
    prefix of most of the world (ITU-T E.164 recommends it), so merchants dial "00 1 512 ..."
    for a US number whatever the destination's own prefix (011 in North America).
    Repeated numbers (a merchant's sender phone on every row) hit the cache.
    """
    found = _fast_e164(raw, region) or _library_e164(raw, region)
    if found is None:
        compact = _FORMATTING.sub("", raw)
        if compact.startswith("00") and compact[2:].isdigit():
            international = "+" + compact[2:]
            found = _fast_e164(international, region) or _library_e164(international, region)
    return found


# An extension after the number: "ext. 23", "x23", "extension 23", "#23", ";ext=23" (RFC 3966),
# "ramal 23" (pt), "anexo 23" / "extensión 23" (es), "分机 23" / "转 23" (zh).
_EXTENSION = re.compile(
    r"\s*(?:[,;]\s*)?(?:;?ext=|(?:ext|extn|extension|extensi[oó]n|ramal|anexo|x)\.?:?|#|分机|转)"
    r"\s*(\d{1,7})\s*$",
    re.IGNORECASE,
)


def split_extension(raw: str) -> tuple[str, str]:
    """(number, extension digits) of a typed phone: "+1 512 555 0100 ext. 23" ->
    ("+1 512 555 0100", "23"); the extension is "" when there is none."""
    match = _EXTENSION.search(raw)
    if match is None or match.start() == 0:
        return raw, ""
    return raw[: match.start()], match.group(1)


def example_number(region: str) -> str:
    example = phonenumbers.example_number(region)
    if example is None:
        return "+1 650 253 0000"
    return str(phonenumbers.format_number(example, PhoneNumberFormat.INTERNATIONAL))
