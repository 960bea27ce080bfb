"""Layout of the address label page (4x6 in or A6), top to bottom.

Header (product, partner, sort code) · FROM / RETURN TO · TO · the partner's barcode block (when
the last mile numbers the parcel, e.g. the USPS IMpb) · S10 barcode · customs: the CN22 block, or
a pointer to the CN23 page. Sizes are points; barcodes follow S10 (height ≥ 12.5 mm) and IMpb
(≥ 0.75 in, the tallest partner minimum we print) guidance.
"""

from __future__ import annotations

from postbridge.labels.code128 import QUIET_ZONE_MODULES, code128_module_count, gs1_128_data
from postbridge.labels.customs_layout import layout_cn22_block, layout_cn23_pointer
from postbridge.labels.drawing import Align, Barcode, Box, DrawOp, Rule, Text
from postbridge.labels.model import CustomsFormType, LabelData, PartnerBarcode, keep_last_line
from postbridge.labels.printed import header_details, partner_line

MARGIN = 8.0
SORT_BOX_WIDTH = 104.0
PARTY_LINE_STEP = 8.2
MAX_PARTY_LINES = 5
RECIPIENT_LINE_STEP = 11.8
MAX_RECIPIENT_LINES = 6
PARTNER_BAR_HEIGHT = 54.0  # 0.75 in, the IMpb minimum
S10_BAR_HEIGHT = 36.0  # 12.7 mm, above the 12.5 mm recommendation
NOMINAL_MODULE = 1.0  # 0.35 mm X-dimension


def layout_label(label: LabelData, width: float, height: float) -> list[DrawOp]:
    ops: list[DrawOp] = []
    y = _header(ops, label, width)
    # A6 is 12.5 pt shorter than 4x6: tighter address lines keep room for three CN22 items.
    compact = height < 430
    y = _parties(ops, label, width, y, 7.6 if compact else PARTY_LINE_STEP)
    y = _recipient(ops, label, width, y, 10.6 if compact else RECIPIENT_LINE_STEP)
    if label.partner_barcode is not None:
        y = _partner_block(ops, label.partner_barcode, width, y)
    y = _s10(ops, label, width, y)
    bottom = height - MARGIN
    if label.customs.form_type is CustomsFormType.CN22:
        layout_cn22_block(ops, label, left=MARGIN, top=y, width=width - 2 * MARGIN, bottom=bottom)
    else:
        layout_cn23_pointer(ops, label, left=MARGIN, top=y, width=width - 2 * MARGIN)
    return ops


def barcode_module(data: str, available_width: float) -> float:
    """Nominal X-dimension, narrowed when a long symbol plus quiet zones would not fit."""
    modules = code128_module_count(data) + 2 * QUIET_ZONE_MODULES
    return min(NOMINAL_MODULE, available_width / modules)


def _header(ops: list[DrawOp], label: LabelData, width: float) -> float:
    text_width = width - 2 * MARGIN - SORT_BOX_WIDTH - 6
    ops.append(Text(MARGIN, MARGIN + 11, 11.5, label.product_name, text_width, bold=True))
    ops.append(Text(MARGIN, MARGIN + 23, 8, partner_line(label), text_width))
    ops.append(Text(MARGIN, MARGIN + 34, 8, header_details(label), text_width))
    box_x = width - MARGIN - SORT_BOX_WIDTH
    ops.append(Box(box_x, MARGIN, SORT_BOX_WIDTH, 38, filled=True))
    centre = box_x + SORT_BOX_WIDTH / 2
    inner = SORT_BOX_WIDTH - 8
    ops.append(
        Text(centre, MARGIN + 21, 20, label.sort_code, inner, True, Align.CENTER, inverse=True)
    )
    ops.append(
        Text(centre, MARGIN + 33, 9, label.office_of_exchange, inner, True, Align.CENTER, True)
    )
    rule_y = MARGIN + 42
    ops.append(Rule(MARGIN, rule_y, width - MARGIN, rule_y, 1.2))
    return rule_y


def _parties(ops: list[DrawOp], label: LabelData, width: float, top: float, step: float) -> float:
    column = (width - 2 * MARGIN - 8) / 2
    left_lines = label.sender.printed_lines(MAX_PARTY_LINES)
    right_lines = label.returns_to.printed_lines(MAX_PARTY_LINES)
    for x, title, lines in (
        (MARGIN, "FROM", left_lines),
        (MARGIN + column + 8, "RETURN IF UNDELIVERABLE", right_lines),
    ):
        ops.append(Text(x, top + 9, 6, title, column, bold=True))
        for index, line in enumerate(lines):
            ops.append(Text(x, top + 18 + index * step, 7, line, column))
    used = max(len(left_lines), len(right_lines))
    bottom = top + 18 + (used - 1) * step + 4
    ops.append(Rule(MARGIN + column + 4, top + 3, MARGIN + column + 4, bottom - 2, 0.5))
    return bottom


def _recipient(ops: list[DrawOp], label: LabelData, width: float, top: float, step: float) -> float:
    lines = list(keep_last_line(label.recipient_lines, MAX_RECIPIENT_LINES))
    if label.recipient_phone:
        lines.append(f"Tel {label.recipient_phone}")
    box_top = top + 2
    inner_x = MARGIN + 22
    inner_width = width - 2 * MARGIN - 26
    ops.append(Text(MARGIN + 4, box_top + 10, 8, "TO", 16, bold=True))
    for index, line in enumerate(lines):
        is_name = index == 0
        is_phone = label.recipient_phone is not None and index == len(lines) - 1
        size = 11 if is_name else (8.5 if is_phone else 10)
        baseline = box_top + 13 + index * step
        ops.append(Text(inner_x, baseline, size, line, inner_width, bold=not is_phone))
    box_height = 13 + (len(lines) - 1) * step + 7
    ops.append(Box(MARGIN, box_top, width - 2 * MARGIN, box_height, 1.6))
    return box_top + box_height


def _partner_block(ops: list[DrawOp], block: PartnerBarcode, width: float, top: float) -> float:
    content = width - 2 * MARGIN
    centre = width / 2
    ops.append(Rule(MARGIN, top + 3, width - MARGIN, top + 3, 2.0))
    ops.append(Text(centre, top + 13, 9.5, block.banner, content, True, Align.CENTER))
    data = gs1_128_data(block.gs1_fields)
    module = barcode_module(data, content)
    ops.append(Barcode(centre, top + 16, PARTNER_BAR_HEIGHT, data, module))
    text_baseline = top + 16 + PARTNER_BAR_HEIGHT + 11
    number = block.human_readable
    ops.append(Text(centre, text_baseline, 10.5, number, content, True, Align.CENTER))
    bottom = text_baseline + 4
    ops.append(Rule(MARGIN, bottom, width - MARGIN, bottom, 2.0))
    return bottom


def _s10(ops: list[DrawOp], label: LabelData, width: float, top: float) -> float:
    content = width - 2 * MARGIN
    centre = width / 2
    data = label.s10.text
    ops.append(Barcode(centre, top + 5, S10_BAR_HEIGHT, data, barcode_module(data, content)))
    baseline = top + 5 + S10_BAR_HEIGHT + 11
    ops.append(Text(centre, baseline, 12, label.s10.spaced, content, True, Align.CENTER))
    bottom = baseline + 4
    ops.append(Rule(MARGIN, bottom, width - MARGIN, bottom, 1.2))
    return bottom
