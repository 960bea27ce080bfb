"""ZPL II labels for 4x6 in thermal printers at 203 dpi (812 × 1218 dots), ``^XA … ^XZ`` each.

The same layout as the PDF and PNG (``label_layout``, ``customs_layout``) translated to ZPL, so
the three formats carry the same lines: every address line, wrapped where the PDF wraps, and
the CN23 form's pages (one ``^XA … ^XZ`` block per page) after a label whose customs are on a
CN23. Barcodes name their Code 128 subset explicitly (``>;`` start C with ``>8`` FNC1 for a
GS1-128 partner barcode such as the IMpb, ``>:`` start B for the S10), so the symbol width is
known for centring.

Latin text uses the built-in scalable font 0 (condensed: narrower than the Helvetica the layout
wraps to, so it always fits). Other text (a Chinese sender name) is sent as a bitmap drawn with
the CJK font (``^GFA``, any printer prints it), or with ``cjk_font`` as ``^A@`` with a
printer-resident Unicode font (e.g. ``E:ANMDS.TTF``, if the printer has it). Either way no
character is replaced by ``?``.
"""

from __future__ import annotations

from collections.abc import Sequence

from postbridge.kit.memo import MISSING, IdentityMemo, Memo
from postbridge.labels.code128 import FNC1, QUIET_ZONE_MODULES
from postbridge.labels.customs_layout import layout_cn23_pages
from postbridge.labels.drawing import (
    Align,
    Barcode,
    Box,
    DrawOp,
    PageOps,
    Rule,
    Segment,
    Text,
    fit_text,
)
from postbridge.labels.fonts import is_cp1252, text_width
from postbridge.labels.label_layout import plan_label
from postbridge.labels.model import CustomsFormType, LabelData
from postbridge.labels.zpl_graphics import text_graphic

DOTS_WIDE = 812
DOTS_HIGH = 1218
PAGE_WIDTH_PT = 288.0
PAGE_HEIGHT_PT = 432.0
SCALE = 203 / 72  # dots per point
ASCENT = 0.75  # font 0: baseline below the top of its cell, as a share of the height
_ESCAPES = str.maketrans({"^": "_5E", "~": "_7E", "_": "_5F"})
_START = "^XA^CI28^PW812^LL1218^LH0,0"


def render_zpl(labels: Sequence[LabelData], *, cjk_font: str | None = None) -> str:
    """One ``^XA … ^XZ`` block per page, UTF-8 (``^CI28``), 4x6 in at 203 dpi: each label,
    then its CN23 pages when its customs are on a CN23.

    ``cjk_font``: a printer font path (e.g. ``E:ANMDS.TTF``) for non-Latin text; ``None``
    sends such text as a bitmap (``^GFA``), which every printer can print.
    """
    # Speed: every page's pieces go into one list, joined once (a page of its own would copy
    # each label's ~6 kB, most of it the sender's bitmaps, one more time).
    out: list[str] = []
    for label in labels:
        plan = plan_label(label, PAGE_WIDTH_PT, PAGE_HEIGHT_PT)
        ops = plan.ops
        segments = ops.segments() if isinstance(ops, PageOps) else [(tuple(ops), False)]
        _page(out, segments, cjk_font)
        if plan.form_type is CustomsFormType.CN23:
            for page in layout_cn23_pages(label, PAGE_WIDTH_PT, PAGE_HEIGHT_PT):
                _page(out, [(tuple(page), False)], cjk_font)
    return "".join(out)


def zpl_code128_field(data: str) -> tuple[str, int]:
    """^BC field data and the symbol's width in modules (quiet zones excluded).

    GS1 data made of FNC1 and even digit runs (every IMpb, for one) goes entirely in subset C
    (``>;`` start C, ``>8`` FNC1); anything else (an S10) goes entirely in subset B (``>:``).
    Mid-symbol subset switches are avoided: some ZPL interpreters mishandle them.
    """
    if data.startswith(FNC1):
        fields = data[1:].split(FNC1)
        if all(field.isdigit() and len(field) % 2 == 0 for field in fields):
            symbols = 2 + len(fields) + sum(len(field) for field in fields) // 2
            return ">;" + data.replace(FNC1, ">8"), symbols * 11 + 13
    if not (data.isascii() and data.isprintable()):
        raise ValueError(f"{data!r} cannot be printed in Code 128 subset B")
    return ">:" + data.replace(">", ">0"), (len(data) + 2) * 11 + 13


def _page(out: list[str], segments: list[Segment], cjk_font: str | None) -> None:
    """Append one ``^XA … ^XZ`` page's pieces to ``out``."""
    out.append(_START)
    for ops, cached in segments:
        if cached:
            out.append(_block(ops, cjk_font))
        else:
            out += [_op(op, cjk_font) for op in ops]
    out.append("^XZ\n")


# Blocks that repeat across a merchant's batch (header, sender, CN22) come from the layout's
# caches as the very same tuple: translated once and found again by identity, without hashing
# their ops. Each entry keeps its tuple alive, so an id is never reused while it is stored.
_BY_ID: IdentityMemo[str] = IdentityMemo(1024)


