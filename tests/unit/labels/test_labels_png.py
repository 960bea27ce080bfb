from __future__ import annotations

import io

import zxingcpp
from PIL import Image
from tests.document_builders import impb_of

from postbridge.carriers.usps.samples import usps_sample_label as sample_label
from postbridge.identifiers import parse_impb_barcode, parse_s10
from postbridge.labels import render_png
from postbridge.labels.png import render_image


def decode(png: bytes) -> list[zxingcpp.Result]:
    return zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))


def test_png_is_4x6_inches_at_the_requested_dpi() -> None:
    label = sample_label()

    at_203 = Image.open(io.BytesIO(render_png(label)))
    at_300 = Image.open(io.BytesIO(render_png(label, dpi=300)))

    assert (at_203.format, at_203.size) == ("PNG", (812, 1218))
    assert at_300.size == (1200, 1800)


def test_both_barcodes_decode_to_the_inputs() -> None:
    label = sample_label(serial=12_345_678)
    assert label.partner_barcode is not None

    texts = sorted(r.text for r in decode(render_png(label)))

    assert texts == sorted([label.s10.text, impb_of(label).element_string])
    decoded_impb = parse_impb_barcode(next(t for t in texts if t.startswith("(420)")))
    assert decoded_impb == impb_of(label)
    assert parse_s10(next(t for t in texts if not t.startswith("("))) == label.s10


def test_barcodes_decode_at_300_dpi_too() -> None:
    label = sample_label(serial=99_999_999)

    texts = {r.text for r in decode(render_png(label, dpi=300))}

    assert label.s10.text in texts
    assert len(texts) == 2


def test_without_impb_only_the_s10_barcode_is_printed() -> None:
    label = sample_label(with_impb=False, serial=4)

    results = decode(render_png(label))

    assert [r.text for r in results] == ["LX000000045CN"]
    assert results[0].symbology_identifier == "]C0"


def test_chinese_sender_block_is_inked() -> None:
    image = render_image(sample_label())
    # The company line 深圳市华强北电子有限公司 sits in the FROM column, second line.
    region = image.crop((22, 195, 390, 215))

    dark = region.histogram()[:128]
    dark = sum(dark)
    assert dark > 300
