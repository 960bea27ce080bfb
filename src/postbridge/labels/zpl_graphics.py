"""Non-Latin text for ZPL as a ``^GFA`` bitmap, for printers without a resident CJK font.

Rendered once per (text, height) and cached: a merchant's batch repeats the same sender name,
so the Pillow cost is paid once per batch, not per label.
"""

from __future__ import annotations

from functools import lru_cache

from PIL import Image, ImageDraw

from postbridge.labels.fonts import png_font_for


@lru_cache(maxsize=2048)
def text_graphic(text: str, height_dots: int) -> tuple[str, int, int]:
    """``^GFA`` command for ``text``, its offset from the baseline to its top, and its width."""
    font, printable = png_font_for(text, size_px=height_dots, bold=False)
    left, top, right, bottom = font.getbbox(printable, anchor="ls")
    width = max(8, -(-(int(right) - int(left)) // 8) * 8)  # whole bytes per row
    rows = max(1, int(bottom) - int(top))
    image = Image.new("1", (width, rows), 1)
    ImageDraw.Draw(image).text((-left, -top), printable, font=font, fill=0, anchor="ls")
    # Pillow stores 1 = white; ZPL graphics use 1 = black.
    inverted = bytes(byte ^ 0xFF for byte in image.tobytes())
    total = len(inverted)
    command = f"^GFA,{total},{total},{width // 8},{inverted.hex().upper()}"
    return command, int(top), width
