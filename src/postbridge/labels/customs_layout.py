"""Customs parts of a label: the CN22 block on the label, and the CN23 declaration page(s).

Box numbers in brackets follow the CN23 form (1 description … 15 date and signature). A
documents-only item has no goods to list, so neither form prints an item table for it.
"""

from __future__ import annotations

from functools import lru_cache

from postbridge.labels.code128 import QUIET_ZONE_MODULES, code128_module_count
from postbridge.labels.drawing import (
    Align,
    Barcode,
    Box,
    DrawOp,
    Rule,
    Text,
    add_block,
    wrap_text,
)
from postbridge.labels.fonts import text_width
from postbridge.labels.model import (
    CustomsCategory,
    CustomsDeclaration,
    CustomsItem,
    LabelData,
)
from postbridge.labels.printed import (
    CATEGORY_ORDER,
    CERTIFICATION,
    PRINTED_CATEGORY,
    category_text,
    item_cells,
    money_text,
    signature_text,
    totals_text,
    weight_text,
)

# Column start as a share of the table width: description, qty, weight, value, HS, origin.
# HS numbers run to 14 digits and values to "99999.99 USD": their columns hold both at 6 pt.
COLUMN_STARTS = (0.0, 0.40, 0.47, 0.56, 0.72, 0.90)
CN22_HEADERS = ("Description", "Qty", "Net kg", "Value", "HS code", "Origin")
CN23_HEADERS = ("Description (1)", "Qty (2)", "kg (3)", "Value (5)", "HS no. (7)", "Orig. (8)")
CN22_ROW_STEP = 7.0
CN23_ROW_STEP = 9.0
CN22_SIZE = 5.8
CN23_SIZE = 6.5
PAGE_MARGIN = 10.0
Row = tuple[CustomsItem, tuple[str, ...]]  # an item and its description's printed lines
CN23_FOOTER_HEIGHT = 96.0
CN23_POINTER_HEIGHT = 46.0


def layout_cn22_block(
    ops: list[DrawOp], label: LabelData, *, left: float, top: float, width: float
) -> float:
    """The CN22 with every item (descriptions wrapped in their column); returns its bottom."""
    texts = (totals_text(label), signature_text(label))
    block, bottom = _cn22_ops(label.customs, *texts, left, top, width)
    add_block(ops, block)
    return bottom


@lru_cache(maxsize=2048)
def cn22_block_height(customs: CustomsDeclaration, width: float) -> float:
    """The CN22 block's height (its one-line totals and signature do not change it)."""
    return _cn22_ops(customs, "", "", 0.0, 0.0, width)[1]


# A merchant's batch repeats the same declaration: its block is laid out once per position.
@lru_cache(maxsize=2048)
def _cn22_ops(
    customs: CustomsDeclaration, totals: str, signature: str, left: float, top: float, width: float
) -> tuple[tuple[DrawOp, ...], float]:
    ops: list[DrawOp] = []
    y = top + 10
    ops.append(Text(left, y, 8, "CUSTOMS DECLARATION  CN 22", width * 0.6, bold=True))
    ops.append(
        Text(left + width, y, 6, "May be opened officially", width * 0.38, align=Align.RIGHT)
    )
    y = _categories(ops, customs.category, left, y + 3, width, size=6.0, step=7.2)
    if customs.documents_only:
        ops.append(Text(left, y + 7, 6.5, "Contents: documents (no item list)", width))
        y += 10
    else:
        y = _item_table(ops, left, y, width, CN22_HEADERS, customs.items, CN22_SIZE, CN22_ROW_STEP)
    ops.append(Text(left, y + 8, 6.8, totals, width, bold=True))
    y = _certification(ops, left, y + 9, width, size=5.0, lines=2, step=6.0)
    ops.append(Text(left, y + 8, 7, signature, width, bold=True))
    return tuple(ops), y + 10


def layout_cn23_pointer(
    ops: list[DrawOp], label: LabelData, *, left: float, top: float, width: float
) -> float:
    count = len(label.customs.items)
    ops.append(Text(left, top + 12, 9, "CUSTOMS DECLARATION CN 23 ATTACHED", width, bold=True))
    ops.append(Text(left, top + 23, 7, f"Category: {category_text(label)}   Items: {count}", width))
    ops.append(Text(left, top + 33, 7, totals_text(label), width))
    ops.append(Text(left, top + 43, 6.5, "The CN 23 form is the next page of this label.", width))
    return top + CN23_POINTER_HEIGHT


