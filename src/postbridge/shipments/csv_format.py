"""The bulk-capture CSV format: columns, and rows to ShipmentInput (pure).

One row per parcel, with its items in numbered columns ``item1_*``, ``item2_*``, ... ; or one
row per item: a row whose ``reference`` equals the previous row's adds its ``item1_*`` columns
to that parcel (its other columns are ignored). Row numbers are the file's line numbers, the
header being line 1, so a spreadsheet user finds the row at once. docs/csv-format.md documents
every column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from postbridge.addresses import AddressInput
from postbridge.customs import CustomsItemInput, DeclarationInput
from postbridge.errors import FieldProblem
from postbridge.kit.money import Money, MoneyError
from postbridge.shipments.capture import ShipmentInput

ADDRESS_FIELDS = ("name", "company", "street1", "street2", "city", "region", "postal_code",
                  "country", "phone", "email")  # fmt: skip
ITEM_FIELDS = ("description", "quantity", "unit_value", "hs_code", "origin_country",
               "unit_weight_g")  # fmt: skip
SHIPMENT_COLUMNS = (
    "reference", "service", "incoterm",
    *(f"sender_{name}" for name in ADDRESS_FIELDS),
    *(f"recipient_{name}" for name in ADDRESS_FIELDS), "recipient_tax_id",
    "weight_g", "length_mm", "width_mm", "height_mm",
    "customs_category", "customs_explanation", "currency",
)  # fmt: skip
REQUIRED_COLUMNS = ("reference", "recipient_country", "weight_g", "customs_category")
_ITEM_COLUMN = re.compile(r"item(\d+)_(" + "|".join(ITEM_FIELDS) + r")")


class CsvHeaderError(ValueError):
    """The header cannot be read as a postbridge shipments CSV."""


def template_header(items: int = 2) -> list[str]:
    item_columns = [f"item{n}_{name}" for n in range(1, items + 1) for name in ITEM_FIELDS]
    return [*SHIPMENT_COLUMNS, *item_columns]


@dataclass(frozen=True, slots=True)
class Layout:
    """Where each known column sits in the header."""

    index: dict[str, int]
    item_numbers: tuple[int, ...]

    @classmethod
    def from_header(cls, header: Sequence[str]) -> Layout:
        index: dict[str, int] = {}
        unknown = []
        items: set[int] = set()
        for position, raw in enumerate(header):
            name = raw.strip().lstrip("\ufeff").lower()
            if not name:
                continue
            match = _ITEM_COLUMN.fullmatch(name)
            if match:
                items.add(int(match.group(1)))
            elif name not in SHIPMENT_COLUMNS:
                unknown.append(raw)
                continue
            if name in index:
                raise CsvHeaderError(f"column {name!r} appears twice in the header")
            index[name] = position
        if unknown:
            raise CsvHeaderError(
                f"unknown column(s) {', '.join(map(repr, unknown))}; see docs/csv-format.md"
            )
        missing = [c for c in REQUIRED_COLUMNS if c not in index]
        if missing:
            raise CsvHeaderError(f"missing required column(s): {', '.join(missing)}")
        if 1 not in items:
            raise CsvHeaderError("expected item columns item1_description, item1_quantity, ...")
        return cls(index=index, item_numbers=tuple(sorted(items)))


@dataclass(slots=True)
class CsvShipment:
    """One parcel as read from one row (or several rows, one per item)."""

    row_number: int
    reference: str
    shipment: ShipmentInput | None
    problems: list[FieldProblem] = field(default_factory=list)
    # (line, item column number) of each declared item, to point errors at the right cell.
    item_origins: list[tuple[int, int]] = field(default_factory=list)

    def locate(self, field_path: str) -> tuple[int, str]:
        """The (line, column) a domain field path refers to."""
        match = _ITEM_PATH.fullmatch(field_path)
        if match and int(match.group(1)) < len(self.item_origins):
            line, number = self.item_origins[int(match.group(1))]
            return line, f"item{number}_{match.group(2) or 'description'}"
        return self.row_number, column_for(field_path)


_ITEM_PATH = re.compile(r"customs\.items\[(\d+)\]\.?([a-z_]*)(?:\..*)?")


def column_for(field_path: str) -> str:
    """Map a domain field path to the CSV column a spreadsheet user must fix."""
    match = _ITEM_PATH.fullmatch(field_path)
    if match:
        return f"item{int(match.group(1)) + 1}_{match.group(2) or 'description'}"
    if field_path.startswith("customs.items"):
        return "item1_description"
    if field_path.endswith(".street_lines"):
        return field_path.replace(".street_lines", "_street1")
    if field_path.startswith("parcel."):
        return field_path[len("parcel.") :]
    return field_path.replace(".", "_")


Cells = dict[str, str]


class RowReader:
    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self._columns = tuple(layout.index.items())

    def cells(self, row: Sequence[str]) -> Cells:
        """Every known column of ``row`` by name, stripped; done once per row."""
        width = len(row)
        return {name: row[position].strip() for name, position in self._columns if position < width}

    @staticmethod
    def address(cells: Cells, prefix: str) -> AddressInput:
        get = cells.get
        street1, street2 = get(f"{prefix}_street1", ""), get(f"{prefix}_street2", "")
        return AddressInput(
            name=get(f"{prefix}_name") or None,
            company=get(f"{prefix}_company") or None,
            street_lines=tuple(s for s in (street1, street2) if s),
            city=get(f"{prefix}_city") or None,
            region=get(f"{prefix}_region") or None,
            postal_code=get(f"{prefix}_postal_code") or None,
            country=get(f"{prefix}_country") or None,
            phone=get(f"{prefix}_phone") or None,
            email=get(f"{prefix}_email") or None,
            tax_id=(get("recipient_tax_id") or None) if prefix == "recipient" else None,
        )

    @staticmethod
    def items(
        cells: Cells, numbers: Iterable[int], currency: str, problems: list[FieldProblem]
    ) -> list[tuple[int, CustomsItemInput]]:
        found = []
        get = cells.get
        for number in numbers:
            prefix = f"item{number}_"
            description = get(prefix + "description", "")
            value_text = get(prefix + "unit_value", "")
            if not description and not value_text:
                continue
            unit_value = None
            try:
                unit_value = Money.parse(value_text, currency) if value_text else None
            except MoneyError as exc:
                problems.append(FieldProblem(prefix + "unit_value", str(exc)))
            item = CustomsItemInput(
                description=description or None,
                quantity=_int(get(prefix + "quantity", ""), prefix + "quantity", problems),
                unit_value=unit_value,
                hs_code=get(prefix + "hs_code") or None,
                origin_country=get(prefix + "origin_country") or None,
                unit_weight_g=_int(
                    get(prefix + "unit_weight_g", ""), prefix + "unit_weight_g", problems
                ),
            )
            found.append((number, item))
        return found


def _int(text: str, column: str, problems: list[FieldProblem]) -> int | None:
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        problems.append(FieldProblem(column, f"expected a whole number, not {text!r}"))
        return None


def read_shipments(
    rows: Iterator[list[str]], layout: Layout, first_row: int = 2
) -> Iterator[CsvShipment]:
    """Group rows into parcels and convert them; shape problems are kept per parcel."""
    reader = RowReader(layout)
    pending: tuple[int, Cells, list[tuple[int, Cells]]] | None = None
    row_number = first_row - 1
    for row in rows:
        row_number += 1
        cells = reader.cells(row)
        if not any(cells.values()):
            continue
        reference = cells.get("reference", "")
        if pending is not None and reference and reference == pending[1].get("reference"):
            pending[2].append((row_number, cells))
            continue
        if pending is not None:
            yield _convert(reader, *pending)
        pending = (row_number, cells, [])
    if pending is not None:
        yield _convert(reader, *pending)


def _convert(
    reader: RowReader, row_number: int, row: Cells, extra_rows: list[tuple[int, Cells]]
) -> CsvShipment:
    get = row.get
    problems: list[FieldProblem] = []
    currency = (get("currency") or "USD").upper()
    origins: list[tuple[int, int]] = []
    items: list[CustomsItemInput] = []
    for number, item in reader.items(row, reader.layout.item_numbers, currency, problems):
        origins.append((row_number, number))
        items.append(item)
    for line, extra in extra_rows:
        for number, item in reader.items(extra, (1,), currency, problems):
            origins.append((line, number))
            items.append(item)
    numbers = {
        name: _int(get(name, ""), name, problems)
        for name in ("weight_g", "length_mm", "width_mm", "height_mm")
    }
    for name, value in numbers.items():
        if value is None and not any(p.field == name for p in problems):
            problems.append(FieldProblem(name, "expected a whole number", "required"))
    reference = get("reference", "")
    if problems:
        return CsvShipment(row_number, reference, None, problems, origins)
    shipment = ShipmentInput(
        reference=reference,
        service=get("service") or "standard",
        incoterm=(get("incoterm") or "DDU").upper(),
        sender=reader.address(row, "sender"),
        recipient=reader.address(row, "recipient"),
        weight_g=numbers["weight_g"] or 0,
        length_mm=numbers["length_mm"] or 0,
        width_mm=numbers["width_mm"] or 0,
        height_mm=numbers["height_mm"] or 0,
        customs=DeclarationInput(
            category=get("customs_category") or None,
            items=tuple(items),
            explanation=get("customs_explanation") or None,
        ),
    )
    return CsvShipment(row_number, reference, shipment, [], origins)
