from __future__ import annotations

import io
from dataclasses import replace

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image

from postbridge.carriers.usps import impb_label_barcode
from postbridge.carriers.usps.samples import usps_sample_label as sample_label
from postbridge.identifiers import build_impb_barcode, build_impb_tracking_number
from postbridge.labels import (
    CustomsCategory,
    CustomsFormType,
    LabelData,
    Party,
    render_pdf,
    render_png,
    render_zpl,
)
from postbridge.labels.drawing import Align, Barcode, Box, Rule, Text
from postbridge.labels.label_layout import layout_label
from postbridge.labels.model import Incoterm
from postbridge.labels.samples import SAMPLE_ITEMS

LONGEST_IMPB = build_impb_barcode(
    "10118-1234",
    build_impb_tracking_number(
        service_type_code="748", mailer_id="901234567", serial=12_345_678_901, long_form=True
    ),
)


def crowded_label() -> LabelData:
    label = sample_label(items=tuple(SAMPLE_ITEMS[i % 3] for i in range(9)))
    return replace(
        label,
        product_name="Postbridge Economy Tracked Small Packet with Signature Confirmation Plus",
        sender=Party(
            name="A very long sender name that keeps going well past any column width",
            company="深圳市华强北电子有限公司深圳市华强北电子有限公司深圳市华强北电子有限公司",
            lines=tuple(f"Line {n} of a sender address that is long" for n in range(8)),
        ),
        recipient_lines=tuple(f"Recipient line {n} " + "x" * 60 for n in range(9)),
        sort_code="VERY-LONG-SORT-CODE",
        partner_barcode=impb_label_barcode(
            LONGEST_IMPB.tracking_number.digits, postal_code="10118-1234"
        ),
    )


@pytest.mark.parametrize(("width", "height"), [(288.0, 432.0), (297.6, 419.5)])
def test_crowded_label_stays_on_the_page(width: float, height: float) -> None:
    ops = layout_label(crowded_label(), width, height)

    for op in ops:
        if isinstance(op, Text):
            left = {
                Align.LEFT: op.x,
                Align.CENTER: op.x - op.max_width / 2,
                Align.RIGHT: op.x - op.max_width,
            }[op.align]
            assert left >= 0
            assert left + op.max_width <= width + 0.01
            assert 0 < op.baseline <= height, op.text
        elif isinstance(op, Box):
            assert op.y + op.height <= height
        elif isinstance(op, Rule):
            assert max(op.y1, op.y2) <= height
        elif isinstance(op, Barcode):
            assert op.top + op.height <= height


def test_longest_impb_fits_and_decodes_in_png_and_pdf() -> None:
    barcode = impb_label_barcode(LONGEST_IMPB.tracking_number.digits, postal_code="10118-1234")
    label = replace(sample_label(), partner_barcode=barcode)
    expected = sorted([label.s10.text, LONGEST_IMPB.element_string])
    assert len(LONGEST_IMPB.data) == 38

    png = Image.open(io.BytesIO(render_png(label)))
    assert sorted(r.text for r in zxingcpp.read_barcodes(png)) == expected
    page = pdfium.PdfDocument(render_pdf([label]))[0]
    rendered = page.render(scale=203 / 72).to_pil()
    assert sorted(r.text for r in zxingcpp.read_barcodes(rendered)) == expected


def test_crowded_label_renders_in_every_format() -> None:
    label = crowded_label()

    png = Image.open(io.BytesIO(render_png(label)))
    pdf = render_pdf([label])
    zpl = render_zpl([label])

    assert len(zxingcpp.read_barcodes(png)) == 2
    text = pdfium.PdfDocument(pdf)[0].get_textpage().get_text_range()
    # Nothing is dropped: every recipient and sender line prints (in smaller type), and the nine
    # items that no longer fit a CN22 go on the CN23 that follows the label.
    assert all(f"Recipient line {n}" in text for n in range(9))
    assert all(f"Line {n} of a sender address" in text for n in range(8))
    assert "more item(s)" not in text
    assert "CN 23 ATTACHED" in text
    assert zpl.count("^XZ") == 3  # the label, its CN23 and a continuation sheet
    assert "^BY2" in zpl  # the 38-digit IMpb needs the narrower module to fit 4 in


def test_cn23_with_documents_has_customs_page_without_table() -> None:
    label = sample_label(form_type=CustomsFormType.CN23, category=CustomsCategory.DOCUMENTS)
    pages = pdfium.PdfDocument(render_pdf([label]))

    assert len(pages) == 2
    customs = pages[1].get_textpage().get_text_range()
    assert "no item list" in customs
    assert "Qty (2)" not in customs


def test_a_ddp_label_boxes_ddp_beside_the_product_name_in_every_format() -> None:
    ddu = sample_label()
    ddp = replace(ddu, incoterm=Incoterm.DDP)

    header = layout_label(ddp, 288.0, 432.0)[:4]

    assert header[:3] == [
        Text(8.0, 19.0, 11.5, "Postbridge Standard · ePacket", 132.0, bold=True),
        Box(144.0, 9.0, 26.0, 13, 1.2),
        Text(157.0, 19.0, 9, "DDP", 22.0, True, Align.CENTER),
    ]
    assert header[3] == Text(8.0, 31.0, 8, "Last mile: USPS  ·  to US", 162.0)
    assert layout_label(ddu, 288.0, 432.0)[0].max_width == 162.0  # type: ignore[union-attr]
    assert "DDP" not in [op.text for op in layout_label(ddu, 288.0, 432.0) if type(op) is Text]
    assert "^FO406,25^GB73,37,3^FS^FO412,35^FB62,1,0,C^A0N,25^FDDDP^FS" in render_zpl([ddp])
    assert "^FDDDP^FS" not in render_zpl([ddu])
    ddp_pdf = pdfium.PdfDocument(render_pdf([ddp]))[0].get_textpage().get_text_range()
    ddu_pdf = pdfium.PdfDocument(render_pdf([ddu]))[0].get_textpage().get_text_range()
    assert ddp_pdf.splitlines()[0] == "Postbridge Standard · ePacket DDP"
    assert ddu_pdf.splitlines()[0] == "Postbridge Standard · ePacket"
