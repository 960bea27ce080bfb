"""The bulk-capture CSV format: columns, and rows to ShipmentInput (pure).

One row per parcel, with its items in numbered columns ``item1_*``, ``item2_*``, ... ; or one
row per item: a row whose ``reference`` equals the previous row's adds its ``item1_*`` columns
to that parcel (its other columns are ignored). Row numbers are the file's line numbers, the
header being line 1, so a spreadsheet user finds the row at once. docs/csv-format.md documents
every column.

Cells are read as the JSON API reads its fields: amounts by ``kit.money.parse_amount``, whole
numbers as ASCII digits only, and no control characters in any cell (tab and line breaks
allowed in ``customs_explanation``, as in the API's free text).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter

from postbridge.addresses import AddressInput
from postbridge.customs import CustomsItemInput, DeclarationInput
from postbridge.errors import FieldProblem, InvalidInput
from postbridge.kit.memo import MISSING, Memo
from postbridge.kit.money import MoneyError, currency_exponent, parse_amount
from postbridge.kit.text import control_character, control_character_problem, printable
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
# Columns every file needs in its header (checked once per file, so that a file without one is
# refused before booking instead of every row failing on the same empty cell); of the pairs in
# ONE_OF_COLUMNS at least one. Each item number the header uses needs its six item columns.
REQUIRED_COLUMNS = ("reference", "sender_street1", "sender_country", "recipient_street1",
                    "recipient_country", "weight_g", "length_mm", "width_mm", "height_mm",
                    "customs_category")  # fmt: skip
ONE_OF_COLUMNS = (("sender_name", "sender_company"), ("recipient_name", "recipient_company"))
_ITEM_COLUMN = re.compile(r"item(\d+)_(" + "|".join(ITEM_FIELDS) + r")")
FREE_TEXT_COLUMNS = frozenset({"customs_explanation"})
# The JSON API's lengths (shipments.schemas), by column without its sender_/recipient_/itemN_
# prefix; any other column takes 200. Longer text is refused before validation: wrapping it
# for the label check took minutes (a 100,000-character recipient name).
_MAX_LENGTHS = {"reference": 100, "service": 40, "postal_code": 20, "country": 60, "phone": 40,
                "email": 254, "tax_id": 40, "hs_code": 14, "origin_country": 60}  # fmt: skip
_DEFAULT_MAX_LENGTH = 200


class CsvHeaderError(InvalidInput, ValueError):
    """The file cannot be read as a postbridge shipments CSV: one error for the whole file,
    naming the column to fix (``file`` when it is not one column's fault)."""

    code = "invalid_csv"

    def __init__(self, message: str, *, columns: Sequence[str] = ("file",)) -> None:
        super().__init__(
            message, problems=[FieldProblem(column, message, "invalid_csv") for column in columns]
        )
        self.columns = tuple(columns)


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
                raise CsvHeaderError(
                    f"column {name!r} appears twice in the header", columns=(name,)
                )
            index[name] = position
        if unknown:
            raise CsvHeaderError(
                f"unknown column(s) {', '.join(map(repr, unknown))}; see docs/csv-format.md",
                columns=[printable(column)[:100] for column in unknown],
            )
        missing = [c for c in REQUIRED_COLUMNS if c not in index]
        shown = list(missing)
        for pair in ONE_OF_COLUMNS:
            if not any(c in index for c in pair):
                missing.append(pair[0])
                shown.append(" or ".join(pair))
        items.add(1)
        for number in sorted(items):
            absent = [c for name in ITEM_FIELDS if (c := f"item{number}_{name}") not in index]
            missing += absent
            shown += absent
        if missing:
            raise CsvHeaderError(
                f"missing required column(s): {', '.join(shown)}; add them to the header "
                "(postbridge csv-template prints it; see docs/csv-format.md)",
                columns=missing,
            )
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
        if field_path == "customs.items" and self.item_origins:
            # With items declared, the declaration's own problem is their total weight against
            # the parcel's (one currency per row cannot differ): the parcel weight to check.
            return self.row_number, "weight_g"
        return self.row_number, column_for(field_path)


_ITEM_PATH = re.compile(r"customs\.items\[(\d+)\]\.?([a-z_]*)(?:\..*)?")
_STREET_PATH = re.compile(r"(sender|recipient)\.street_lines\[(\d+)\]")


def column_for(field_path: str) -> str:
    """Map a domain field path to the CSV column a spreadsheet user must fix."""
    match = _ITEM_PATH.fullmatch(field_path)
    if match:
        return f"item{int(match.group(1)) + 1}_{match.group(2) or 'description'}"
    if field_path.startswith("customs.items"):
        return "item1_description"
    if field_path.endswith(".street_lines"):
        return field_path.replace(".street_lines", "_street1")
    street = _STREET_PATH.fullmatch(field_path)
    if street:  # sender.street_lines[1] (a label line that does not fit): sender_street2
        return f"{street.group(1)}_street{int(street.group(2)) + 1}"
    if field_path.startswith("parcel."):
        return field_path[len("parcel.") :]
    return field_path.replace(".", "_")


class _RowPlan:
    """Where each field sits in a row of one layout, as C-speed getters.

    Rows are padded to the header's width plus one blank cell, and absent columns point at that
    blank cell, so every getter works on every row.
    """

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.width = 1 + max(layout.index.values(), default=0)
        self.blank = self.width
        self.known = _getter([self._at(name) for name in layout.index])
        self.reference = self._at("reference")
        self.scalars = _getter([self._at(name) for name in _SCALARS])
        self.sender = _getter([self._at(f"sender_{name}") for name in ADDRESS_FIELDS])
        recipient = [f"recipient_{name}" for name in ADDRESS_FIELDS] + ["recipient_tax_id"]
        self.recipient = _getter([self._at(name) for name in recipient])
        self.items = {
            number: _getter([self._at(f"item{number}_{name}") for name in ITEM_FIELDS])
            for number in (*layout.item_numbers, 1)
        }
        self.item_getters = tuple((number, self.items[number]) for number in layout.item_numbers)

    def _at(self, name: str) -> int:
        return self.layout.index.get(name, self.blank)

    def cells(self, row: Sequence[str]) -> list[str]:
        """The row's cells, stripped once, padded to the plan's width."""
        cells = [cell.strip() for cell in row]
        missing = self.width + 1 - len(cells)
        if missing > 0:
            cells.extend([""] * missing)
        return cells


_SCALARS = ("service", "incoterm", "weight_g", "length_mm", "width_mm", "height_mm",
            "customs_category", "customs_explanation", "currency")  # fmt: skip
_Getter = Callable[[Sequence[str]], tuple[str, ...]]


def _getter(positions: list[int]) -> _Getter:
    # itemgetter with one position returns a bare value, not a 1-tuple.
    if len(positions) == 1:
        only = positions[0]
        return lambda cells: (cells[only],)
    return itemgetter(*positions)


# Marketplaces ship the same few senders and SKUs all day: identical cells give the same
# (immutable) input objects, so money and numbers are parsed once per distinct line.
_senders: Memo[tuple[str, ...], AddressInput] = Memo(limit=4096)
_items: Memo[tuple[str, ...], tuple[CustomsItemInput, tuple[FieldProblem, ...]]] = Memo(4096)
_currencies: Memo[str, FieldProblem | None] = Memo(limit=256)


def _address(values: tuple[str, ...]) -> AddressInput:
    name, company, street1, street2, city, region, postal, country, phone, email = values[:10]
    return AddressInput(
        name=name or None,
        company=company or None,
        street_lines=tuple(s for s in (street1, street2) if s),
        city=city or None,
        region=region or None,
        postal_code=postal or None,
        country=country or None,
        phone=phone or None,
        email=email or None,
        tax_id=(values[10] or None) if len(values) > 10 else None,
    )


def _sender(values: tuple[str, ...]) -> AddressInput:
    found = _senders.get(values)
    if found is not MISSING:
        return found
    return _senders.put(values, _address(values))


def _item(
    number: int, values: tuple[str, ...], currency: str
) -> tuple[CustomsItemInput, tuple[FieldProblem, ...]]:
    key = (*values, currency, str(number))
    found = _items.get(key)
    if found is not MISSING:
        return found
    return _items.put(key, _parse_item(number, values, currency))


def _currency_problem(currency: str) -> FieldProblem | None:
    """The ``currency`` column's problem, once per row rather than once per item amount."""
    found = _currencies.get(currency)
    if found is not MISSING:
        return found
    try:
        currency_exponent(currency)
        problem = None
    except MoneyError as exc:
        problem = FieldProblem("currency", str(exc), "invalid_currency")
    return _currencies.put(currency, problem)


def _parse_item(
    number: int, values: tuple[str, ...], currency: str
) -> tuple[CustomsItemInput, tuple[FieldProblem, ...]]:
    description, quantity, value_text, hs_code, origin, unit_weight = values
    prefix = f"item{number}_"
    problems: list[FieldProblem] = []
    unit_value = None
    try:
        # An unknown currency is the row's problem (reported once, on ``currency``).
        known = _currency_problem(currency) is None
        unit_value = parse_amount(value_text, currency) if value_text and known else None
    except MoneyError as exc:
        problems.append(FieldProblem(prefix + "unit_value", str(exc), "invalid_amount"))
    item = CustomsItemInput(
        description=description or None,
        quantity=_int(quantity, prefix + "quantity", problems),
        unit_value=unit_value,
        hs_code=hs_code or None,
        origin_country=origin or None,
        unit_weight_g=_int(unit_weight, prefix + "unit_weight_g", problems),
    )
    return item, tuple(problems)


def _int(text: str, column: str, problems: list[FieldProblem]) -> int | None:
    if not text:
        return None
    # ASCII digits only, at most nine: int() alone would take "１２３", "1_000" and "+5".
    # (isascii() and isdigit() together is exactly [0-9]+, at a fraction of a regex's cost.)
    if not (len(text) <= 9 and text.isascii() and text.isdigit()):
        shown = repr(text) if len(text) <= 24 else repr(text[:24]) + "..."
        problems.append(FieldProblem(column, f"expected a whole number, not {shown}"))
        return None
    return int(text)


def read_shipments(
    rows: Iterable[Sequence[str]], layout: Layout, first_row: int = 2
) -> Iterator[CsvShipment]:
    """Group rows into parcels and convert them; shape problems are kept per parcel.

    ``first_row`` is the line number of the first row given (2 for a whole file after its
    header; bulk capture passes each chunk's own).
    """
    plan = _RowPlan(layout)
    reference_at = plan.reference
    known = plan.known
    pending: tuple[int, list[str], list[tuple[int, list[str]]]] | None = None
    row_number = first_row - 1
    for row in rows:
        row_number += 1
        cells = plan.cells(row)
        reference = cells[reference_at]
        if not reference and not any(known(cells)):
            continue
        if pending is not None and reference and reference == pending[1][reference_at]:
            # Another row of the same parcel (one row per item); one that repeats a row of the
            # parcel cell for cell is a pasted or exported-twice line, not a second item.
            repeated = _repeated_line(pending, cells)
            if repeated:
                yield _duplicate(row_number, reference, repeated)
            else:
                pending[2].append((row_number, cells))
            continue
        if pending is not None:
            yield _convert(plan, *pending)
        pending = (row_number, cells, [])
    if pending is not None:
        yield _convert(plan, *pending)


def _repeated_line(
    pending: tuple[int, list[str], list[tuple[int, list[str]]]], cells: list[str]
) -> int:
    """The line of the parcel's rows that ``cells`` repeats exactly, or 0."""
    line, first, extra_rows = pending
    if cells == first:
        return line
    return next((extra_line for extra_line, extra in extra_rows if extra == cells), 0)


def _duplicate(row_number: int, reference: str, repeated: int) -> CsvShipment:
    message = (
        f"probable duplicate: this row repeats line {repeated} exactly and was not booked; "
        "for a second item of the same kind raise item1_quantity instead"
    )
    problem = FieldProblem("reference", message, "duplicate_row")
    return CsvShipment(row_number, printable(reference), None, [problem])


_DIMENSIONS = ("weight_g", "length_mm", "width_mm", "height_mm")


def _convert(
    plan: _RowPlan, row_number: int, cells: list[str], extra_rows: list[tuple[int, list[str]]]
) -> CsvShipment:
    (service, incoterm, weight, length, width, height, category, explanation,
     currency) = plan.scalars(cells)  # fmt: skip
    currency = currency.upper() if currency else "USD"
    problems: list[FieldProblem] = []
    currency_problem = _currency_problem(currency)
    if currency_problem is not None:
        problems.append(currency_problem)
    _control_characters(plan, cells, problems)
    _too_long(plan, cells, problems)
    for _line, extra in extra_rows:
        _control_characters(plan, extra, problems)
        _too_long(plan, extra, problems)
    origins: list[tuple[int, int]] = []
    items: list[CustomsItemInput] = []
    for number, getter in plan.item_getters:
        values = getter(cells)
        if values[0] or values[2]:  # a description or a unit value: the line is declared
            item, item_problems = _item(number, values, currency)
            if item_problems:
                problems.extend(item_problems)
            origins.append((row_number, number))
            items.append(item)
    for line, extra in extra_rows:
        values = plan.items[1](extra)
        if values[0] or values[2]:
            item, item_problems = _item(1, values, currency)
            if item_problems:
                problems.extend(item_problems)
            origins.append((line, 1))
            items.append(item)
    dimensions = [
        _int(text, name, problems)
        for name, text in zip(_DIMENSIONS, (weight, length, width, height), strict=True)
    ]
    if None in dimensions:
        for name, value in zip(_DIMENSIONS, dimensions, strict=True):
            if value is None and not any(p.field == name for p in problems):
                problems.append(FieldProblem(name, "expected a whole number", "required"))
    reference = cells[plan.reference]
    if problems:  # the reference is stored with the row's errors: only text a database takes
        return CsvShipment(row_number, printable(reference), None, problems, origins)
    shipment = ShipmentInput(
        reference=reference,
        service=service or "standard",
        incoterm=(incoterm or "DDU").upper(),
        sender=_sender(plan.sender(cells)),
        recipient=_address(plan.recipient(cells)),
        weight_g=dimensions[0] or 0,
        length_mm=dimensions[1] or 0,
        width_mm=dimensions[2] or 0,
        height_mm=dimensions[3] or 0,
        customs=DeclarationInput(
            category=category or None,
            items=tuple(items),
            explanation=explanation or None,
        ),
    )
    return CsvShipment(row_number, reference, shipment, [], origins)


def _too_long(plan: _RowPlan, cells: list[str], problems: list[FieldProblem]) -> None:
    for name, position in plan.layout.index.items():
        if len(cells[position]) <= 14:  # the shortest limit: nearly every cell stops here
            continue
        limit = _MAX_LENGTHS.get(name, _MAX_LENGTHS.get(_unprefixed(name), _DEFAULT_MAX_LENGTH))
        if len(cells[position]) > limit:
            message = f"String should have at most {limit} characters"
            problems.append(FieldProblem(name, message, "string_too_long"))


def _unprefixed(name: str) -> str:
    head, _, rest = name.partition("_")
    if head in ("sender", "recipient") or (head.startswith("item") and head[4:].isdigit()):
        return rest
    return name


def _control_characters(plan: _RowPlan, cells: list[str], problems: list[FieldProblem]) -> None:
    """A problem for each known cell with a control character (one scan of the row when, as
    nearly always, there is none)."""
    if control_character("".join(plan.known(cells))) is None:
        return
    for name, position in plan.layout.index.items():
        problem = control_character_problem(cells[position], free_text=name in FREE_TEXT_COLUMNS)
        if problem is not None:
            problems.append(FieldProblem(name, problem, "control_character"))
