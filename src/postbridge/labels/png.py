"""PNG label (4x6 in) with Pillow, for printers and previews that take images.

Barcode modules snap to whole pixels (3 dots ≈ 0.375 mm at 203 dpi), narrowed only when the
symbol and its quiet zones would not fit the page; a fractional module width would blur bars.
"""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image, ImageDraw

from postbridge.labels.code128 import QUIET_ZONE_MODULES, code128_bars, code128_module_count
from postbridge.labels.customs_layout import layout_cn23_pages
from postbridge.labels.drawing import Align, Barcode, Box, DrawOp, Rule, Text, fit_text
from postbridge.labels.fonts import png_font_for
from postbridge.labels.label_layout import layout_label, plan_label
from postbridge.labels.model import CustomsFormType, LabelData

LABEL_WIDTH_PT = 288.0
LABEL_HEIGHT_PT = 432.0
_ANCHORS = {Align.LEFT: "ls", Align.CENTER: "ms", Align.RIGHT: "rs"}
WHITE = 255
BLACK = 0


def render_png(label: LabelData, *, dpi: int = 203) -> bytes:
    """1-bit PNG of the address label page (``render_png_pages`` adds the CN23 pages)."""
    if dpi < 150:
        raise ValueError(f"dpi {dpi} is too coarse for scannable barcodes (minimum 150)")
    image = render_image(label, dpi=dpi)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(dpi, dpi))
    return buffer.getvalue()


def render_png_pages(label: LabelData, *, dpi: int = 203) -> list[bytes]:
    """The label page, then its CN23 form's pages when its customs are on a CN23."""
    if dpi < 150:
        raise ValueError(f"dpi {dpi} is too coarse for scannable barcodes (minimum 150)")
    plan = plan_label(label, LABEL_WIDTH_PT, LABEL_HEIGHT_PT)
    pages = [plan.ops]
    if plan.form_type is CustomsFormType.CN23:
        pages += layout_cn23_pages(label, LABEL_WIDTH_PT, LABEL_HEIGHT_PT)
    out: list[bytes] = []
    for ops in pages:
        buffer = io.BytesIO()
        _image(ops, dpi).save(buffer, format="PNG", dpi=(dpi, dpi))
        out.append(buffer.getvalue())
    return out


def render_image(label: LabelData, *, dpi: int = 203) -> Image.Image:
    return _image(layout_label(label, LABEL_WIDTH_PT, LABEL_HEIGHT_PT), dpi)


def _image(ops: list[DrawOp], dpi: int) -> Image.Image:
    scale = dpi / 72
    size = (round(LABEL_WIDTH_PT * scale), round(LABEL_HEIGHT_PT * scale))
    # 1-bit like the thermal printers it feeds: crisp edges, and PNG encoding is 4x faster.
    image = Image.new("1", size, WHITE)
    draw = ImageDraw.Draw(image)
    for op in ops:
        _draw(draw, op, scale, size[0])
    return image


def _draw(draw: ImageDraw.ImageDraw, op: DrawOp, scale: float, page_px: int) -> None:
    if isinstance(op, Text):
        _draw_text(draw, op, scale)
    elif isinstance(op, Barcode):
        _draw_barcode(draw, op, scale, page_px)
    elif isinstance(op, Box):
        box = (
            round(op.x * scale), round(op.y * scale),
            round((op.x + op.width) * scale), round((op.y + op.height) * scale),
        )  # fmt: skip
        if op.filled:
            draw.rectangle(box, fill=BLACK)
        else:
            draw.rectangle(box, outline=BLACK, width=_stroke(op.line_width, scale))
    elif isinstance(op, Rule):
        points = (op.x1 * scale, op.y1 * scale, op.x2 * scale, op.y2 * scale)
        draw.line(points, fill=BLACK, width=_stroke(op.line_width, scale))


def _draw_text(draw: ImageDraw.ImageDraw, op: Text, scale: float) -> None:
    mask, left, top = _text_mask(op.text, op.size, op.max_width, op.bold, op.align, scale)
    x = round(op.x * scale) + left
    y = round(op.baseline * scale) + top
    draw.bitmap((x, y), mask, fill=WHITE if op.inverse else BLACK)


@lru_cache(maxsize=8192)
def _text_mask(
    text: str, size: float, max_width: float, bold: bool, align: Align, scale: float
) -> tuple[Image.Image, int, int]:
    """Fitted text as a 1-bit mask plus its offset from the anchor point (cached: captions,
    sender and product lines repeat on every label of a batch)."""

    def width_at(candidate: str, points: float) -> float:
        font, printable = png_font_for(candidate, size_px=max(6, round(points * scale)), bold=bold)
        return font.getlength(printable) / scale

    fitted, fitted_size = fit_text(text, size, max_width, width_at)
    font, printable = png_font_for(fitted, size_px=max(6, round(fitted_size * scale)), bold=bold)
    anchor = _ANCHORS[align]
    left, top, right, bottom = (int(v) for v in font.getbbox(printable, anchor=anchor))
    mask = Image.new("1", (max(1, right - left), max(1, bottom - top)), 0)
    ImageDraw.Draw(mask).text((-left, -top), printable, font=font, fill=1, anchor=anchor)
    return mask, left, top


def _draw_barcode(draw: ImageDraw.ImageDraw, op: Barcode, scale: float, page_px: int) -> None:
    modules = code128_module_count(op.data)
    fitting = page_px // (modules + 2 * QUIET_ZONE_MODULES)
    module_px = max(1, min(round(op.module_width * scale), fitting))
    left = round(op.center_x * scale - modules * module_px / 2)
    top = round(op.top * scale)
    bottom = round((op.top + op.height) * scale) - 1
    for offset, width in code128_bars(op.data):
        x0 = left + offset * module_px
        draw.rectangle((x0, top, x0 + width * module_px - 1, bottom), fill=BLACK)


def _stroke(line_width_pt: float, scale: float) -> int:
    return max(1, round(line_width_pt * scale))
