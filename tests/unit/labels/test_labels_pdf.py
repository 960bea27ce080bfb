from __future__ import annotations

from dataclasses import replace

import pypdfium2 as pdfium
import pytest
import zxingcpp
from tests.document_builders import impb_of

from postbridge.carriers.usps.samples import usps_sample_label as sample_label
from postbridge.identifiers import parse_impb_barcode, parse_s10
from postbridge.labels import CustomsCategory, CustomsFormType, Party, render_pdf
from postbridge.labels.samples import SAMPLE_ITEMS


def pages_text(pdf: bytes) -> list[str]:
    document = pdfium.PdfDocument(pdf)
    return [page.get_textpage().get_text_range() for page in document]


def decode_page(pdf: bytes, index: int) -> list[str]:
    page = pdfium.PdfDocument(pdf)[index]
    image = page.render(scale=203 / 72).to_pil()
    return sorted(result.text for result in zxingcpp.read_barcodes(image))


def test_cn22_label_is_one_page_with_both_barcodes() -> None:
    label = sample_label(serial=31_415_926)
    assert label.partner_barcode is not None

    pdf = render_pdf([label])

    assert pdf.startswith(b"%PDF-")
    assert len(pdfium.PdfDocument(pdf)) == 1
    decoded = decode_page(pdf, 0)
    assert decoded == sorted([label.s10.text, impb_of(label).element_string])
    assert parse_impb_barcode(decoded[0]).tracking_number == impb_of(label).tracking_number
    assert parse_s10(decoded[1]).check_digit == label.s10.check_digit


def test_label_text_carries_addresses_customs_and_chinese_sender() -> None:
    text = pages_text(render_pdf([sample_label()]))[0]

    for expected in (
        "深圳市华强北电子有限公司",
        "NEW YORK, NY 10118",
        "USPS TRACKING #",
        "9274 8901 2345 6700 4751 44",
        "LX 100 475 145 CN",
        "CUSTOMS DECLARATION CN 22",  # pdfium folds double spaces
        "Bluetooth earphones",
        "851762",
        "Total value 28.00 USD",
        "Signature: Li Wei",
        "JFK-07",
        "USJFKA",
    ):
        assert expected in text, expected


def test_cn23_label_adds_the_customs_page() -> None:
    pdf = render_pdf([sample_label(form_type=CustomsFormType.CN23)])

    label_page, customs_page = pages_text(pdf)
    assert "CN 23 ATTACHED" in label_page
    assert "Bluetooth earphones" not in label_page
    assert "CN 23" in customs_page
    for item in SAMPLE_ITEMS:
        assert item.description in customs_page
        assert item.hs_code is not None
        assert item.hs_code in customs_page
    assert "Invoice (14) INV-2026-118204" in customs_page
    assert decode_page(pdf, 1) == ["LX100475145CN"]


def test_many_cn23_items_continue_on_another_page() -> None:
    items = tuple(SAMPLE_ITEMS[i % 3] for i in range(40))
    pdf = render_pdf([sample_label(form_type=CustomsFormType.CN23, items=items)])

    texts = pages_text(pdf)
    assert len(texts) == 3
    assert "Continuation sheet 2 of 2" in texts[2]
    listed = sum(text.count("USB-C charging cable") for text in texts[1:])
    assert listed == sum(1 for item in items if item.description.startswith("USB-C"))
    assert "40. Bluetooth earphones" in texts[2]
    assert "continued on 1 continuation sheet(s)" in texts[1]
    assert "more item(s)" not in "".join(texts)


def test_documents_only_labels_have_no_item_table() -> None:
    for form_type in (CustomsFormType.CN22, CustomsFormType.CN23):
        pdf = render_pdf([sample_label(form_type=form_type, category=CustomsCategory.DOCUMENTS)])
        joined = "\n".join(pages_text(pdf))
        assert "no item list" in joined
        assert "Description" not in joined
        assert "HS" not in joined


def test_batch_merges_pages_in_order() -> None:
    labels = [
        sample_label(serial=1),
        sample_label(serial=2, form_type=CustomsFormType.CN23),
        sample_label(serial=3, with_impb=False),
    ]

    pdf = render_pdf(labels)

    texts = pages_text(pdf)
    assert len(texts) == 4
    assert labels[0].s10.spaced in texts[0]
    assert labels[1].s10.spaced in texts[1]
    assert "CN 23" in texts[2]
    assert labels[2].s10.spaced in texts[3]
    assert "USPS TRACKING #" not in texts[3]
    assert decode_page(pdf, 3) == [labels[2].s10.text]


@pytest.mark.parametrize(("size", "points"), [("4x6", (288.0, 432.0)), ("A6", (297.6, 419.5))])
def test_page_sizes(size: str, points: tuple[float, float]) -> None:
    pdf = render_pdf([sample_label()], page_size=size)  # type: ignore[arg-type]

    width, height = pdfium.PdfDocument(pdf)[0].get_size()
    assert (round(width, 1), round(height, 1)) == points
    assert len(decode_page(pdf, 0)) == 2


def test_same_input_gives_the_same_bytes() -> None:
    assert render_pdf([sample_label()]) == render_pdf([sample_label()])


def test_empty_batch_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one label"):
        render_pdf([])


def test_pdf_string_delimiters_and_accents_survive() -> None:
    sender = Party(name="Smith (Asia) Ltd \\ Depot", lines=("Ação 5, São Paulo", "BRAZIL"))

    text = pages_text(render_pdf([replace(sample_label(), sender=sender)]))[0]

    assert "Smith (Asia) Ltd \\ Depot" in text
    assert "Ação 5, São Paulo" in text
