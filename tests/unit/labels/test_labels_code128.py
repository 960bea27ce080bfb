from __future__ import annotations

import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from postbridge.labels.code128 import (
    CODE_B,
    CODE_C,
    FNC1,
    FNC1_VALUE,
    PATTERNS,
    START_B,
    START_C,
    STOP,
    Code128Error,
    code128_bars,
    code128_module_count,
    code128_widths,
    encode_code128,
    gs1_128_data,
)


def draw_symbol(data: str, module_px: int = 2, height: int = 60) -> Image.Image:
    modules = code128_module_count(data)
    image = Image.new("L", ((modules + 20) * module_px, height + 20), 255)
    draw = ImageDraw.Draw(image)
    for offset, width in code128_bars(data):
        x = (10 + offset) * module_px
        draw.rectangle((x, 10, x + width * module_px - 1, 10 + height), fill=0)
    return image


def test_pattern_table_shape() -> None:
    assert len(PATTERNS) == 107
    assert len(set(PATTERNS)) == 107
    assert all(sum(map(int, p)) == 11 for p in PATTERNS[:106])
    assert sum(map(int, PATTERNS[STOP])) == 13


def test_s10_uses_set_c_for_the_digit_run() -> None:
    values = encode_code128("RR473124829GB")

    # R R 4 | C: 73 12 48 29 | B: G B  — the odd leading digit stays in set B.
    assert values == (START_B, 50, 50, 20, CODE_C, 73, 12, 48, 29, CODE_B, 39, 34, 83, STOP)
    checksum = (START_B + sum(i * v for i, v in enumerate(values[1:-2], 1))) % 103
    assert values[-2] == checksum


def test_gs1_data_starts_in_set_c_with_fnc1() -> None:
    data = gs1_128_data(["42012345", "9400111201080805483016"])
    values = encode_code128(data)

    assert data == f"{FNC1}42012345{FNC1}9400111201080805483016"
    assert values[:3] == (START_C, FNC1_VALUE, 42)
    assert values.count(FNC1_VALUE) == 2
    assert CODE_B not in values[1:-2]


def test_widths_and_bars_agree() -> None:
    widths = code128_widths("AB12")
    bars = code128_bars("AB12")

    assert sum(int(w) for w in widths) == code128_module_count("AB12")
    assert len(bars) == (len(widths) + 1) // 2
    assert bars[0] == (0, int(widths[0]))


def test_refuses_empty_and_non_ascii() -> None:
    with pytest.raises(Code128Error):
        encode_code128("")
    with pytest.raises(Code128Error, match="outside Code 128 set B"):
        encode_code128("São")


def test_gs1_symbol_decodes_as_gs1() -> None:
    data = gs1_128_data(["42010118", "9274890123456700475144"])
    results = zxingcpp.read_barcodes(draw_symbol(data))

    assert [r.text for r in results] == ["(420)10118(92)74890123456700475144"]
    assert results[0].symbology_identifier == "]C1"


printable = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=24
)


@settings(max_examples=60, deadline=None)
@given(printable | st.from_regex(r"\A[0-9]{1,20}[A-Z]{0,3}[0-9]{0,9}\Z"))
def test_any_printable_text_decodes_back(text: str) -> None:
    results = zxingcpp.read_barcodes(draw_symbol(text), formats=zxingcpp.BarcodeFormat.Code128)

    assert [r.text for r in results] == [text]
