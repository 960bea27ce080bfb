from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from PIL import ImageFont

from postbridge.errors import InvalidInput
from postbridge.identifiers import InvalidS10
from postbridge.labels import fonts, format_recipient_lines
from postbridge.labels.drawing import fit_text
from postbridge.labels.fonts import (
    PDF_LATIN,
    PDF_LATIN_BOLD,
    latin_fallback,
    pdf_font_for,
    png_font_for,
    unicode_font_path,
)
from postbridge.labels.model import keep_last_line
from postbridge.labels.samples import SAMPLE_SENDER, sample_label


def test_label_validates_its_s10_and_weight() -> None:
    label = sample_label()

    assert label.s10.text == "LX100475145CN"
    with pytest.raises(InvalidS10):
        replace(label, tracking_number="LX100475146CN")
    with pytest.raises(ValueError, match="positive grams"):
        replace(label, weight_g=0)


def test_return_address_defaults_to_the_sender() -> None:
    label = replace(sample_label(), return_address=None)

    assert label.returns_to is SAMPLE_SENDER


def test_party_lines_include_company_and_phone() -> None:
    assert SAMPLE_SENDER.printed_lines() == (
        "李伟 Li Wei",
        "深圳市华强北电子有限公司",
        "华强北路1002号 赛格广场 21楼",
        "Futian, Shenzhen 518031",
        "CHINA",
        "Tel +86 755 8321 0000",
    )


def test_short_space_drops_phone_then_middle_lines_but_keeps_the_country() -> None:
    assert SAMPLE_SENDER.printed_lines(5) == (
        "李伟 Li Wei",
        "深圳市华强北电子有限公司",
        "华强北路1002号 赛格广场 21楼",
        "Futian, Shenzhen 518031",
        "CHINA",
    )
    assert SAMPLE_SENDER.printed_lines(3) == ("李伟 Li Wei", "深圳市华强北电子有限公司", "CHINA")
    assert keep_last_line(("a", "b", "c", "d"), 3) == ("a", "b", "d")
    assert keep_last_line(("a", "b"), 3) == ("a", "b")


def test_us_recipient_lines() -> None:
    lines = format_recipient_lines(
        country_code="us",
        name="Jane Doe",
        street_address="350 5th Ave",
        city="New York",
        country_area="NY",
        postal_code="10118",
    )

    assert lines == ("Jane Doe", "350 5th Ave", "NEW YORK, NY 10118", "UNITED STATES")


def test_script_decides_the_chinese_address_order() -> None:
    local = format_recipient_lines(
        country_code="CN",
        name="王小明",
        street_address="南山区科技园路1号",
        city="深圳市",
        country_area="广东省",
        postal_code="518057",
    )
    latin = format_recipient_lines(
        country_code="CN",
        name="Wang Xiaoming",
        street_address="1 Keji Rd, Nanshan",
        city="Shenzhen",
        country_area="Guangdong Sheng",
        postal_code="518057",
    )

    assert local == ("518057", "广东省深圳市", "南山区科技园路1号", "王小明", "CHINA")
    assert latin == (
        "Wang Xiaoming",
        "1 Keji Rd, Nanshan",
        "Shenzhen",
        "GUANGDONG SHENG, 518057",
        "CHINA",
    )


def test_brazil_format_keeps_accents_and_neighbourhood() -> None:
    lines = format_recipient_lines(
        country_code="BR",
        name="João Silva",
        street_address="Rua Augusta, 1500",
        city_area="Consolação",
        city="São Paulo",
        country_area="SP",
        postal_code="01304-001",
    )

    assert lines == (
        "João Silva",
        "Rua Augusta, 1500",
        "Consolação",
        "SÃO PAULO-SP",
        "01304-001",
        "BRAZIL",
    )


def test_unknown_country_is_invalid_input() -> None:
    with pytest.raises(InvalidInput) as caught:
        format_recipient_lines(country_code="ZZ", name="X", street_address="1 Road")

    assert caught.value.problems[0].field == "recipient.country_code"


def test_fit_text_shrinks_then_truncates() -> None:
    def width(text: str, size: float) -> float:
        return len(text) * size * 0.5

    assert fit_text("abcd", 10, 100, width) == ("abcd", 10)
    assert fit_text("abcdefghij", 10, 40, width) == ("abcdefghij", 8.0)
    text, size = fit_text("abcdefghijklmnopqrst", 10, 40, width)
    assert (text, size) == ("abcdefghij…", 7.0)
    assert width(text, size) <= 40


def test_pdf_fonts_keep_latin1_in_helvetica() -> None:
    assert pdf_font_for("São Paulo", bold=False) == PDF_LATIN
    assert pdf_font_for("Łódź", bold=True) not in (PDF_LATIN, PDF_LATIN_BOLD)
    assert pdf_font_for("深圳", bold=True) not in (PDF_LATIN, PDF_LATIN_BOLD)


def test_latin_fallback_strips_accents_and_marks_other_scripts() -> None:
    assert latin_fallback("深圳 Łódź Straße") == "?? Lodz Straße"


@pytest.mark.skipif(unicode_font_path() is None, reason="no CJK font installed")
def test_png_cjk_text_gets_real_glyphs_not_boxes() -> None:
    font, printable = png_font_for("深", size_px=40, bold=False)
    assert isinstance(font, ImageFont.FreeTypeFont)
    assert printable == "深"

    glyph = font.getmask("深")
    missing = font.getmask("\ue000")  # private use: drawn as the "missing glyph" box
    assert bytes(glyph) != bytes(missing)


@pytest.fixture
def no_unicode_font_file(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(fonts, "UNICODE_FONT_CANDIDATES", ())
    monkeypatch.delenv("POSTBRIDGE_LABEL_FONT", raising=False)
    fonts.unicode_font_path.cache_clear()
    fonts.pdf_unicode_font.cache_clear()
    yield
    fonts.unicode_font_path.cache_clear()
    fonts.pdf_unicode_font.cache_clear()


@pytest.mark.usefixtures("no_unicode_font_file")
def test_without_a_font_file_pdf_uses_the_cid_font_and_png_falls_back() -> None:
    assert fonts.pdf_font_for("深圳", bold=False) == fonts.PDF_CID_FALLBACK
    _font, printable = fonts.png_font_for("李伟 Li Wei", size_px=20, bold=False)
    assert printable == "?? Li Wei"
