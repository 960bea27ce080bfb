"""Addresses: validation and normalisation per destination country, phones, recipient tax ids.

Public API::

    normalize_address(data, *, path, role, destination_country=None, problems) -> NormalizedAddress | None
        (what it corrected is in NormalizedAddress.warnings, code "corrected", never silent)
    AddressInput, NormalizedAddress, AddressRole, TaxIdKind
    to_e164(raw, region) -> str | None
    preload(countries) -> None   # warm the caches at start-up
    cpf_is_valid, cnpj_is_valid, rut_is_valid, requirement_for(destination)
"""

from postbridge.addresses.model import AddressInput, AddressRole, NormalizedAddress
from postbridge.addresses.normalize import check_postal_code, normalize_address, preload
from postbridge.addresses.phones import to_e164
from postbridge.addresses.tax_ids import (
    TaxIdKind,
    TaxIdRequirement,
    cnpj_is_valid,
    cpf_is_valid,
    requirement_for,
    rut_is_valid,
)

__all__ = [
    "AddressInput",
    "AddressRole",
    "NormalizedAddress",
    "TaxIdKind",
    "TaxIdRequirement",
    "check_postal_code",
    "cnpj_is_valid",
    "cpf_is_valid",
    "normalize_address",
    "preload",
    "requirement_for",
    "rut_is_valid",
    "to_e164",
]
