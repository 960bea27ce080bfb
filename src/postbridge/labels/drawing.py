"""Backend-neutral drawing operations in points (1/72 in), origin top-left, y growing down.

One layout function produces these; the PDF and PNG backends draw them, so both formats show the
same label. Text carries a ``max_width``: each backend shrinks (then truncates) with its own font
metrics so nothing overflows its box.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class Align(StrEnum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


@dataclass(frozen=True, slots=True)
class Text:
    x: float  # left edge, centre or right edge depending on align
    baseline: float
    size: float
    text: str
    max_width: float
    bold: bool = False
    align: Align = Align.LEFT
    inverse: bool = False  # white on a filled box


@dataclass(frozen=True, slots=True)
class Box:
    x: float
    y: float
    width: float
    height: float
    line_width: float = 0.8
    filled: bool = False


@dataclass(frozen=True, slots=True)
class Rule:
    x1: float
    y1: float
    x2: float
    y2: float
    line_width: float = 0.8


@dataclass(frozen=True, slots=True)
class Barcode:
    """Code 128 symbol centred on ``center_x``; ``data`` may contain FNC1 (GS1-128)."""

    center_x: float
    top: float
    height: float
    data: str
    module_width: float  # nominal X-dimension in points; the PNG backend snaps it to pixels


DrawOp = Text | Box | Rule | Barcode

# Below this share of the requested size a line is truncated rather than shrunk further.
MIN_SHRINK = 0.7
ELLIPSIS = "…"

WidthFunction = Callable[[str, float], float]  # text, size in points -> width in points


def fit_text(
    text: str, size: float, max_width: float, width_at: WidthFunction
) -> tuple[str, float]:
    """Shrink ``size`` until ``text`` fits; past ``MIN_SHRINK`` cut the end and add "…"."""
    width = width_at(text, size)
    if width <= max_width:
        return text, size
    shrunk = size * max_width / width
    if shrunk >= size * MIN_SHRINK:
        return text, shrunk
    smallest = size * MIN_SHRINK
    cut = text
    while len(cut) > 1 and width_at(cut + ELLIPSIS, smallest) > max_width:
        cut = cut[:-1]
    return cut.rstrip() + ELLIPSIS, smallest
