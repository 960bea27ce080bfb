"""ISO 3166-1 alpha-2 country codes, checked with pycountry."""

from __future__ import annotations

from functools import lru_cache

import pycountry


class UnknownCountry(ValueError):
    """A value that is not an ISO 3166-1 country."""


@lru_cache(maxsize=1024)
def normalize_country(value: str) -> str:
    """Return the alpha-2 code for an alpha-2, alpha-3 or English country name."""
    text = value.strip()
    if not text:
        raise UnknownCountry("country is empty")
    upper = text.upper()
    if len(upper) == 2 and pycountry.countries.get(alpha_2=upper) is not None:
        return upper
    if len(upper) == 3:
        found = pycountry.countries.get(alpha_3=upper)
        if found is not None:
            return str(found.alpha_2)
    try:
        return str(pycountry.countries.lookup(text).alpha_2)
    except LookupError as exc:
        raise UnknownCountry(f"{value!r} is not an ISO 3166-1 country") from exc


def country_name(alpha2: str) -> str:
    found = pycountry.countries.get(alpha_2=alpha2.upper())
    if found is None:
        raise UnknownCountry(f"{alpha2!r} is not an ISO 3166-1 country")
    return str(getattr(found, "common_name", None) or found.name)
