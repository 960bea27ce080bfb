"""Backend-neutral drawing operations in points (1/72 in), origin top-left, y growing down.

One layout function produces these; the PDF, PNG and ZPL backends draw them, so the formats
show the same label. Text carries a ``max_width``: each backend shrinks (then truncates) with its
own font metrics so nothing overflows its box.

Speed (bench/labels.py, ZPL ≥ 20,000 labels per CPU-second): the ops are named tuples, not
frozen dataclasses. A label builds a dozen new ops (its recipient lines and barcodes) and the
backends and layout caches hash them; a named tuple is built, hashed and compared in C, at a
third of a frozen dataclass's cost. They are as immutable, and no two op types can be equal
(their lengths or field types differ).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import NamedTuple


class Align(StrEnum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


class Text(NamedTuple):
    x: float  # left edge, centre or right edge depending on align
    baseline: float
    size: float
    text: str
    max_width: float
    bold: bool = False
    align: Align = Align.LEFT
    inverse: bool = False  # white on a filled box


class Box(NamedTuple):
    x: float
    y: float
    width: float
    height: float
    line_width: float = 0.8
    filled: bool = False


class Rule(NamedTuple):
    x1: float
    y1: float
    x2: float
    y2: float
    line_width: float = 0.8


class Barcode(NamedTuple):
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


def wrap_text(text: str, size: float, max_width: float, width_at: WidthFunction) -> list[str]:
    """Greedy word wrap; a word wider than the line is broken between characters (CJK text
    has no spaces, so it always breaks this way). Every character of ``text`` is kept."""
    words = text.split(" ")
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if width_at(candidate, size) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        while word and width_at(word, size) > max_width:
            cut = len(word) - 1
            while cut > 1 and width_at(word[:cut], size) > max_width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current or not lines:
        lines.append(current)
    return lines


Segment = tuple[tuple[DrawOp, ...], bool]  # ops, and whether they came whole from a cache


class PageOps(list[DrawOp]):
    """A page's ops, remembering which runs came whole from a layout cache (a block repeated
    across a batch, such as the sender or the CN22) so a backend can reuse its output for them."""

    def __init__(self) -> None:
        super().__init__()
        self._segments: list[Segment] = []
        self._mark = 0

    def add_block(self, block: tuple[DrawOp, ...]) -> None:
        self._flush()
        self.extend(block)
        self._segments.append((block, True))
        self._mark = len(self)

    def segments(self) -> list[Segment]:
        """The ops in order: each cached block (``True``) and the runs between them."""
        self._flush()
        return list(self._segments)

    def _flush(self) -> None:
        if len(self) > self._mark:
            self._segments.append((tuple(self[self._mark :]), False))
            self._mark = len(self)


def add_block(ops: list[DrawOp], block: tuple[DrawOp, ...]) -> None:
    if isinstance(ops, PageOps):
        ops.add_block(block)
    else:
        ops.extend(block)
