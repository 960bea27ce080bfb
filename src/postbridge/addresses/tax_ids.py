"""Recipient tax identifiers: check-digit validators and the per-destination requirement table.

Which destination asks for which identifier is data (``data/tax_ids.yaml``); this module only
knows how to check each kind of identifier.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from importlib import resources

import yaml

_SEPARATORS = re.compile(r"[\s.\-/]+")


class TaxIdKind(StrEnum):
    CPF = "CPF"  # Brazil, individuals: 11 digits, two mod-11 check digits
    CNPJ = "CNPJ"  # Brazil, companies: 14 characters, two mod-11 check digits
    RUT = "RUT"  # Chile: body + mod-11 verifier (0-9 or K)
    RFC = "RFC"  # Mexico: 12 (companies) or 13 (individuals) characters
    PCCC = "PCCC"  # Korea personal customs clearance code: P + 12 digits


@dataclass(frozen=True, slots=True)
class TaxIdRequirement:
    destination: str
    required: bool
    kinds: tuple[TaxIdKind, ...]
    source: str


class TaxIdProblem(ValueError):
    """The identifier has the right shape for ``kind`` but fails its check."""

    def __init__(self, kind: TaxIdKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def clean_tax_id(typed: str) -> str:
    """Remove the dots, dashes, slashes and spaces people type; upper-case letters."""
    plain = typed.replace(".", "").replace("-", "").replace("/", "").replace(" ", "")
    return plain.upper() if plain.isalnum() else _SEPARATORS.sub("", plain).upper()


def _mod11_digit(values: list[int], weights: tuple[int, ...]) -> int:
    remainder = sum(map(int.__mul__, values, weights)) % 11
    return 0 if remainder < 2 else 11 - remainder


_CPF_WEIGHTS_1 = (10, 9, 8, 7, 6, 5, 4, 3, 2)
_CPF_WEIGHTS_2 = (11, 10, 9, 8, 7, 6, 5, 4, 3, 2)


def cpf_is_valid(cpf: str) -> bool:
    """Receita Federal CPF: 9 digits, then two check digits, weights 10..2 and 11..2."""
    if len(cpf) != 11 or not cpf.isdigit() or cpf == cpf[0] * 11:
        return False
    digits = [char - 48 for char in cpf.encode()]
    first = _mod11_digit(digits, _CPF_WEIGHTS_1)
    if digits[9] != first:
        return False
    return digits[10] == _mod11_digit(digits, _CPF_WEIGHTS_2)


_CNPJ_WEIGHTS_1 = (5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)
_CNPJ_WEIGHTS_2 = (6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)
_CNPJ_SHAPE = re.compile(r"[0-9A-Z]{12}[0-9]{2}")


def cnpj_is_valid(cnpj: str) -> bool:
    """CNPJ check digits; letters (alphanumeric CNPJ, IN RFB 2.229/2024, from July 2026) count as
    their ASCII code minus 48, so all-digit numbers check exactly as before."""
    if not _CNPJ_SHAPE.fullmatch(cnpj) or cnpj == cnpj[0] * 14:
        return False
    values = [char - 48 for char in cnpj.encode()]
    if values[12] != _mod11_digit(values, _CNPJ_WEIGHTS_1):
        return False
    return values[13] == _mod11_digit(values, _CNPJ_WEIGHTS_2)


def rut_verifier(body: str) -> str:
    """Chilean RUT verifier: digits right to left times 2..7 cyclically, 11 - sum mod 11."""
    total = sum(int(char) * (2 + index % 6) for index, char in enumerate(reversed(body)))
    value = 11 - total % 11
    return {11: "0", 10: "K"}.get(value, str(value))


def rut_is_valid(rut: str) -> bool:
    body, verifier = rut[:-1], rut[-1:]
    if not (7 <= len(body) <= 8 and body.isdigit()):
        return False
    return rut_verifier(body) == verifier


_RFC_SHAPE = re.compile(r"[A-ZÑ&]{3,4}[0-9]{6}[A-Z0-9]{3}")
_PCCC_SHAPE = re.compile(r"P[0-9]{12}")


@dataclass(frozen=True, slots=True)
class _KindCheck:
    shape: Callable[[str], bool]
    valid: Callable[[str], bool]
    expected: str


# RFC and PCCC are checked for shape only: the RFC homoclave check digit algorithm is not in our
# sources, and Korea does not publish one for the PCCC.
_CHECKS: dict[TaxIdKind, _KindCheck] = {
    TaxIdKind.CPF: _KindCheck(
        lambda v: len(v) == 11 and v.isdigit(), cpf_is_valid, "a CPF of 11 digits"
    ),
    TaxIdKind.CNPJ: _KindCheck(
        lambda v: len(v) == 14 and v.isalnum(), cnpj_is_valid, "a CNPJ of 14 characters"
    ),
    TaxIdKind.RUT: _KindCheck(
        lambda v: 8 <= len(v) <= 9 and v[:-1].isdigit(), rut_is_valid, "a RUT such as 12345678-5"
    ),
    TaxIdKind.RFC: _KindCheck(
        lambda v: len(v) in (12, 13),
        lambda v: bool(_RFC_SHAPE.fullmatch(v)),
        "an RFC of 12 or 13 characters",
    ),
    TaxIdKind.PCCC: _KindCheck(
        lambda v: v.startswith("P"),
        lambda v: bool(_PCCC_SHAPE.fullmatch(v)),
        "a PCCC such as P123456789012",
    ),
}


def expected_kinds(kinds: tuple[TaxIdKind, ...]) -> str:
    return " or ".join(_CHECKS[kind].expected for kind in kinds)


def classify_tax_id(cleaned: str, kinds: tuple[TaxIdKind, ...]) -> TaxIdKind | None:
    """The kind among ``kinds`` that ``cleaned`` is; None if it has none of their shapes.

    Raises TaxIdProblem when the shape fits a kind but its check digits do not.
    """
    for kind in kinds:
        check = _CHECKS[kind]
        if check.shape(cleaned):
            if not check.valid(cleaned):
                raise TaxIdProblem(kind, f"{kind.value} check digits do not match")
            return kind
    return None


@lru_cache(maxsize=1)
def tax_id_requirements() -> dict[str, TaxIdRequirement]:
    text = resources.files("postbridge.addresses").joinpath("data/tax_ids.yaml").read_text("utf-8")
    loaded = yaml.safe_load(text) or {}
    return {
        str(country): TaxIdRequirement(
            destination=str(country),
            required=bool(entry["required"]),
            kinds=tuple(TaxIdKind(kind) for kind in entry["kinds"]),
            source=str(entry["source"]),
        )
        for country, entry in loaded["destinations"].items()
    }


def requirement_for(destination: str) -> TaxIdRequirement | None:
    return tax_id_requirements().get(destination)
