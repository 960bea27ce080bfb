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

from postbridge.addresses import zips
from postbridge.addresses.country_rules import (
    CountryRules,
    country_rules,
    postal_regions,
    region_for_city,
    region_of_postal_code,
    region_rules,
    singapore_sectors,
    without_english_suffix,
)
from postbridge.addresses.lines import address_lines
from postbridge.addresses.model import AddressInput, AddressRole, NormalizedAddress
from postbridge.addresses.phones import example_number, split_extension, to_e164
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
_INFER_REGION_FROM_CITY = frozenset({"CN", "HK"})
# Countries whose postal code names its region (postal_regions, the ZIP table): a missing region
# is filled in from it, and a region given must agree with it.
_INFER_REGION_FROM_POSTAL = frozenset({"US", "ES", "BR", "MX", "CN", "CO"})
# Countries whose libaddressinput data requires a region their post does not: Hong Kong
# addresses are written with a district and no area (and no postal code).
_REGION_OPTIONAL = frozenset({"HK"})
# What merchants put in the region field of such an address: the territory's own name.
_TERRITORY_AS_REGION = {
    "HK": frozenset({"hk", "hongkong", "hongkongsar", "hksar", "香港", "香港特别行政区"}),
}
# Regions merchants give for a city that is not in them: Bogotá D.C. is a capital district of
# its own, outside Cundinamarca (of which it is the capital). (country, given, right one)
_REGION_CORRECTIONS = (("CO", "Cundinamarca", "Bogotá"),)


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
    region, city, postal_code, found, warnings = _locality(
        rules.country, data.region, data.city, data.postal_code, path
    )
    problems.problems.extend(found)
    phone, extension = _phone(data.phone, rules.country, path, problems)
    tax_id, tax_id_kind = _tax_id(data.tax_id, rules.country, role, path, problems)
    if len(problems.problems) > before:
        return None
    # The lines the label prints (addresses.lines), so the API shows what the parcel carries.
    lines = address_lines(
        country=rules.country,
        name=name,
        company=company,
        street_lines=street_lines,
        city=city,
        region=region.value,
        postal_code=postal_code,
    )
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
        formatted_lines=tuple(line.text for line in lines),
        phone_extension=extension,
        warnings=warnings,
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
) -> tuple[_Region, str, str, tuple[FieldProblem, ...], tuple[FieldProblem, ...]]:
    """Region, city and postal code checked together (they must agree), memoised: a day's
    parcels go to a few thousand localities, each typed the same way many times.
    Returns the problems, then the warnings (what was corrected)."""
    rules = country_rules(country)
    problems = ProblemList()
    warnings: list[FieldProblem] = []
    postal_owner = _region_of_postal_code(rules, postal_code)
    found_region = _region(region, city, postal_owner, rules, path, problems)
    found_region = _corrected_region(found_region, postal_owner, rules, path, warnings)
    found_city = _city(city, rules, found_region, path, problems)
    before = len(problems.problems)
    found_postal = _postal_code(postal_code, rules, found_region, path, problems)
    if rules.country == "US" and found_city and len(problems.problems) == before:
        found_city = _us_city(found_city, found_postal, path, problems, warnings)
    return found_region, found_city, found_postal, tuple(problems.problems), tuple(warnings)


def _region_of_postal_code(rules: CountryRules, typed: str | None) -> str | None:
    """The region (area key) a well-formed postal code belongs to, where the data says."""
    text = clean_text(typed)
    if not text or rules.country not in _INFER_REGION_FROM_POSTAL:
        return None
    code = canonical_postal_code(rules.country, text)
    if rules.postal_pattern is not None and not rules.postal_pattern.match(code):
        return None
    if rules.country == "US":
        entry = zips.us_zip(code)
        state = entry.state if entry is not None and entry.active else None
        return state if state in rules.region_display else None
    table = postal_regions(rules.country)
    return table.region_of(code) if table is not None else None


def _region(
    typed_region: str | None,
    typed_city: str | None,
    postal_owner: str | None,
    rules: CountryRules,
    path: str,
    problems: ProblemList,
) -> _Region:
    typed = clean_text(typed_region)
    required = "country_area" in rules.required_fields and rules.country not in _REGION_OPTIONAL
    if not typed and postal_owner is not None:
        return _Region(postal_owner, rules.region_display[postal_owner])
    if not typed and typed_city and rules.country in _INFER_REGION_FROM_CITY:
        city = clean_text(typed_city)
        inferred = region_for_city(rules.country, city)
        if inferred is None and rules.country in _REGION_OPTIONAL:
            inferred = rules.find_region(city)  # "Kowloon" typed as the city
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
    if key is None and match_key(typed) in _TERRITORY_AS_REGION.get(rules.country, ()):
        return _region(None, typed_city, postal_owner, rules, path, problems)
    community = rules.communities.get(match_key(typed)) if key is None else None
    if community is not None and postal_owner in community:
        return _Region(postal_owner, rules.region_display[postal_owner])
    if community is not None:
        provinces = ", ".join(sorted(community))
        problems.add(
            f"{path}.region",
            f"{_expected_region(rules)}; got {typed!r}, a group of them ({provinces}): give "
            "its province, or a postal code of one",
        )
        return _Region("", "")
    if key is None:
        problems.add(f"{path}.region", f"{_expected_region(rules)}; got {typed!r}")
        return _Region("", "")
    return _Region(key, rules.region_display[key])