@lru_cache(maxsize=2048)
def item_rows(items: tuple[CustomsItem, ...], width: float, size: float) -> tuple[Row, ...]:
    """Each item with its description wrapped to the description column."""
    column = width * COLUMN_STARTS[1] - 2
    return tuple(
        (item, tuple(wrap_text(item.description, size, column, lambda t, s: text_width(t, s))))
        for item in items
    )


def layout_cn23_pages(label: LabelData, width: float, height: float) -> list[list[DrawOp]]:
    """The CN23 form; items that do not fit go on continuation sheets, each numbered, so every
    item is listed with its description, HS number and origin."""
    ops: list[DrawOp] = []
    content = width - 2 * PAGE_MARGIN
    left = PAGE_MARGIN
    y = _cn23_title(ops, label, width, "CN 23")
    y = _cn23_parties(ops, label, left, y, content)
    y = _categories(ops, label.customs.category, left, y + 2, content, size=6.5, step=9.0)
    items = label.customs.items
    rows = item_rows(items, content, CN23_SIZE)
    if label.customs.documents_only:
        ops.append(Text(left, y + 9, 7, "Contents: documents (no item list)", content))
        y += 12
        rows = ()
    first = _rows_fitting(rows, height - PAGE_MARGIN - CN23_FOOTER_HEIGHT - 12 - y)
    chunks = [rows[:first]]
    rest = rows[first:]
    while rest:
        # Continuation sheets carry the title block (78 pt) and the table header.
        take = max(1, _rows_fitting(rest, height - PAGE_MARGIN - 78 - 24))
        chunks.append(rest[:take])
        rest = rest[take:]
    sheets = len(chunks)
    if rows:
        y = _item_table(
            ops, left, y, content, CN23_HEADERS, (), CN23_SIZE, CN23_ROW_STEP, chunks[0], 1
        )
        if sheets > 1:
            note = (
                f"Items 1-{len(chunks[0])} of {len(items)}; continued on "
                f"{sheets - 1} continuation sheet(s) following this page"
            )
            ops.append(Text(left, y + 8, 6.5, note, content, bold=True))
            y += 9
    _cn23_footer(ops, label, left, y, content)
    pages = [ops]
    number = len(chunks[0]) + 1
    for sheet, chunk in enumerate(chunks[1:], start=2):
        page: list[DrawOp] = []
        top = _cn23_title(page, label, width, "CN 23", f"Continuation sheet {sheet} of {sheets}")
        _item_table(
            page, left, top, content, CN23_HEADERS, (), CN23_SIZE, CN23_ROW_STEP, chunk, number
        )
        number += len(chunk)
        pages.append(page)
    return pages


def _rows_fitting(rows: tuple[Row, ...], room: float) -> int:
    used = CN23_ROW_STEP + 3  # header row and rule
    for count, (_, lines) in enumerate(rows):
        used += CN23_ROW_STEP * len(lines)
        if used > room:
            return count
    return len(rows)


def _cn23_title(
    ops: list[DrawOp], label: LabelData, width: float, form: str, sheet: str = ""
) -> float:
    left = PAGE_MARGIN
    content = width - 2 * PAGE_MARGIN
    ops.append(Text(left, 22, 12, "CUSTOMS DECLARATION", content * 0.6, bold=True))
    ops.append(Text(width - left, 22, 14, form, content * 0.4, True, Align.RIGHT))
    ops.append(Text(left, 32, 7, "May be opened officially", content * 0.5))
    if sheet:
        ops.append(Text(width - left, 32, 7, sheet, content * 0.5, True, Align.RIGHT))
    data = label.s10.text
    module = min(0.9, content / (code128_module_count(data) + 2 * QUIET_ZONE_MODULES))
    ops.append(Barcode(width / 2, 37, 26, data, module))
    ops.append(Text(width / 2, 73, 9, label.s10.spaced, content, True, Align.CENTER))
    ops.append(Rule(left, 78, width - left, 78, 1.0))
    return 78.0


def _cn23_parties(
    ops: list[DrawOp], label: LabelData, left: float, top: float, width: float
) -> float:
    """Sender and addressee in full; the addressee's tax id is the form's "importer reference"."""
    column = (width - 8) / 2
    sender = list(label.sender.printed_lines())
    recipient = list(label.recipient_lines)
    if label.recipient_tax_id:
        recipient.append(f"Importer reference: {label.recipient_tax_id}")
    if label.recipient_phone:
        recipient.append(f"Tel {label.recipient_phone}")
    rows = 0
    for x, title, lines in ((left, "FROM", sender), (left + column + 8, "TO", recipient)):
        ops.append(Text(x, top + 9, 6.5, title, column, bold=True))
        row = 0
        for line in lines:
            for piece in wrap_text(line, 6.5, column, lambda t, s: text_width(t, s)):
                ops.append(Text(x, top + 18 + row * 7.6, 6.5, piece, column))
                row += 1
        rows = max(rows, row)
    bottom = top + 18 + (rows - 1) * 7.6 + 4
    ops.append(Rule(left, bottom, left + width, bottom, 0.8))
    return bottom


