"""Postal codes: canonical spelling per country and the message that says what was expected."""

from __future__ import annotations

from collections.abc import Callable

from postbridge.addresses.country_rules import CountryRules


def _brazil(code: str) -> str:
    digits = code.replace("-", "").replace(".", "")
    return f"{digits[:5]}-{digits[5:]}" if len(digits) == 8 and digits.isdigit() else code


def _united_states(code: str) -> str:
    digits = code.replace("-", "").replace(" ", "")
    if len(digits) == 9 and digits.isdigit():
        return f"{digits[:5]}-{digits[5:]}"
    return code


def _inward_code_last(code: str) -> str:
    """GB and CA write the last three characters apart: "SW1A1AA" -> "SW1A 1AA"."""
    compact = code.replace(" ", "")
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else code


def _hyphen_after(position: int) -> Callable[[str], str]:
    def canonical(code: str) -> str:
        compact = code.replace(" ", "").replace("-", "")
        if compact.isdigit() and len(compact) > position:
            return f"{compact[:position]}-{compact[position:]}"
        return code

    return canonical


def _netherlands(code: str) -> str:
    compact = code.replace(" ", "")
    return f"{compact[:4]} {compact[4:]}" if len(compact) == 6 else code


def _digits_only(code: str) -> str:
    compact = code.replace(" ", "").replace("-", "")
    return compact if compact.isdigit() else code


# Countries whose post writes codes one way while people type them several ways.
_CANONICAL: dict[str, Callable[[str], str]] = {
    "BR": _brazil,
    "US": _united_states,
    "GB": _inward_code_last,
    "CA": _inward_code_last,
    "NL": _netherlands,
    "PL": _hyphen_after(2),
    "PT": _hyphen_after(4),
    "JP": _hyphen_after(3),
    "ES": _digits_only,
    "MX": _digits_only,
    "CN": _digits_only,
    "CL": _digits_only,
    "DE": _digits_only,
    "FR": _digits_only,
    "IT": _digits_only,
    "SG": _digits_only,
}

# What to say when a code does not fit, for the destinations we serve most.
_EXPECTED: dict[str, str] = {
    "US": "expected a 5-digit ZIP code such as 78701, or ZIP+4 such as 78701-1234",
    "BR": "expected an 8-digit CEP such as 01310-100",
    "CN": "expected a 6-digit postal code such as 518000",
    "ES": "expected a 5-digit código postal such as 28013",
    "MX": "expected a 5-digit código postal such as 06600",
    "CL": "expected a 7-digit código postal such as 8320000",
}


def canonical_postal_code(country: str, typed: str) -> str:
    code = " ".join(typed.upper().split())
    canonical = _CANONICAL.get(country)
    return canonical(code) if canonical else code


def expected_postal_code(rules: CountryRules) -> str:
    known = _EXPECTED.get(rules.country)
    if known:
        return known
    if rules.postal_examples:
        return f"expected a {rules.country} postal code such as {rules.postal_examples[0]}"
    return f"expected a {rules.country} postal code"
