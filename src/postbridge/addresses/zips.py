"""US ZIP codes from the zipcodes package (MIT; its USPS-derived table is compiled into the
wheel, so nothing is fetched at run time): which ZIPs are assigned, their state, and the city
names USPS accepts for each.

The package answers ``matching()`` by scanning its table (about 130 µs a call), so the table is
read once into a dict keyed by ZIP (0.3-0.7 s, at start-up through ``addresses.preload``) and
every lookup is one dict access.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

import zipcodes

from postbridge.addresses.text import match_key


@dataclass(frozen=True, slots=True)
class UsZip:
    state: str
    city: str  # USPS's preferred name, as the package spells it ("Saint Louis")
    acceptable: tuple[str, ...]  # other names USPS accepts for the ZIP
    unacceptable: tuple[str, ...]  # names people use that USPS does not ("Nyc" for 10001)
    active: bool


@lru_cache(maxsize=1)
def _table() -> dict[str, UsZip]:
    return {
        str(row["zip_code"]): UsZip(
            state=str(row["state"]),
            city=str(row["city"]),
            acceptable=tuple(str(name) for name in row.get("acceptable_cities") or ()),
            unacceptable=tuple(str(name) for name in row.get("unacceptable_cities") or ()),
            active=bool(row["active"]),
        )
        for row in zipcodes.list_all()
    }


def us_zip(code: str) -> UsZip | None:
    """The ZIP of ``code`` (ZIP or ZIP+4, canonical spelling); None if it is not assigned."""
    return _table().get(code[:5])


def preload() -> None:
    _table()


# Words USPS spells out in city names where people abbreviate them ("St Louis", "Ft Worth").
_CITY_WORDS = {"st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount", "pt": "point"}
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@lru_cache(maxsize=8192)
def city_key(city: str) -> str:
    """Folded city name with the usual abbreviations spelt out ("St. Louis" -> "saintlouis")."""
    words = _WORD.findall(city.casefold())
    return match_key(" ".join(_CITY_WORDS.get(word, word) for word in words))


@lru_cache(maxsize=8192)
def _accepted_keys(entry: UsZip) -> frozenset[str]:
    return frozenset(city_key(name) for name in (entry.city, *entry.acceptable))


@dataclass(frozen=True, slots=True)
class CityMatch:
    """What the typed city is to the ZIP: ``accepted`` as typed, else ``corrected`` to
    ``city`` (a name USPS does not use for the ZIP, or a misspelling of one), else neither."""

    accepted: bool
    corrected: str | None = None


def match_city(entry: UsZip, typed: str) -> CityMatch:
    if typed.casefold() == entry.city.casefold():
        return CityMatch(accepted=True)  # the usual case, before any folding
    key = city_key(typed)
    if key in _accepted_keys(entry):
        return CityMatch(accepted=True)
    if any(city_key(name) == key for name in entry.unacceptable):
        return CityMatch(accepted=False, corrected=entry.city)
    for name in (entry.city, *entry.acceptable):
        # A misspelling: most letters in order ("Austn", "Pittsburg" for Pittsburgh).
        if difflib.SequenceMatcher(None, key, city_key(name)).ratio() >= 0.85:
            return CityMatch(accepted=False, corrected=name)
    return CityMatch(accepted=False)
