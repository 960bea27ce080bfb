from __future__ import annotations

import sys
from pathlib import Path

import pytest
from tests.labels_longest import draws_glyph

from postbridge.labels import fonts


def test_the_font_bootstrap_unpacks_is_looked_up_first() -> None:
    bundled = Path(sys.prefix) / "var" / "fonts" / "wqy-microhei.ttc"

    assert bundled == fonts.BUNDLED_FONT
    assert fonts.UNICODE_FONT_CANDIDATES[0] == str(bundled)
    bootstrap = Path(__file__).resolve().parents[3] / "scripts" / "bootstrap.sh"
    assert "fonts-wqy-microhei" in bootstrap.read_text(encoding="utf-8")


def test_with_the_bundled_font_cjk_text_needs_no_system_font(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if not fonts.BUNDLED_FONT.is_file():
        pytest.skip("scripts/bootstrap.sh did not fetch the CJK font (no network at install)")
    monkeypatch.delenv("POSTBRIDGE_LABEL_FONT", raising=False)
    monkeypatch.setattr(fonts, "UNICODE_FONT_CANDIDATES", (str(fonts.BUNDLED_FONT),))
    fonts.unicode_font_path.cache_clear()
    try:
        assert fonts.unicode_font_path() == fonts.BUNDLED_FONT
        font, printable = fonts.png_font_for("深圳市华强北", size_px=24, bold=False)
        assert printable == "深圳市华强北"
        assert all(draws_glyph(font, char) for char in printable)
        latin, _ = fonts.png_font_for("ab", size_px=24, bold=False)
        assert not draws_glyph(latin, "深")  # the check itself tells tofu from a glyph
    finally:
        fonts.unicode_font_path.cache_clear()


def test_latin_png_text_falls_back_to_reportlabs_vera() -> None:
    vera = Path(fonts._REPORTLAB_FONTS) / "Vera.ttf"

    assert vera.is_file()
    assert fonts.LATIN_FONT_CANDIDATES[False][-1] == str(vera)
