"""Validate one shipment as captured (API body, CSV row): pure, reports every problem at once.

Routing, numbering and storage come after; this step only decides whether the order is
complete and lawful and puts it in canonical form.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from postbridge.addresses import AddressInput, AddressRole, NormalizedAddress, normalize_address
from postbridge.customs import (
    Declaration,
    DeclarationInput,
    FormType,
    form_type,
    validate_declaration,
)
from postbridge.errors import FieldProblem, ProblemList
from postbridge.kit.memo import MISSING, IdentityMemo
from postbridge.kit.money import Money
from postbridge.labels.fit import check_label

INCOTERMS = ("DDU", "DDP")


@dataclass(frozen=True, slots=True)
class ShipmentInput:
    reference: str
    service: str
    incoterm: str
    sender: AddressInput
    recipient: AddressInput
    weight_g: int
    length_mm: int
    width_mm: int
    height_mm: int
    customs: DeclarationInput


@dataclass(frozen=True, slots=True)
class ValidShipment:
    reference: str
    service: str
    incoterm: str
    sender: NormalizedAddress
    recipient: NormalizedAddress
    weight_g: int
    length_mm: int
    width_mm: int
    height_mm: int
    declaration: Declaration
    form: FormType
    # Documents-only declarations carry no value; customs treats them as worth nothing.
    declared_value: Money


def validate_shipment(
    shipment: ShipmentInput,
    *,
    on_date: date,
    cn22_threshold_sdr: int | Decimal,
    problems: ProblemList,
) -> ValidShipment | None:
    before = len(problems.problems)
    reference = shipment.reference.strip()
    if not reference:
        problems.add("reference", "expected your order reference", "required")
    elif len(reference) > 100:
        problems.add("reference", "expected at most 100 characters")
    if shipment.incoterm not in INCOTERMS:
        problems.add("incoterm", f"expected DDU or DDP, not {shipment.incoterm!r}")
    _check_parcel(shipment, problems)
    sender = _normalized_sender(shipment.sender, problems)
    # Recipients are unique per parcel: memoising them would only cost a hash and an eviction.
    recipient = normalize_address(
        shipment.recipient,
        path="recipient",
        role=AddressRole.RECIPIENT,
        destination_country=(shipment.recipient.country or "").strip() or None,
        problems=problems,
    )
    declaration = validate_declaration(
        shipment.customs, parcel_weight_g=max(shipment.weight_g, 0), problems=problems
    )
    if len(problems.problems) > before:
        return None
    assert sender is not None
    assert recipient is not None
    assert declaration is not None
    if sender.country == recipient.country:
        problems.add("recipient.country", "expected a country other than the sender's")
        return None
    declared, form = _value_and_form(declaration, on_date, cn22_threshold_sdr)
    # The label must carry every line (else the field is named) and every CN22 item (else CN23).
    form = check_label(
        sender=sender, recipient=recipient, declaration=declaration, form=form, problems=problems
    )
    if len(problems.problems) > before:
        return None
    return ValidShipment(
        reference=reference,
        service=shipment.service.strip().lower() or "standard",
        incoterm=shipment.incoterm,
        sender=sender,
        recipient=recipient,
        weight_g=shipment.weight_g,
        length_mm=shipment.length_mm,
        width_mm=shipment.width_mm,
        height_mm=shipment.height_mm,
        declaration=declaration,
        form=form,
        declared_value=declared,
    )


# Keyed on the declaration's identity (validated declarations are memoised, see kit.memo).
_forms: IdentityMemo[tuple[Money, FormType]] = IdentityMemo(limit=8192)


def _value_and_form(
    declaration: Declaration, on_date: date, threshold_sdr: int | Decimal
) -> tuple[Money, FormType]:
    """Declared value and CN22/CN23, memoised per declaration (the SDR conversion is Decimal
    arithmetic)."""
    key = (on_date, threshold_sdr)
    found = _forms.get(declaration, key)
    if found is not MISSING:
        return found
    declared = declaration.declared_value or Money.zero("USD")
    form = form_type(declared, on_date=on_date, threshold_sdr=threshold_sdr)
    return _forms.put(declaration, key, (declared, form))


@lru_cache(maxsize=1024)
def _normalize_sender(
    data: AddressInput,
) -> tuple[NormalizedAddress | None, tuple[FieldProblem, ...]]:
    found = ProblemList()
    result = normalize_address(data, path="sender", role=AddressRole.SENDER, problems=found)
    return result, tuple(found.problems)


def _normalized_sender(data: AddressInput, problems: ProblemList) -> NormalizedAddress | None:
    """normalize_address, memoised: a merchant's sender address repeats on every parcel."""
    result, found = _normalize_sender(data)
    problems.problems.extend(found)
    return result


def _check_parcel(shipment: ShipmentInput, problems: ProblemList) -> None:
    limits = {
        "weight_g": (shipment.weight_g, 70_000),
        "length_mm": (shipment.length_mm, 3_000),
        "width_mm": (shipment.width_mm, 3_000),
        "height_mm": (shipment.height_mm, 3_000),
    }
    for name, (value, upper) in limits.items():
        if not 0 < value <= upper:
            problems.add(f"parcel.{name}", f"expected a whole number from 1 to {upper}")
