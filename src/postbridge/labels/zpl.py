"""ZPL II labels for 4x6 in thermal printers at 203 dpi (812 × 1218 dots), ``^XA … ^XZ`` each.

Built from string pieces (no per-label objects) so a batch renders at tens of thousands per
second. Barcodes name their Code 128 subset explicitly (``>;`` start C with ``>8`` FNC1 for
a GS1-128 partner barcode such as the IMpb, ``>:`` start B for the S10), so the symbol width is known for centring.

Latin text uses the built-in scalable font 0. Non-Latin text (a Chinese sender name) is sent
as a bitmap by default, or with ``cjk_font`` as ``^A@`` with a printer-resident Unicode font
(e.g. ``E:ANMDS.TTF``, Zebra's Andale Mono simplified Chinese, if the printer has it).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from postbridge.labels.code128 import FNC1, QUIET_ZONE_MODULES, gs1_128_data
from postbridge.labels.fonts import is_cp1252
from postbridge.labels.model import (
    CustomsCategory,
    CustomsFormType,
    CustomsItem,
    LabelData,
    PartnerBarcode,
    Party,
    keep_last_line,
)
from postbridge.labels.printed import (
    CATEGORY_ORDER,
    CERTIFICATION,
    PRINTED_CATEGORY,
    category_text,
    header_details,
    item_cells,
    partner_line,
    signature_text,
    totals_text,
)
from postbridge.labels.zpl_graphics import text_graphic

DOTS_WIDE = 812
DOTS_HIGH = 1218
LEFT = 22
CONTENT = DOTS_WIDE - 2 * LEFT
CHAR_WIDTH_RATIO = 0.47  # font 0 advance per dot of height, a safe upper bound for truncation
_ESCAPES = str.maketrans({"^": "_5E", "~": "_7E", "_": "_5F"})
_TABLE_X = (0, 0.43, 0.50, 0.62, 0.79, 0.91)
_TABLE_HEADERS = ("Description", "Qty", "Net kg", "Value", "HS code", "Origin")


def render_zpl(labels: Sequence[LabelData], *, cjk_font: str | None = None) -> str:
    """One ``^XA … ^XZ`` block per label, UTF-8 (``^CI28``), 4x6 in at 203 dpi.

    ``cjk_font``: a printer font path (e.g. ``E:ANMDS.TTF``) for non-Latin text; ``None``
    sends such text as a bitmap (``^GFA``), which every printer can print.
    """
    return "".join([_label(label, cjk_font) for label in labels])


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


def _text(x: int, baseline: int, height: int, text: str, width: int, cjk_font: str | None) -> str:
    if not text:
        return ""
    limit = int(width / (height * CHAR_WIDTH_RATIO))
    if len(text) > limit:
        text = text[: max(1, limit - 3)].rstrip() + "..."
    if text.isascii() or is_cp1252(text):
        return f"^FT{x},{baseline}^A0N,{height}{_field(text)}"
    if cjk_font is not None:
        return f"^FT{x},{baseline}^A@N,{height},{height},{cjk_font}{_field(text)}"
    graphic, top_offset, _ = text_graphic(text, height)
    return f"^FO{x},{baseline + top_offset}{graphic}^FS"


def _block(x: int, top: int, height: int, text: str, width: int, justify: str, *,
           reverse: bool = False) -> str:  # fmt: skip
    limit = int(width / (height * CHAR_WIDTH_RATIO))
    if len(text) > limit:
        text = text[: max(1, limit - 3)].rstrip() + "..."
    invert = "^FR" if reverse else ""
    return f"^FO{x},{top}^FB{width},1,0,{justify}^A0N,{height}{invert}{_field(text)}"


def _field(text: str) -> str:
    if "^" in text or "~" in text or "_" in text:
        return f"^FH_^FD{text.translate(_ESCAPES)}^FS"
    return f"^FD{text}^FS"


def _barcode(top: int, height: int, data: str) -> str:
    field, modules = zpl_code128_field(data)
    module = 3 if (modules + 2 * QUIET_ZONE_MODULES) * 3 <= DOTS_WIDE else 2
    x = (DOTS_WIDE - modules * module) // 2
    return f"^FO{x},{top}^BY{module}^BCN,{height},N,N,N^FD{field}^FS"


# Blocks that repeat across a merchant's batch (same product, sender, items) are cached by value.
@lru_cache(maxsize=1024)
def _header_block(
    product: str, partner: str, sort_code: str, office: str, cjk_font: str | None
) -> str:
    return "".join(
        (
            _text(LEFT, 56, 34, product, 480, cjk_font),
            _text(LEFT, 88, 24, partner, 480, cjk_font),
            "^FO512,22^GB278,108,108^FS",
            _block(512, 36, 60, sort_code, 278, "C", reverse=True),
            _block(512, 98, 26, office, 278, "C", reverse=True),
            "^FO22,140^GB768,3,3^FS^FT22,172^A0N,18^FDFROM^FS",
            "^FT420,172^A0N,18^FDRETURN IF UNDELIVERABLE^FS^FO410,152^GB2,148,2^FS",
            "^FO22,305^GB768,214,4^FS^FT34,338^A0N,24^FDTO^FS",
        )
    )


@lru_cache(maxsize=1024)
def _parties_block(sender: Party, returns_to: Party, cjk_font: str | None) -> str:
    out: list[str] = []
    for x, party in ((LEFT, sender), (420, returns_to)):
        for index, line in enumerate(party.printed_lines(5)):
            out.append(_text(x, 196 + index * 24, 21, line, 370, cjk_font))
    return "".join(out)


def _label(label: LabelData, cjk_font: str | None) -> str:
    out = [
        "^XA^CI28^PW812^LL1218^LH0,0",
        _header_block(
            label.product_name,
            partner_line(label),
            label.sort_code,
            label.office_of_exchange,
            cjk_font,
        ),  # fmt: skip
        _text(LEFT, 116, 24, header_details(label), 480, cjk_font),
        _parties_block(label.sender, label.returns_to, cjk_font),
    ]
    recipient = keep_last_line(label.recipient_lines, 6)
    for index, line in enumerate(recipient):
        out.append(_text(84, 340 + index * 33, 32 if index == 0 else 28, line, 690, cjk_font))
    if label.recipient_phone:
        phone = f"Tel {label.recipient_phone}"
        out.append(_text(84, 340 + len(recipient) * 33, 24, phone, 690, cjk_font))
    y = 527
    if label.partner_barcode is not None:
        out.append(_partner_block(label.partner_barcode, y))
        y += 240
    # An S10 is 13 characters of subset B: (13 + 2) × 11 + 13 = 178 modules, 534 dots at 3.
    out.append(
        f"^FO139,{y + 10}^BY3^BCN,100,N,N,N^FD>:{label.s10.text}^FS"  # 100 dots = 12.5 mm
        f"^FO22,{y + 114}^FB768,1,0,C^A0N,34^FD{label.s10.spaced}^FS^FO22,{y + 150}^GB768,3,3^FS"
    )
    y += 154
    customs = label.customs
    if customs.form_type is CustomsFormType.CN22:
        table, y = _cn22_table(customs.category, customs.items, y, cjk_font)
        out.append(table)
        out.append(_text(LEFT, y + 24, 21, totals_text(label), CONTENT, cjk_font))
        out.append(f"^FO22,{y + 30}^FB768,3,0,L^A0N,14^FD{CERTIFICATION}^FS")
        out.append(_text(LEFT, y + 86, 22, signature_text(label), CONTENT, cjk_font))
    else:
        pointer = f"Category: {category_text(label)}   Items: {len(customs.items)}"
        out.append(_text(LEFT, y + 34, 26, "CUSTOMS DECLARATION CN 23 ATTACHED", CONTENT, None))
        out.append(_text(LEFT, y + 64, 21, pointer, CONTENT, cjk_font))
        out.append(_text(LEFT, y + 92, 21, totals_text(label), CONTENT, cjk_font))
    out.append("^XZ\n")
    return "".join(out)


def _partner_block(block: PartnerBarcode, y: int) -> str:
    """Banner, GS1-128 symbol (152 dots = 0.75 in, the IMpb minimum) and number: 240 dots."""
    return (
        f"^FO22,{y}^GB768,6,6^FS^FO22,{y + 10}^FB768,1,0,C^A0N,28{_field(block.banner)}"
        f"{_barcode(y + 40, 152, gs1_128_data(block.gs1_fields))}"
        f"^FO22,{y + 198}^FB768,1,0,C^A0N,30{_field(block.human_readable)}"
        f"^FO22,{y + 232}^GB768,6,6^FS"
    )


@lru_cache(maxsize=1024)
def _cn22_table(
    category: CustomsCategory, items: tuple[CustomsItem, ...], top: int, cjk_font: str | None
) -> tuple[str, int]:
    """CN22 title, category boxes and item table; returns the ZPL and the y below it."""
    out = [
        _text(LEFT, top + 26, 24, "CUSTOMS DECLARATION  CN 22", 500, None),
        _block(LEFT, top + 8, 18, "May be opened officially", CONTENT, "R"),
    ]
    y = top + 36
    for index, box_category in enumerate(CATEGORY_ORDER):
        x = LEFT + (index % 3) * 256
        box_top = y + (index // 3) * 22
        out.append(f"^FO{x},{box_top}^GB16,16,2^FS")
        if box_category is category:
            out.append(f"^FO{x},{box_top}^GD16,16,3,B,L^FS^FO{x},{box_top}^GD16,16,3,B,R^FS")
        out.append(f"^FT{x + 24},{box_top + 16}^A0N,19^FD{PRINTED_CATEGORY[box_category]}^FS")
    y += 46
    if category is CustomsCategory.DOCUMENTS:
        out.append(_text(LEFT, y + 20, 19, "Contents: documents (no item list)", CONTENT, None))
        return "".join(out), y + 26
    rows = max(1, (DOTS_HIGH - 8 - 92 - 6 - (y + 22)) // 21)
    shown = items if len(items) <= rows else items[: rows - 1]
    starts = [LEFT + int(share * CONTENT) for share in _TABLE_X]
    widths = [b - a - 6 for a, b in zip(starts, [*starts[1:], LEFT + CONTENT], strict=True)]
    for header, x, width in zip(_TABLE_HEADERS, starts, widths, strict=True):
        out.append(_text(x, y + 18, 17, header, width, None))
    out.append(f"^FO22,{y + 22}^GB768,2,2^FS")
    y += 22
    for item in shown:
        y += 21
        for cell, x, width in zip(item_cells(item), starts, widths, strict=True):
            out.append(_text(x, y, 18, cell, width, cjk_font))
    if len(shown) < len(items):
        y += 21
        out.append(_text(LEFT, y, 18, f"+ {len(items) - len(shown)} more item(s)", CONTENT, None))
    out.append(f"^FO22,{y + 5}^GB768,2,2^FS")
    return "".join(out), y + 6
