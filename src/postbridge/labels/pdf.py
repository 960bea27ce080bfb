"""PDF labels with reportlab: one page per label, plus the CN23 page(s) after a CN23 label."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Literal

from reportlab import rl_config
from reportlab.lib.pagesizes import A6
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from postbridge.labels.code128 import code128_bars, code128_module_count
from postbridge.labels.customs_layout import layout_cn23_pages
from postbridge.labels.drawing import Align, Barcode, Box, DrawOp, Text, fit_text
from postbridge.labels.fonts import PDF_LATIN, PDF_LATIN_BOLD, pdf_font_for
from postbridge.labels.label_layout import plan_label
from postbridge.labels.model import CustomsFormType, LabelData

PageSize = Literal["4x6", "A6"]
PAGE_SIZES: dict[str, tuple[float, float]] = {"4x6": (288.0, 432.0), "A6": (A6[0], A6[1])}


def render_pdf(labels: Sequence[LabelData], *, page_size: PageSize = "4x6") -> bytes:
    """One PDF for a batch: each label's page, followed by its CN23 page(s) when it has one."""
    if not labels:
        raise ValueError("render_pdf needs at least one label")
    width, height = PAGE_SIZES[page_size]
    with _binary_streams():
        return _render(labels, width, height)


@contextmanager
def _binary_streams() -> Iterator[None]:
    """Skip ASCII85 on compressed streams (reportlab's default): it only inflates the file and,
    without the rl-accel C extension, costs a third of the render time. Either setting yields a
    valid PDF, so a concurrent render seeing the other value is harmless."""
    previous = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = previous


def _render(labels: Sequence[LabelData], width: float, height: float) -> bytes:
    buffer = io.BytesIO()
    # invariant=1 drops the creation timestamp and random document id: same input, same bytes.
    canvas = Canvas(buffer, pagesize=(width, height), invariant=1, pageCompression=1)
    canvas.setCreator("postbridge")
    for label in labels:
        plan = plan_label(label, width, height)
        _draw_page(canvas, plan.ops, height)
        # A CN22 whose items do not fit the label page travels as a CN23 (plan.form_type).
        if plan.form_type is CustomsFormType.CN23:
            for page in layout_cn23_pages(label, width, height):
                _draw_page(canvas, page, height)
    canvas.save()
    return buffer.getvalue()


def _draw_page(canvas: Canvas, ops: list[DrawOp], height: float) -> None:
    for op in ops:
        if isinstance(op, Text):
            _draw_text(canvas, op, height)
        elif isinstance(op, Barcode):
            _draw_barcode(canvas, op, height)
        elif isinstance(op, Box):
            canvas.setLineWidth(op.line_width)
            canvas.rect(
                op.x, height - op.y - op.height, op.width, op.height,
                stroke=0 if op.filled else 1, fill=1 if op.filled else 0,
            )  # fmt: skip
        else:
            canvas.setLineWidth(op.line_width)
            canvas.line(op.x1, height - op.y1, op.x2, height - op.y2)
    canvas.showPage()


def _draw_text(canvas: Canvas, op: Text, height: float) -> None:
    font = pdf_font_for(op.text, bold=op.bold)
    text, size = fit_text(op.text, op.size, op.max_width, lambda t, s: _width(t, font, s))
    x = op.x
    if op.align is Align.CENTER:
        x -= _width(text, font, size) / 2
    elif op.align is Align.RIGHT:
        x -= _width(text, font, size)
    y = height - op.baseline
    if font in (PDF_LATIN, PDF_LATIN_BOLD):
        # Standard fonts: write the text operators directly. reportlab's text objects cost
        # ~10x more per string, and a label has ~60 strings.
        name = canvas._doc.getInternalFontName(font)
        ink = ("1 g ", " 0 g") if op.inverse else ("", "")
        canvas.addLiteral(
            f"{ink[0]}BT {name} {size:.2f} Tf {x:.2f} {y:.2f} Td ({_literal(text)}) Tj ET{ink[1]}"
        )
        return
    canvas.setFont(font, size)
    if op.inverse:
        canvas.setFillGray(1)
    canvas.drawString(x, y, text)
    if op.inverse:
        canvas.setFillGray(0)


# PDF literal-string bytes: printable ASCII as is, the three delimiters escaped, others octal.
_LITERAL = [chr(b) if 32 <= b < 127 and chr(b) not in "()\\" else f"\\{b:03o}" for b in range(256)]
_LITERAL[ord("(")] = "\\("
_LITERAL[ord(")")] = "\\)"
_LITERAL[ord("\\")] = "\\\\"


@lru_cache(maxsize=16384)
def _literal(text: str) -> str:
    """WinAnsi (cp1252) bytes of ``text`` as a PDF literal string body."""
    return "".join([_LITERAL[byte] for byte in text.encode("cp1252")])


@lru_cache(maxsize=16384)
def _width(text: str, font: str, size: float) -> float:
    # Form captions repeat on every page; measuring them once per process is enough.
    return float(stringWidth(text, font, size))


def _draw_barcode(canvas: Canvas, op: Barcode, height: float) -> None:
    # Bars go straight into the content stream as "re" operators: a barcode is ~60 rectangles
    # and reportlab's path objects format every coordinate in Python, the largest PDF cost.
    module = op.module_width
    left = op.center_x - code128_module_count(op.data) * module / 2
    bottom = height - op.top - op.height
    bars = " ".join(
        f"{left + offset * module:.3f} {bottom:.3f} {modules * module:.3f} {op.height:.3f} re"
        for offset, modules in code128_bars(op.data)
    )
    canvas.addLiteral(f"0 g {bars} f")
