"""Code 128 encoder (code sets B and C, FNC1 for GS1-128), shared by the PDF and PNG renderers.

Drawing our own bars keeps both renderers identical, lets the PNG snap every module to whole
pixels (so it scans at 203 dpi) and avoids reportlab's per-barcode drawing objects.
Labels only ever carry printable ASCII and digits, so code set A (control characters) is omitted.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

FNC1 = "\xf1"  # stands for the FNC1 function character inside data strings
QUIET_ZONE_MODULES = 10

# Bar/space widths of symbol values 0..105 (each sums to 11 modules) and the stop pattern (13).
PATTERNS: tuple[str, ...] = (
    "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212",
    "221213", "221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221",
    "223211", "221132", "221231", "213212", "223112", "312131", "311222", "321122", "321221",
    "312212", "322112", "322211", "212123", "212321", "232121", "111323", "131123", "131321",
    "112313", "132113", "132311", "211313", "231113", "231311", "112133", "112331", "132131",
    "113123", "113321", "133121", "313121", "211331", "231131", "213113", "213311", "213131",
    "311123", "311321", "331121", "312113", "312311", "332111", "314111", "221411", "431111",
    "111224", "111422", "121124", "121421", "141122", "141221", "112214", "112412", "122114",
    "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111", "111242",
    "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
    "214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311",
    "113141", "114131", "311141", "411131", "211412", "211214", "211232", "2331112",
)  # fmt: skip

CODE_C = 99  # switch to set C (value in set B)
CODE_B = 100  # switch to set B (value in set C)
FNC1_VALUE = 102
START_B = 104
START_C = 105
STOP = 106
_SET_B = "B"
_SET_C = "C"


class Code128Error(ValueError):
    """Data that Code 128 set B/C cannot carry."""


def encode_code128(data: str) -> tuple[int, ...]:
    """Symbol values from start to stop (check symbol included), choosing sets B and C.

    Digit runs of four or more go to set C (an odd run leaves its first digit in set B);
    ``FNC1`` may appear anywhere, as GS1-128 needs before each application identifier.
    """
    if not data:
        raise Code128Error("Code 128 needs at least one character")
    values: list[int] = []
    current: str | None = None
    index = 0
    length = len(data)
    while index < length:
        char = data[index]
        if char == FNC1:
            if current is None:
                current = _SET_C if _digit_run(data, index + 1) >= 2 else _SET_B
                values.append(START_C if current == _SET_C else START_B)
            values.append(FNC1_VALUE)
            index += 1
            continue
        run = _digit_run(data, index)
        if current == _SET_C:
            if run >= 2:
                values.append(int(data[index : index + 2]))
                index += 2
                continue
            values.append(CODE_B)
            current = _SET_B
        elif run >= 4 or (current is None and run >= 2 and run == length - index):
            if run % 2 == 1:
                # The odd leading digit stays in set B so that set C gets whole pairs.
                if current is None:
                    values.append(START_B)
                values.append(_set_b_value(char))
                index += 1
                values.append(CODE_C)
            elif current is None:
                values.append(START_C)
            else:
                values.append(CODE_C)
            current = _SET_C
            continue
        if current is None:
            values.append(START_B)
            current = _SET_B
        values.append(_set_b_value(char))
        index += 1
    checksum = (values[0] + sum(pos * value for pos, value in enumerate(values[1:], 1))) % 103
    return (*values, checksum, STOP)


def gs1_128_data(fields: Sequence[str]) -> str:
    """Join GS1 element strings, each preceded by FNC1 (e.g. ``420``+ZIP, then the PIC)."""
    return "".join(FNC1 + field for field in fields)


@lru_cache(maxsize=4096)
def code128_widths(data: str) -> str:
    """Alternating bar/space widths in modules, starting with a bar, start to stop."""
    return "".join(PATTERNS[value] for value in encode_code128(data))


def code128_bars(data: str) -> tuple[tuple[int, int], ...]:
    """Bars as (offset, width) in modules from the left edge of the symbol (no quiet zone)."""
    bars: list[tuple[int, int]] = []
    offset = 0
    for position, width_char in enumerate(code128_widths(data)):
        width = ord(width_char) - 48
        if position % 2 == 0:
            bars.append((offset, width))
        offset += width
    return tuple(bars)


def code128_module_count(data: str) -> int:
    """Symbol width in modules, quiet zones excluded."""
    # The symbol count depends only on where the digits and FNC1s are, so every S10 (or every
    # IMpb of one length) shares one cached count.
    return _module_count(data.translate(_SHAPE))


_SHAPE = str.maketrans({**{str(d): "0" for d in range(10)}, **{chr(c): "A" for c in range(32, 48)},
                        **{chr(c): "A" for c in range(58, 127)}})  # fmt: skip


@lru_cache(maxsize=1024)
def _module_count(shape: str) -> int:
    return sum(ord(c) - 48 for c in code128_widths(shape))


def _digit_run(data: str, start: int) -> int:
    end = start
    while end < len(data) and "0" <= data[end] <= "9":
        end += 1
    return end - start


def _set_b_value(char: str) -> int:
    code = ord(char)
    if not 32 <= code <= 126:
        raise Code128Error(f"character {char!r} is outside Code 128 set B (ASCII 32–126)")
    return code - 32