def _block(ops: tuple[DrawOp, ...], cjk_font: str | None) -> str:
    found = _BY_ID.get(ops, cjk_font)
    if found is not MISSING:
        return found
    return _BY_ID.put(ops, cjk_font, "".join([_op(op, cjk_font) for op in ops]))


def _dots(points: float) -> int:
    return round(points * SCALE)


# Speed (bench/labels.py, ZPL batch ≥ 20,000 labels per CPU-second): the ops between the cached
# blocks are new objects on every label, so a translation found by value is what saves work:
# captions, rules, the recipient box and any line repeated across the batch are translated
# once and found again in a bounded memo keyed by the op (a named tuple, hashed in C). Barcodes
# (an S10, an IMpb) never repeat and skip it, and so does the rare printer-font CJK output.
_TRANSLATED: Memo[DrawOp, str] = Memo(16384)


def _op(op: DrawOp, cjk_font: str | None) -> str:
    if type(op) is Barcode:
        return _barcode(op)
    if cjk_font is not None:
        return _translate(op, cjk_font)
    found = _TRANSLATED.get(op)
    if found is not MISSING:
        return found
    return _TRANSLATED.put(op, _translate(op, None))


def _translate(op: DrawOp, cjk_font: str | None) -> str:
    if isinstance(op, Text):
        return _text(op, cjk_font)
    if isinstance(op, Barcode):
        return _barcode(op)
    if isinstance(op, Box):
        width, height = max(1, _dots(op.width)), max(1, _dots(op.height))
        thickness = min(width, height) if op.filled else max(1, _dots(op.line_width))
        return f"^FO{_dots(op.x)},{_dots(op.y)}^GB{width},{height},{thickness}^FS"
    return _rule(op)


def _text(op: Text, cjk_font: str | None) -> str:
    text, size, max_width, align = op.text, op.size, op.max_width, op.align
    if not text:
        return ""
    if len(text) * size > max_width:  # no glyph is wider than an em: shorter texts fit
        bold = op.bold
        text, size = fit_text(text, size, max_width, lambda t, s: text_width(t, s, bold))
    height = max(10, _dots(size))
    invert = "^FR" if op.inverse else ""
    baseline = _dots(op.baseline)
    if align is Align.LEFT:
        left = op.x
    elif align is Align.CENTER:
        left = op.x - max_width / 2
    else:
        left = op.x - max_width
    x0 = max(0, _dots(left))
    if text.isascii() or is_cp1252(text):
        if align is Align.LEFT:
            return f"^FT{x0},{baseline}^A0N,{height}{invert}{_field(text)}"
        justify = "C" if align is Align.CENTER else "R"
        top = baseline - round(height * ASCENT)
        box = round(max_width * SCALE)
        return f"^FO{x0},{top}^FB{box},1,0,{justify}^A0N,{height}{invert}{_field(text)}"
    if cjk_font is not None:
        if align is Align.LEFT:
            return f"^FT{x0},{baseline}^A@N,{height},{height},{cjk_font}{invert}{_field(text)}"
        justify = "C" if align is Align.CENTER else "R"
        top = baseline - round(height * ASCENT)
        box = round(max_width * SCALE)
        return (
            f"^FO{x0},{top}^FB{box},1,0,{justify}"
            f"^A@N,{height},{height},{cjk_font}{invert}{_field(text)}"
        )
    graphic, top_offset, graphic_width = text_graphic(text, height)
    if align is Align.CENTER:
        x0 = max(0, _dots(op.x) - graphic_width // 2)
    elif align is Align.RIGHT:
        x0 = max(0, _dots(op.x) - graphic_width)
    return f"^FO{x0},{baseline + top_offset}{invert}{graphic}^FS"


def _field(text: str) -> str:
    if "^" in text or "~" in text or "_" in text:
        return f"^FH_^FD{text.translate(_ESCAPES)}^FS"
    return f"^FD{text}^FS"


def _barcode(op: Barcode) -> str:
    field, modules = zpl_code128_field(op.data)
    fitting = DOTS_WIDE // (modules + 2 * QUIET_ZONE_MODULES)
    module = max(1, min(_dots(op.module_width), fitting))
    x = max(0, round(op.center_x * SCALE - modules * module / 2))
    return f"^FO{x},{_dots(op.top)}^BY{module}^BCN,{_dots(op.height)},N,N,N^FD{field}^FS"


def _rule(op: Rule) -> str:
    thickness = max(1, _dots(op.line_width))
    x1, y1, x2, y2 = _dots(op.x1), _dots(op.y1), _dots(op.x2), _dots(op.y2)
    if y1 == y2 or x1 == x2:
        width = max(abs(x2 - x1), thickness)
        height = max(abs(y2 - y1), thickness)
        x0 = min(x1, x2) - (thickness // 2 if x1 == x2 else 0)
        y0 = min(y1, y2) - (thickness // 2 if y1 == y2 else 0)
        return f"^FO{x0},{y0}^GB{width},{height},{thickness}^FS"
    # A diagonal (the cross in a ticked box): "L" leans like "\", "R" like "/".
    lean = "L" if (x2 - x1) * (y2 - y1) > 0 else "R"
    width, height = abs(x2 - x1), abs(y2 - y1)
    return f"^FO{min(x1, x2)},{min(y1, y2)}^GD{width},{height},{thickness},B,{lean}^FS"
