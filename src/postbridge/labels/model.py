"""What a shipping label shows: plain frozen values, filled by label production (labelling/).

The label context renders; it does not decide. Addresses arrive already formatted for the
destination country (``format_recipient_lines`` helps), the customs form type is chosen by the
customs rules, the S10 is allocated elsewhere and only validated here, and a partner's own barcode
block arrives ready to draw from the partner's adapter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from postbridge.identifiers import S10Id, parse_s10
from postbridge.kit.money import Money
from postbridge.kit.terms import CustomsCategory, CustomsFormType, Incoterm

__all__ = [
    "CustomsCategory",
    "CustomsDeclaration",
    "CustomsFormType",
    "CustomsItem",
    "Incoterm",
    "LabelData",
    "PartnerBarcode",
    "Party",
    "keep_last_line",
]


@dataclass(frozen=True, slots=True)
class PartnerBarcode:
    """The last-mile partner's own barcode block, printed between the recipient and the S10:
    a banner over a GS1-128 symbol and its human-readable number. The partner's adapter
    (``postbridge.carriers``) builds it; the layouts only draw it."""

    banner: str  # e.g. the partner's "... TRACKING #" line
    gs1_fields: tuple[str, ...]  # GS1 element strings (AI + data), each preceded by FNC1
    human_readable: str  # the number as printed under the bars, grouped for reading

    def __post_init__(self) -> None:
        if not self.gs1_fields or not all(self.gs1_fields):
            raise ValueError("a partner barcode needs at least one GS1 element string")


@dataclass(frozen=True, slots=True)
class Party:
    """Sender or return address: name, optional company, then the remaining address lines."""

    name: str
    lines: tuple[str, ...]
    company: str | None = None
    phone: str | None = None
    # Speed (bench/labels.py): a key of the sender block's layout cache, looked up two or three
    # times per label; hashed once, here.
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((self.name, self.lines, self.company, self.phone)))

    def __hash__(self) -> int:
        return self._hash

    def printed_lines(self, max_lines: int | None = None) -> tuple[str, ...]:
        """Name, company, address lines, phone; when space is short the phone goes first,
        then middle lines, so the last address line (the country) always prints."""
        head = (self.name,) if self.company is None else (self.name, self.company)
        address = (*head, *self.lines)
        full = address if self.phone is None else (*address, f"Tel {self.phone}")
        if max_lines is None or len(full) <= max_lines:
            return full
        return keep_last_line(address, max_lines)


def keep_last_line(lines: tuple[str, ...], max_lines: int) -> tuple[str, ...]:
    """At most ``max_lines`` lines, never dropping the last one (the destination country)."""
    if len(lines) <= max_lines:
        return lines
    return (*lines[: max_lines - 1], lines[-1])


@dataclass(frozen=True, slots=True)
class CustomsItem:
    description: str
    quantity: int
    net_weight_g: int
    value: Money
    origin_country: str
    hs_code: str | None = None


@dataclass(frozen=True, slots=True)
class CustomsDeclaration:
    form_type: CustomsFormType
    category: CustomsCategory
    total_value: Money
    declared_on: date
    signatory: str
    items: tuple[CustomsItem, ...] = ()
    explanation: str | None = None  # required by the form when category is OTHER
    comments: str | None = None
    licence_number: str | None = None
    certificate_number: str | None = None
    invoice_number: str | None = None
    postal_charges: Money | None = None
    # Speed (bench/labels.py): the label layout keys its CN22 block cache on the declaration, two
    # or three lookups per label, and a field-by-field hash of the items and their amounts cost
    # more than the lookup. Hashed once, here.
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        fields = (
            self.form_type, self.category, self.total_value, self.declared_on, self.signatory,
            self.items, self.explanation, self.comments, self.licence_number,
            self.certificate_number, self.invoice_number, self.postal_charges,
        )  # fmt: skip
        object.__setattr__(self, "_hash", hash(fields))

    def __hash__(self) -> int:
        return self._hash

    @property
    def documents_only(self) -> bool:
        """Documents carry no goods, so the form prints no item table."""
        return self.category is CustomsCategory.DOCUMENTS


@dataclass(frozen=True, slots=True)
class LabelData:
    tracking_number: str  # S10, validated on construction
    sender: Party
    recipient_lines: tuple[str, ...]  # formatted for the destination country, country last
    destination_country: str  # ISO alpha-2
    product_name: str
    partner: str  # last-mile postal operator as printed, e.g. "Correos"
    office_of_exchange: str  # destination IMPC code, e.g. "USJFKA"
    sort_code: str
    weight_g: int
    created_on: date
    customs: CustomsDeclaration
    return_address: Party | None = None  # None: return to the sender
    recipient_phone: str | None = None
    # As printed under the address, e.g. "CPF 529.982.247-25", where destination customs ask.
    recipient_tax_id: str | None = None
    partner_barcode: PartnerBarcode | None = None  # when the last mile numbers the parcel
    # DDP labels carry a boxed "DDP" beside the product name: the duties are paid, the
    # destination post must not collect them at the door.
    incoterm: Incoterm = Incoterm.DDU
    s10: S10Id = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "s10", parse_s10(self.tracking_number))
        if self.weight_g <= 0:
            raise ValueError(f"label weight must be positive grams, got {self.weight_g}")
        if not self.recipient_lines:
            raise ValueError("label needs at least one recipient line")

    @property
    def returns_to(self) -> Party:
        return self.sender if self.return_address is None else self.return_address
