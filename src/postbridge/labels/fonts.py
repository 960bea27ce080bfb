"""Fonts for labels: Latin text in the fast built-in faces, everything else in a CJK-capable one.

Chinese sender names (深圳市…) must print. Lookup order for a Unicode font file:
``POSTBRIDGE_LABEL_FONT`` (a .ttf/.ttc path), then the copy of WenQuanYi Micro Hei that
``scripts/bootstrap.sh`` unpacks into ``.venv/var/fonts/`` (from Debian's ``fonts-wqy-microhei``,
without root), then the system's ``fonts-wqy-microhei``, ``fonts-wqy-zenhei``, ``fonts-noto-cjk``.
Latin PNG text uses DejaVu Sans, or reportlab's bundled Bitstream Vera (DejaVu's parent, same
metrics) where DejaVu is not installed.

* PDF: Latin-1/cp1252 text uses Helvetica (no embedding, fastest); other text uses the Unicode
  font embedded as a subset, or — when no file is found — reportlab's Adobe CID font
  ``STSong-Light`` (not embedded: viewers substitute a system CJK font).
* PNG: DejaVu Sans for Latin, the Unicode font for other text; with no Unicode font, characters
  the Latin font lacks are replaced (accents stripped, CJK as "?") so nothing prints as tofu.
"""

from __future__ import annotations

import os
import sys
import unicodedata
from functools import lru_cache
from pathlib import Path

import reportlab
from PIL import ImageFont
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

BUNDLED_FONT = Path(sys.prefix) / "var" / "fonts" / "wqy-microhei.ttc"  # bootstrap.sh
_REPORTLAB_FONTS = Path(reportlab.__file__).parent / "fonts"
UNICODE_FONT_CANDIDATES: tuple[str, ...] = (
    str(BUNDLED_FONT),
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)
LATIN_FONT_CANDIDATES: dict[bool, tuple[str, ...]] = {
    False: ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", str(_REPORTLAB_FONTS / "Vera.ttf")),
    True: (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        str(_REPORTLAB_FONTS / "VeraBd.ttf"),
    ),
}
PDF_LATIN = "Helvetica"
PDF_LATIN_BOLD = "Helvetica-Bold"
PDF_UNICODE = "PostbridgeUnicode"
PDF_CID_FALLBACK = "STSong-Light"

PillowFont = ImageFont.FreeTypeFont | ImageFont.ImageFont


@lru_cache(maxsize=1)
def unicode_font_path() -> Path | None:
    override = os.environ.get("POSTBRIDGE_LABEL_FONT")
    candidates = ((override,) if override else ()) + UNICODE_FONT_CANDIDATES
    for candidate in candidates:
        path = Path(candidate)
        if path.is_file():
            return path
    return None


@lru_cache(maxsize=1)
def pdf_unicode_font() -> str:
    """Register (once) and return the reportlab font name for non-Latin-1 text."""
    path = unicode_font_path()
    if path is not None:
        pdfmetrics.registerFont(TTFont(PDF_UNICODE, str(path), subfontIndex=0))
        return PDF_UNICODE
    pdfmetrics.registerFont(UnicodeCIDFont(PDF_CID_FALLBACK))
    return PDF_CID_FALLBACK


@lru_cache(maxsize=8192)
def is_cp1252(text: str) -> bool:
    """Helvetica in reportlab is WinAnsi-encoded: this is what it can print."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def pdf_font_for(text: str, *, bold: bool) -> str:
    if text.isascii() or is_cp1252(text):
        return PDF_LATIN_BOLD if bold else PDF_LATIN
    return pdf_unicode_font()


@lru_cache(maxsize=256)
def _pillow_font(path: str | None, size_px: int) -> PillowFont:
    if path is None:
        return ImageFont.load_default(size=size_px)
    return ImageFont.truetype(path, size=size_px)


@lru_cache(maxsize=1)
def _latin_paths() -> dict[bool, str | None]:
    found: dict[bool, str | None] = {}
    for bold, candidates in LATIN_FONT_CANDIDATES.items():
        found[bold] = next((c for c in candidates if Path(c).is_file()), None)
    return found


def png_font_for(text: str, *, size_px: int, bold: bool) -> tuple[PillowFont, str]:
    """Pick a Pillow font able to draw ``text``; returns the font and the text to draw."""
    if is_cp1252(text):
        return _pillow_font(_latin_paths()[bold], size_px), text
    unicode_path = unicode_font_path()
    if unicode_path is not None:
        return _pillow_font(str(unicode_path), size_px), text
    return _pillow_font(_latin_paths()[bold], size_px), latin_fallback(text)


# Latin letters whose stroke is not a combining mark, so NFKD leaves them whole.
_UNDECOMPOSABLE = str.maketrans("ŁłĐđĦħıŦŧ", "LlDdHhiTt")


def latin_fallback(text: str) -> str:
    """Make text printable with a Latin-1 font: strip accents; other scripts become "?"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSABLE))
    kept: list[str] = []
    for char in decomposed:
        if unicodedata.combining(char):
            continue
        kept.append(char if is_cp1252(char) else "?")
    return "".join(kept)


@lru_cache(maxsize=16384)
def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width in points that layouts wrap ``text`` to: Helvetica's metrics for what Helvetica
    prints, and for other text a full em per wide (CJK) character and Helvetica's width of
    the rest, which is how WenQuanYi Micro Hei sets them (within 1%). No font file is read, so
    booking can lay out a label without loading the CJK font. The PNG faces are at most ~25%
    wider (DejaVu against Helvetica), within ``fit_text``'s shrink."""
    latin = PDF_LATIN_BOLD if bold else PDF_LATIN
    if text.isascii():
        # Speed (bench/labels.py): reportlab's stringWidth without its C accelerator costs
        # ~8 µs a call, and every label has unique texts (its numbers) to measure. For ASCII it
        # is this sum of the font's widths, computed the same way (same float, to the bit).
        widths = _widths(latin)
        return float(sum(map(widths.__getitem__, text.encode("ascii"))) * 0.001 * size)
    if is_cp1252(text):
        return float(pdfmetrics.stringWidth(text, latin, size))
    width = 0.0
    for char in text:
        if unicodedata.east_asian_width(char) in ("W", "F"):
            width += size
        elif is_cp1252(char):
            width += float(pdfmetrics.stringWidth(char, latin, size))
        else:
            width += size * 0.6
    return width


@lru_cache(maxsize=4)
def _widths(font_name: str) -> list[int]:
    """A standard font's advance widths (1/1000 em) by WinAnsi code, as reportlab sums them."""
    return list(pdfmetrics.getFont(font_name).widths)