def _corrected_region(
    region: _Region,
    postal_owner: str | None,
    rules: CountryRules,
    path: str,
    warnings: list[FieldProblem],
) -> _Region:
    for country, given, right in _REGION_CORRECTIONS:
        if rules.country == country and region.key == given and postal_owner == right:
            value = rules.region_display[right]
            warnings.append(
                FieldProblem(
                    f"{path}.region",
                    f"{region.value!r} corrected to {value!r}, the region of the postal code",
                    "corrected",
                )
            )
            return _Region(right, value)
    return region


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
        cities = region_rules(rules.country, region.key).city_by_key
        known = cities.get(folded)
        if known is None and rules.country == "CN":
            short = without_english_suffix(folded)  # "Shenzhen City"
            known = cities.get(short) if short else None
            if known is None and rules.find_region(text) == region.key:
                known = region.value  # a municipality as its own city: 上海 -> Shanghai Shi
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
    if rules.country == "US":
        _us_zip(code, region, field, problems)
        return code
    if rules.country == "SG" and code[:2] not in singapore_sectors():
        problems.add(
            field,
            f"postal code {code} is not in use: Singapore postal codes start with their postal "
            "sector, 01 to 82",
        )
        return code
    if not region.key:
        return code
    table = postal_regions(rules.country)
    owner = table.region_of(code) if table is not None else None
    if owner is not None and owner != region.key:
        owner_name = rules.region_display[owner]
        problems.add(field, f"postal code {code} belongs to {owner_name}, not {region.value}")
        return code
    # Elsewhere, region/postal agreement uses libaddressinput's per-region prefixes.
    below = region_rules(rules.country, region.key)
    if below.postal_prefix is None or below.postal_prefix.match(code):
        return code
    owner = region_of_postal_code(rules.country, code)
    if owner is not None:
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


def _us_zip(code: str, region: _Region, field: str, problems: ProblemList) -> None:
    """The ZIP must be assigned (the zipcodes table) and in the state given."""
    entry = zips.us_zip(code)
    if entry is None:
        problems.add(field, f"ZIP {code[:5]} is not an assigned ZIP code")
    elif not entry.active:
        problems.add(field, f"ZIP {code[:5]} is no longer in use")
    elif region.key and entry.state != region.key:
        problems.add(field, f"ZIP {code[:5]} belongs to {entry.state}, not {region.key}")


def _us_city(
    city: str, code: str, path: str, problems: ProblemList, warnings: list[FieldProblem]
) -> str:
    """The city must be one USPS accepts for the ZIP: a misspelling of it, or a name USPS does
    not use for it ("NYC" for 10001), is corrected with a warning; another city is refused."""
    entry = zips.us_zip(code)
    if entry is None:
        return city
    found = zips.match_city(entry, city)
    if found.accepted:
        return city
    if found.corrected is not None:
        corrected = found.corrected.upper()
        warnings.append(
            FieldProblem(
                f"{path}.city",
                f"{city!r} corrected to {corrected!r}, the USPS city of ZIP {code[:5]}",
                "corrected",
            )
        )
        return corrected
    problems.add(
        f"{path}.city",
        f"{city} does not match ZIP {code[:5]}, which is {entry.city.upper()}, {entry.state}",
    )
    return city


def _phone(typed: str | None, country: str, path: str, problems: ProblemList) -> tuple[str, str]:
    """E.164 and the extension digits typed after the number ("ext. 23")."""
    text = clean_text(typed)
    if not text:
        return "", ""
    number, extension = split_extension(text)
    e164 = to_e164(number, country)
    if e164 is None:
        problems.add(
            f"{path}.phone",
            f"expected a valid phone number for {country} such as {example_number(country)}, "
            "or an international number starting with +",
        )
        return "", ""
    return e164, extension


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


def preload(
    countries: tuple[str, ...] = ("US", "BR", "ES", "MX", "CL", "CO", "CN", "HK", "SG", "GB"),
) -> None:
    """Build the per-country and per-region tables before the first request, so bulk capture
    does not pay for them on its first rows."""
    for country in countries:
        rules = country_rules(country)
        for region_key in rules.region_display:
            region_rules(country, region_key)
        postal_regions(country)
        if country == "US":
            zips.preload()