def _cn23_footer(
    ops: list[DrawOp], label: LabelData, left: float, top: float, width: float
) -> None:
    customs = label.customs
    y = top + 10
    totals = (
        f"Total gross weight (4) {weight_text(label.weight_g)}   "
        f"Total value (6) {money_text(customs.total_value)}"
    )
    if customs.postal_charges is not None:
        totals += f"   Postal charges (9) {money_text(customs.postal_charges)}"
    ops.append(Text(left, y, 7, totals, width, bold=True))
    references = [
        f"{name} {value}"
        for name, value in (
            ("Licence (12)", customs.licence_number),
            ("Certificate (13)", customs.certificate_number),
            ("Invoice (14)", customs.invoice_number),
        )
        if value
    ]
    ops.append(Text(left, y + 10, 6.5, f"Comments (11): {customs.comments or '-'}", width))
    ops.append(
        Text(
            left,
            y + 19,
            6.5,
            "   ".join(references) or "No licence, certificate or invoice numbers",
            width,
        )
    )
    y = _certification(ops, left, y + 21, width, size=6.0, lines=3, step=7.5)
    ops.append(Text(left, y + 11, 8, f"(15) {signature_text(label)}", width, bold=True))
    ops.append(Rule(left + width * 0.55, y + 24, left + width, y + 24, 0.6))
    ops.append(
        Text(left + width, y + 31, 5.5, "Sender's signature", width * 0.4, align=Align.RIGHT)
    )


def _categories(
    ops: list[DrawOp],
    chosen: CustomsCategory,
    left: float,
    top: float,
    width: float,
    *,
    size: float,
    step: float,
) -> float:
    column = width / 3
    box = size - 1
    for index, category in enumerate(CATEGORY_ORDER):
        x = left + (index % 3) * column
        baseline = top + step * (index // 3 + 1)
        ops.append(Box(x, baseline - box, box, box, 0.5))
        if category is chosen:
            ops.append(Rule(x, baseline - box, x + box, baseline, 0.9))
            ops.append(Rule(x, baseline, x + box, baseline - box, 0.9))
        ops.append(Text(x + box + 3, baseline, size, PRINTED_CATEGORY[category], column - box - 5))
    return top + step * 2 + 2


def _item_table(
    ops: list[DrawOp],
    left: float,
    top: float,
    width: float,
    headers: tuple[str, ...],
    items: tuple[CustomsItem, ...],
    size: float,
    step: float,
    rows: tuple[Row, ...] | None = None,
    first_number: int | None = None,
) -> float:
    """Header and one row per item; a long description wraps onto more lines of its row.
    ``first_number`` numbers the rows (continuation sheets refer to items by number)."""
    chosen = item_rows(items, width, size) if rows is None else rows
    starts = [left + share * width for share in COLUMN_STARTS]
    ends = [*starts[1:], left + width]
    y = top + step
    for header, x, end in zip(headers, starts, ends, strict=True):
        ops.append(Text(x, y, size - 0.5, header, end - x - 2, bold=True))
    ops.append(Rule(left, y + 2, left + width, y + 2, 0.5))
    for index, (item, description) in enumerate(chosen):
        y += step
        cells = item_cells(item)
        for cell, x, end in zip(cells[1:], starts[1:], ends[1:], strict=True):
            ops.append(Text(x, y, size, cell, end - x - 2))
        for line_index, line in enumerate(description):
            if line_index == 0 and first_number is not None:
                line = f"{first_number + index}. {line}"
            ops.append(Text(left, y + line_index * step, size, line, ends[0] - left - 2))
        y += step * (len(description) - 1)
    ops.append(Rule(left, y + 2.5, left + width, y + 2.5, 0.5))
    return y + 3


def _certification(
    ops: list[DrawOp],
    left: float,
    top: float,
    width: float,
    *,
    size: float,
    lines: int,
    step: float,
) -> float:
    words = CERTIFICATION.split()
    per_line = -(-len(words) // lines)
    y = top
    for start in range(0, len(words), per_line):
        y += step
        ops.append(Text(left, y, size, " ".join(words[start : start + per_line]), width))
    return y
