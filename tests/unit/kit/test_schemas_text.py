"""Text fields of API models refuse what a database cannot store (kit.schemas, kit.text)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from postbridge.kit.schemas import FreeText, Line, StrictModel
from postbridge.kit.text import control_character, printable, storable


class Sample(StrictModel):
    line: Line = ""
    free: FreeText = ""
    plain: str = ""  # declared neither way: the model-wide check still refuses NUL
    lines: list[Line] = []
    plains: list[str] = []


def errors(**fields: object) -> list[tuple[tuple[str | int, ...], str, str]]:
    with pytest.raises(ValidationError) as caught:
        Sample.model_validate(fields)
    return [(tuple(e["loc"]), e["type"], e["msg"]) for e in caught.value.errors()]


def test_each_kind_of_field_names_itself() -> None:
    nul = "must not contain control characters (U+0000 at position 1)"
    assert errors(line="a\x00") == [(("line",), "control_character", nul)]
    assert errors(free="a\x00") == [(("free",), "control_character", nul)]
    assert errors(plain="a\x00") == [(("plain",), "control_character", nul)]
    assert errors(lines=["ok", "a\x00"]) == [(("lines", 1), "control_character", nul)]
    assert errors(plains=["ok", "a\x00"]) == [(("plains",), "control_character", f"item 1: {nul}")]


def test_line_breaks_are_free_text_only() -> None:
    assert errors(line="a\nb") == [
        (
            ("line",),
            "control_character",
            "must not contain control characters (U+000A at position 1)",
        )
    ]
    sample = Sample(free="a\nb\tc\r\nd", plain="x\ny")
    assert (sample.free, sample.plain) == ("a\nb\tc\r\nd", "x\ny")


@given(st.text())
def test_storable_is_exactly_no_control_character(text: str) -> None:
    expected = not any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text)
    assert storable(text) is expected
    assert (control_character(text) is None) is expected
    if not expected:
        position = control_character(text)
        assert position is not None
        assert ord(text[position]) < 0x20 or text[position] == "\x7f"
        assert storable(text[:position])
    assert storable(printable(text))
    assert len(printable(text)) == len(text)
