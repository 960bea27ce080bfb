"""Layout of the address label page (4x6 in or A6), top to bottom.

Header (product, a boxed "DDP" when duties are paid, partner, sort code) · FROM / RETURN TO · TO
· the partner's barcode block (when the last mile numbers the parcel, e.g. the USPS IMpb) · S10
barcode · customs: the CN22 block, or a pointer to the CN23 page. Sizes are points; barcodes follow S10 (height ≥ 12.5 mm) and IMpb
(≥ 0.75 in, the tallest partner minimum we print) guidance.

Nothing is dropped or cut: every address line prints, wrapped to the box. When the page is
full the layout steps down through ``DENSITIES`` (smaller type, tighter lines); when even the
densest does not leave room for the CN22 item table, the items go on a CN23 form (which a
sender may always use instead of a CN22) and the label points to it. Booking refuses an
address that would not fit even then (``labels.fit``), so ``plan_label(...).fits`` holds for
every booked parcel.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from postbridge.labels.code128 import QUIET_ZONE_MODULES, code128_module_count, gs1_128_data
from postbridge.labels.customs_layout import (
    CN23_POINTER_HEIGHT,
    cn22_block_height,
    layout_cn22_block,
    layout_cn23_pointer,
)
from postbridge.labels.drawing import (
    Align,
    Barcode,
    Box,
    DrawOp,
    PageOps,
    Rule,
    Text,
    add_block,
    wrap_text,
)
from postbridge.labels.fonts import text_width
from postbridge.labels.model import CustomsFormType, Incoterm, LabelData, PartnerBarcode, Party
from postbridge.labels.printed import header_details, partner_line

MARGIN = 8.0
SORT_BOX_WIDTH = 104.0
DDP_BOX_WIDTH = 26.0  # the boxed "DDP" of a duties-paid label
PARTNER_BAR_HEIGHT = 54.0  # 0.75 in, the IMpb minimum
S10_BAR_HEIGHT = 36.0  # 12.7 mm, above the 12.5 mm recommendation
NOMINAL_MODULE = 1.0  # 0.35 mm X-dimension
RECIPIENT_INDENT = 22.0
PARTNER_BLOCK_HEIGHT = 16 + PARTNER_BAR_HEIGHT + 11 + 4  # rule and banner, bars, number
S10_BLOCK_HEIGHT = 5 + S10_BAR_HEIGHT + 11 + 4
Piece = tuple[str, float, bool]  # a printed line of the TO box: text, size, bold


class Density(NamedTuple):
    """Type sizes and line steps (points) of the address blocks at one density (a named tuple:
    a key of the sender block's cache, hashed in C)."""

    party_size: float
    party_step: float
    name_size: float
    line_size: float
    line_step: float


# From roomy to dense; the densest keeps the recipient at 7 pt (2.5 mm capitals), the sender 5.5.
DENSITIES = (
    Density(7.0, 8.2, 11.0, 10.0, 11.8),
    Density(7.0, 8.0, 10.0, 9.0, 10.6),
    Density(6.5, 7.4, 9.0, 8.0, 9.4),
    Density(6.0, 6.8, 8.0, 7.5, 8.6),
    Density(5.5, 6.2, 7.5, 7.0, 8.0),
)


@dataclass(frozen=True, slots=True)
class LabelPlan:
    ops: list[DrawOp]
    form_type: CustomsFormType  # CN23 also when a CN22's items did not fit the label
    fits: bool  # False: even the densest layout overflows the page (booking prevents it)


def layout_label(label: LabelData, width: float, height: float) -> list[DrawOp]:
    return plan_label(label, width, height).ops


def plan_label(label: LabelData, width: float, height: float) -> LabelPlan:
    bottom = height - MARGIN
    forms: tuple[CustomsFormType, ...] = (CustomsFormType.CN22, CustomsFormType.CN23)
    if label.customs.form_type is CustomsFormType.CN23:
        forms = (CustomsFormType.CN23,)
    ops: list[DrawOp] = []
    # Speed (bench/labels.py, ZPL ≥ 20,000 labels/s): the recipient's wrapped lines are worked
    # out once per density and the CN22 block's height once per label, shared by the measuring
    # passes and the drawing one (each cache lookup compares the declaration field by field).
    # A page that overflows with one printed line per logical line overflows once they wrap
    # (wrapping only adds lines), so a density is only wrapped for when that bound fits.
    pieces_at: list[list[Piece] | None] = [None] * len(DENSITIES)
    lines = recipient_block_lines(label)
    for form in forms:
        customs_height = _customs_height(label, width, form)
        for index, density in enumerate(DENSITIES):
            pieces = pieces_at[index]
            if pieces is None:
                if _measured(label, width, density, len(lines), customs_height) > bottom:
                    continue
                pieces = pieces_at[index] = _recipient_pieces(label, width, density, lines)
            # Measure first (cheap: cached blocks and line counts), then draw the one that fits.
            if _measured(label, width, density, len(pieces), customs_height) <= bottom:
                ops = PageOps()
                _layout(ops, label, width, height, density, form, pieces=pieces)
                return LabelPlan(ops, form, True)
    # Booking refuses addresses this long (labels.fit); a label stored before that check still
    # prints every line, in type shrunk until it fits the page.
    for step in range(1, 8):
        ops = []
        scaled = _scaled(DENSITIES[-1], 0.92**step)
        if _layout(ops, label, width, height, scaled, CustomsFormType.CN23) <= bottom:
            break
    return LabelPlan(ops, CustomsFormType.CN23, False)


def _scaled(density: Density, factor: float) -> Density:
    return Density(*(value * factor for value in (
        density.party_size, density.party_step, density.name_size, density.line_size,
        density.line_step,
    )))  # fmt: skip


def _layout(
    ops: list[DrawOp],
    label: LabelData,
    width: float,
    height: float,
    density: Density,
    form: CustomsFormType,
    *,
    measure: bool = False,
    pieces: list[Piece] | None = None,
) -> float:
    """Lay the page out into ``ops`` and return the bottom of its last block; ``measure`` only
    computes that bottom for the blocks unique to a label (recipient, barcodes). ``pieces``:
    the recipient's printed lines at this density, when already worked out."""
    content = width - 2 * MARGIN
    if pieces is None:
        pieces = _recipient_pieces(label, width, density)
    if measure:
        return _measured(label, width, density, len(pieces), _customs_height(label, width, form))
    y = _header(ops, label, width)
    y = _parties(ops, label, width, y, density)
    y = _recipient(ops, pieces, width, y, density)
    if label.partner_barcode is not None:
        y = _partner_block(ops, label.partner_barcode, width, y)
    y = _s10(ops, label, width, y)
    if form is CustomsFormType.CN22:
        return layout_cn22_block(ops, label, left=MARGIN, top=y, width=content)
    return layout_cn23_pointer(ops, label, left=MARGIN, top=y, width=content)


def _customs_height(label: LabelData, width: float, form: CustomsFormType) -> float:
    if form is CustomsFormType.CN22:
        return cn22_block_height(label.customs, width - 2 * MARGIN)
    return CN23_POINTER_HEIGHT


def _measured(
    label: LabelData, width: float, density: Density, pieces: int, customs_height: float
) -> float:
    """The bottom of the page's last block, from the cached sender block, the number of the
    recipient's printed lines and the customs block's height."""
    y = _parties([], label, width, MARGIN + 42, density)
    y += 2 + 3 + density.name_size + (pieces - 1) * density.line_step + 7
    y += PARTNER_BLOCK_HEIGHT if label.partner_barcode is not None else 0
    y += S10_BLOCK_HEIGHT
    return y + customs_height


def barcode_module(data: str, available_width: float) -> float:
    """Nominal X-dimension, narrowed when a long symbol plus quiet zones would not fit."""
    modules = code128_module_count(data) + 2 * QUIET_ZONE_MODULES
    return min(NOMINAL_MODULE, available_width / modules)


def wrapped(text: str, size: float, width: float, bold: bool = False) -> tuple[str, ...]:
    if len(text) * size <= width:  # no glyph is wider than an em: one line, nothing to measure
        return (text,)
    return _wrapped(text, size, width, bold)


# Speed (bench/labels.py): only lines that need measuring are remembered; a short line (most
# of them, and every label's own) would only fill the cache and the garbage collector's heap.
@lru_cache(maxsize=16384)
def _wrapped(text: str, size: float, width: float, bold: bool) -> tuple[str, ...]:
    return tuple(wrap_text(text, size, width, lambda t, s: text_width(t, s, bold)))


def recipient_block_lines(label: LabelData) -> list[str]:
    """The TO box's logical lines: the address, the tax id where customs ask, the phone."""
    lines = list(label.recipient_lines)
    if label.recipient_tax_id:
        lines.append(label.recipient_tax_id)
    if label.recipient_phone:
        lines.append(f"Tel {label.recipient_phone}")
    return lines


def _header(ops: list[DrawOp], label: LabelData, width: float) -> float:
    header = (label.product_name, partner_line(label), header_details(label))
    ddp = label.incoterm is Incoterm.DDP
    add_block(ops, _header_ops(*header, label.sort_code, label.office_of_exchange, width, ddp))
    return MARGIN + 42


# Blocks that repeat across a merchant's batch (same product, sender, items) are laid out once.
@lru_cache(maxsize=1024)
def _header_ops(
    product: str,
    partner: str,
    details: str,
    sort_code: str,
    office: str,
    width: float,
    ddp: bool = False,
) -> tuple[DrawOp, ...]:
    text_width_ = width - 2 * MARGIN - SORT_BOX_WIDTH - 6
    box_x = width - MARGIN - SORT_BOX_WIDTH
    centre = box_x + SORT_BOX_WIDTH / 2
    inner = SORT_BOX_WIDTH - 8
    rule_y = MARGIN + 42
    marker: tuple[DrawOp, ...] = ()
    product_width = text_width_
    if ddp:
        # Duties paid: a boxed "DDP" closing the product line, the product name shortened
        # (shrunk, then cut) to leave it room.
        marker_x = MARGIN + text_width_ - DDP_BOX_WIDTH
        product_width = text_width_ - DDP_BOX_WIDTH - 4
        marker = (
            Box(marker_x, MARGIN + 1, DDP_BOX_WIDTH, 13, 1.2),
            Text(marker_x + DDP_BOX_WIDTH / 2, MARGIN + 11, 9, "DDP", DDP_BOX_WIDTH - 4, True,
                 Align.CENTER),
        )  # fmt: skip
    return (
        Text(MARGIN, MARGIN + 11, 11.5, product, product_width, bold=True),
        *marker,
        Text(MARGIN, MARGIN + 23, 8, partner, text_width_),
        Text(MARGIN, MARGIN + 34, 8, details, text_width_),
        Box(box_x, MARGIN, SORT_BOX_WIDTH, 38, filled=True),
        Text(centre, MARGIN + 21, 20, sort_code, inner, True, Align.CENTER, inverse=True),
        Text(centre, MARGIN + 33, 9, office, inner, True, Align.CENTER, True),
        Rule(MARGIN, rule_y, width - MARGIN, rule_y, 1.2),
    )


def _parties(
    ops: list[DrawOp], label: LabelData, width: float, top: float, density: Density
) -> float:
    block, bottom = _party_ops(label.sender, label.return_address, width, top, density)
    add_block(ops, block)
    return bottom


@lru_cache(maxsize=1024)
def _party_ops(
    sender: Party, return_address: Party | None, width: float, top: float, density: Density
) -> tuple[tuple[DrawOp, ...], float]:
    """FROM and RETURN side by side; one full-width block when parcels return to the sender."""
    ops: list[DrawOp] = []
    size, step = density.party_size, density.party_step
    if return_address is None:
        column = width - 2 * MARGIN
        blocks = [(MARGIN, "FROM  ·  RETURN IF UNDELIVERABLE", sender)]
    else:
        column = (width - 2 * MARGIN - 8) / 2
        blocks = [
            (MARGIN, "FROM", sender),
            (MARGIN + column + 8, "RETURN IF UNDELIVERABLE", return_address),
        ]
    used = 0
    for x, title, party in blocks:
        ops.append(Text(x, top + 9, 6, title, column, bold=True))
        row = 0
        for line in party.printed_lines():
            for piece in wrapped(line, size, column):
                ops.append(Text(x, top + 18 + row * step, size, piece, column))
                row += 1
        used = max(used, row)
    bottom = top + 18 + (used - 1) * step + 4
    if len(blocks) == 2:
        ops.append(Rule(MARGIN + column + 4, top + 3, MARGIN + column + 4, bottom - 2, 0.5))
    return tuple(ops), bottom


def _recipient(
    ops: list[DrawOp], pieces: list[Piece], width: float, top: float, density: Density
) -> float:
    box_top = top + 2
    inner_x = MARGIN + RECIPIENT_INDENT
    inner_width = width - 2 * MARGIN - RECIPIENT_INDENT - 8
    ops.append(Text(MARGIN + 4, box_top + 10, 8, "TO", 16, bold=True))
    baseline = box_top + 3 + density.name_size
    for piece, size, bold in pieces:
        ops.append(Text(inner_x, baseline, size, piece, inner_width, bold=bold))
        baseline += density.line_step
    box_height = baseline - density.line_step + 7 - box_top
    ops.append(Box(MARGIN, box_top, width - 2 * MARGIN, box_height, 1.6))
    return box_top + box_height


def _recipient_pieces(
    label: LabelData, width: float, density: Density, lines: list[str] | None = None
) -> list[Piece]:
    """The TO box's printed lines (each logical line wrapped), with their size and weight."""
    inner_width = width - 2 * MARGIN - RECIPIENT_INDENT - 8
    if lines is None:
        lines = recipient_block_lines(label)
    phone_index = len(lines) - 1 if label.recipient_phone else -1
    pieces: list[Piece] = []
    for index, line in enumerate(lines):
        is_phone = index == phone_index
        size = density.name_size if index == 0 else density.line_size
        size = size * 0.85 if is_phone else size
        for piece in wrapped(line, size, inner_width, not is_phone):
            pieces.append((piece, size, not is_phone))
    return pieces


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


def fits_on_page(label: LabelData, width: float, height: float) -> bool:
    """Whether the label's blocks fit the page at the densest layout with its own form."""
    densest, form = DENSITIES[-1], label.customs.form_type
    return _layout([], label, width, height, densest, form, measure=True) <= height - MARGIN
