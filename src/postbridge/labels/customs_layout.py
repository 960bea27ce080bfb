"""Customs parts of a label: the CN22 block on the label, and the CN23 declaration page(s).

Box numbers in brackets follow the CN23 form (1 description … 15 date and signature). A
documents-only item has no goods to list, so neither form prints an item table for it.
"""

from __future__ import annotations

from postbridge.labels.code128 import QUIET_ZONE_MODULES, code128_module_count
from postbridge.labels.drawing import Align, Barcode, Box, DrawOp, Rule, Text
from postbridge.labels.model import CustomsItem, LabelData, keep_last_line
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
COLUMN_STARTS = (0.0, 0.43, 0.50, 0.62, 0.79, 0.91)
CN22_HEADERS = ("Description", "Qty", "Net kg", "Value", "HS code", "Origin")
CN23_HEADERS = ("Description (1)", "Qty (2)", "Net kg (3)", "Value (5)", "HS no. (7)", "Orig. (8)")
CN22_ROW_STEP = 7.0
CN23_ROW_STEP = 9.0
PAGE_MARGIN = 10.0


def layout_cn22_block(
    ops: list[DrawOp], label: LabelData, *, left: float, top: float, width: float, bottom: float
) -> None:
    customs = label.customs
    y = top + 10
    ops.append(Text(left, y, 8, "CUSTOMS DECLARATION  CN 22", width * 0.6, bold=True))
    ops.append(
        Text(left + width, y, 6, "May be opened officially", width * 0.38, align=Align.RIGHT)
    )
    y = _categories(ops, label, left, y + 3, width, size=6.0, step=7.2)
    footer_height = 8 + 14 + 10
    if customs.documents_only:
        ops.append(Text(left, y + 7, 6.5, "Contents: documents (no item list)", width))
        y += 10
    else:
        rows_fit = max(1, int((bottom - footer_height - y - 8) // CN22_ROW_STEP))
        y = _item_table(ops, label, left, y, width, CN22_HEADERS, rows_fit, 5.8, CN22_ROW_STEP)
    ops.append(Text(left, y + 8, 6.8, totals_text(label), width, bold=True))
    y = _certification(ops, left, y + 9, width, size=5.0, lines=2, step=6.0)
    ops.append(Text(left, y + 8, 7, signature_text(label), width, bold=True))


def layout_cn23_pointer(
    ops: list[DrawOp], label: LabelData, *, left: float, top: float, width: float
) -> None:
    count = len(label.customs.items)
    ops.append(Text(left, top + 12, 9, "CUSTOMS DECLARATION CN 23 ATTACHED", width, bold=True))
    ops.append(Text(left, top + 23, 7, f"Category: {category_text(label)}   Items: {count}", width))
    ops.append(Text(left, top + 33, 7, totals_text(label), width))
    ops.append(Text(left, top + 43, 6.5, "The CN 23 form is the next page of this label.", width))


def layout_cn23_pages(label: LabelData, width: float, height: float) -> list[list[DrawOp]]:
    """The CN23 form; items that do not fit go on continuation pages."""
    ops: list[DrawOp] = []
    content = width - 2 * PAGE_MARGIN
    left = PAGE_MARGIN
    y = _cn23_title(ops, label, width, "CN 23")
    y = _cn23_parties(ops, label, left, y, content)
    y = _categories(ops, label, left, y + 2, content, size=6.5, step=9.0)
    footer_height = 96.0
    items = label.customs.items
    if label.customs.documents_only:
        ops.append(Text(left, y + 9, 7, "Contents: documents (no item list)", content))
        y += 12
        remaining: tuple[CustomsItem, ...] = ()
    else:
        rows_fit = max(1, int((height - PAGE_MARGIN - footer_height - y - 10) // CN23_ROW_STEP))
        shown = items if len(items) <= rows_fit else items[: rows_fit - 1]
        y = _item_table(
            ops, label, left, y, content, CN23_HEADERS, len(shown), 6.5, CN23_ROW_STEP, shown
        )
        remaining = items[len(shown) :]
        if remaining:
            note = f"+ {len(remaining)} more item(s) on the continuation page"
            ops.append(Text(left, y + 8, 6.5, note, content, bold=True))
            y += 9
    _cn23_footer(ops, label, left, y, content)
    pages = [ops]
    start = len(items) - len(remaining)
    while start < len(items):
        page: list[DrawOp] = []
        top = _cn23_title(page, label, width, "CN 23 (continued)")
        rows_fit = max(1, int((height - PAGE_MARGIN - top - 14) // CN23_ROW_STEP))
        chunk = items[start : start + rows_fit]
        _item_table(
            page, label, left, top, content, CN23_HEADERS, len(chunk), 6.5, CN23_ROW_STEP, chunk
        )
        pages.append(page)
        start += len(chunk)
    return pages


def _cn23_title(ops: list[DrawOp], label: LabelData, width: float, form: str) -> float:
    left = PAGE_MARGIN
    content = width - 2 * PAGE_MARGIN
    ops.append(Text(left, 22, 12, "CUSTOMS DECLARATION", content * 0.6, bold=True))
    ops.append(Text(width - left, 22, 14, form, content * 0.4, True, Align.RIGHT))
    ops.append(Text(left, 32, 7, "May be opened officially", content))
    data = label.s10.text
    module = min(0.9, content / (code128_module_count(data) + 2 * QUIET_ZONE_MODULES))
    ops.append(Barcode(width / 2, 37, 26, data, module))
    ops.append(Text(width / 2, 73, 9, label.s10.spaced, content, True, Align.CENTER))
    ops.append(Rule(left, 78, width - left, 78, 1.0))
    return 78.0


def _cn23_parties(
    ops: list[DrawOp], label: LabelData, left: float, top: float, width: float
) -> float:
    column = (width - 8) / 2
    sender = label.sender.printed_lines(7)
    recipient = list(keep_last_line(label.recipient_lines, 6))
    if label.recipient_phone:
        recipient.append(f"Tel {label.recipient_phone}")
    for x, title, lines in ((left, "FROM", sender), (left + column + 8, "TO", recipient)):
        ops.append(Text(x, top + 9, 6.5, title, column, bold=True))
        for index, line in enumerate(lines):
            ops.append(Text(x, top + 18 + index * 7.6, 6.5, line, column))
    bottom = top + 18 + (max(len(sender), len(recipient)) - 1) * 7.6 + 4
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
    label: LabelData,
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
        if category is label.customs.category:
            ops.append(Rule(x, baseline - box, x + box, baseline, 0.9))
            ops.append(Rule(x, baseline, x + box, baseline - box, 0.9))
        ops.append(Text(x + box + 3, baseline, size, PRINTED_CATEGORY[category], column - box - 5))
    return top + step * 2 + 2


def _item_table(
    ops: list[DrawOp],
    label: LabelData,
    left: float,
    top: float,
    width: float,
    headers: tuple[str, ...],
    rows: int,
    size: float,
    step: float,
    items: tuple[CustomsItem, ...] | None = None,
) -> float:
    all_items = label.customs.items
    chosen = all_items if items is None else items
    shown = chosen[:rows] if len(chosen) <= rows else chosen[: rows - 1]
    starts = [left + share * width for share in COLUMN_STARTS]
    ends = [*starts[1:], left + width]
    y = top + step
    for header, x, end in zip(headers, starts, ends, strict=True):
        ops.append(Text(x, y, size - 0.5, header, end - x - 2, bold=True))
    ops.append(Rule(left, y + 2, left + width, y + 2, 0.5))
    for item in shown:
        y += step
        for cell, x, end in zip(item_cells(item), starts, ends, strict=True):
            ops.append(Text(x, y, size, cell, end - x - 2))
    if len(shown) < len(chosen) and items is None:
        y += step
        ops.append(Text(left, y, size, f"+ {len(chosen) - len(shown)} more item(s)", width))
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
