"""One-leaf mutations of a valid JSON body or CSV row, and the hostile values put there
(issue 10: the mutation fuzz in tests/e2e/test_mutation_fuzz.py).

A leaf is addressed by its path from the body's root (``("customs", "items", 0, "hs_code")``)
and named the way the API's problems name fields (``customs.items[0].hs_code``, ``[0].code``
for an item of a top-level array; ``api.problems._field_path``).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

Path = tuple[str | int, ...]


class _Deleted:
    def __repr__(self) -> str:
        return "<deleted>"


DELETED: Any = _Deleted()


@dataclass(frozen=True)
class Raw:
    """JSON text sent as is in place of the leaf (numbers Python would not write: 1E999990)."""

    text: str

    def __repr__(self) -> str:
        shown = self.text if len(self.text) <= 40 else f"{self.text[:20]}...({len(self.text)})"
        return f"Raw({shown!r})"


def leaf_paths(value: Any, prefix: Path = ()) -> list[Path]:
    """Every scalar (and every empty container) of ``value``, depth first."""
    if isinstance(value, dict) and value:
        return [p for key, item in value.items() for p in leaf_paths(item, (*prefix, key))]
    if isinstance(value, list) and value:
        return [p for index, item in enumerate(value) for p in leaf_paths(item, (*prefix, index))]
    return [prefix]


def leaf(body: Any, path: Path) -> Any:
    for key in path:
        body = body[key]
    return body


def mutated(body: Any, path: Path, value: Any) -> Any:
    """A copy of ``body`` with the leaf at ``path`` replaced by ``value`` (or deleted)."""
    copied = copy.deepcopy(body)
    parent = leaf(copied, path[:-1])
    if value is DELETED:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return copied


_RAW_MARK = "@@RAW-LEAF@@"


def json_text(body: Any) -> bytes:
    """The body as JSON bytes, a :class:`Raw` leaf spliced in as its own text. Lone surrogates
    go out escaped (``\\ud800``), which is valid JSON the server must cope with."""
    raw: list[str] = []

    def encode(value: Any) -> Any:
        if isinstance(value, Raw):
            raw.append(value.text)
            return _RAW_MARK
        if isinstance(value, dict):
            return {key: encode(item) for key, item in value.items()}
        if isinstance(value, list):
            return [encode(item) for item in value]
        return value

    text = json.dumps(encode(body), allow_nan=False)
    for piece in raw:
        text = text.replace(json.dumps(_RAW_MARK), piece, 1)
    return text.encode()


def field_name(path: Path) -> str:
    name = ""
    for part in path:
        name += f"[{part}]" if isinstance(part, int) else ("." if name else "") + part
    return name


def top_field(path: Path) -> str:
    """The path up to its first named key: ``recipient`` for ``recipient.street_lines[0]``,
    ``[0].code`` for an item of a top-level array."""
    for index, part in enumerate(path):
        if isinstance(part, str):
            return field_name(path[: index + 1])
    return field_name(path)


def _related(reported: str, wanted: str) -> bool:
    """The same field, one inside it, or one it is inside (never the whole ``body``)."""
    if not reported or reported == "body":
        return False
    if reported == wanted:
        return True
    inside = (wanted + ".", wanted + "[")
    around = (reported + ".", reported + "[")
    return reported.startswith(inside) or wanted.startswith(around)


def how_named(problem: dict[str, Any], path: Path) -> str | None:
    """How the problem names the mutated field: ``"field"`` (an ``errors[].field`` is the
    path, inside it or around it), ``"detail"`` (the detail or an error message names the
    path or its top-level field), or None (it does not)."""
    wanted = field_name(path)
    errors = problem.get("errors") or []
    if any(_related(str(error.get("field", "")), wanted) for error in errors):
        return "field"
    texts = [str(problem.get("detail", ""))] + [str(e.get("message", "")) for e in errors]
    top = top_field(path)
    if any(wanted in text or top.lstrip("[0123456789].") in text for text in texts):
        return "detail"
    return None


# Hostile values. Numbers and their string forms first: the amounts parser's history (issue 10).
NUMBER_TEXTS = [
    "1E999990", "1E999999999", "1E5000", "1e308", "1E400", "-1", "-0", "0.0000001", "1e-7",
    "1_000", "１２３", "١٢٣", "۱۲۳", "१२३", " 20.00", "20.00 ", "0x10", "NaN", "Infinity",
    "1" + "0" * 30, "9" * 5000, "1,000.00", "+5", "",
]  # fmt: skip
NUMBERS: list[Any] = [
    10**30,
    -(10**30),
    2**31,
    2**63,
    -(2**63) - 1,
    1e308,
    -1,
    0,
    5e-324,
    0.0000001,
    1.5,
    -0.0,
]
RAW_NUMBERS = [
    Raw("1E999990"), Raw("-1E999990"), Raw("1e-999999"), Raw("1" + "0" * 5000),
    Raw("1" + "0" * 400), Raw("-0"), Raw("1.0"), Raw("1E2"),
]  # fmt: skip
WRONG_TYPES: list[Any] = [True, False, None, [], [1], {}, {"a": 1}, 0, 1.5, "x", [None]]
CONTROL_CHARACTERS = [chr(c) for c in [*range(0x00, 0x20), 0x7F, 0x85]] + ["\ud800", "\udfff"]
LONG = [100_000, 10_001, 2001, 257]


@st.composite
def _text_around(draw: st.DrawFn, valid: Any) -> str:
    """The valid text (or the valid value as text) with a control character, a lone surrogate
    or a non-ASCII digit inside, or repeated into a very long string."""
    base = (valid if isinstance(valid, str) else str(valid)) or "x"
    choice = draw(st.integers(0, 2))
    if choice == 0:
        char = draw(st.sampled_from(CONTROL_CHARACTERS))
        at = draw(st.integers(0, len(base)))
        return base[:at] + char + base[at:]
    if choice == 1:
        size = draw(st.sampled_from(LONG))
        return (base * (size // len(base) + 1))[:size]
    return draw(st.text(alphabet="0123456789.eE+-_ \u0660\u0661\uff11\u0966\u00a0", max_size=12))


def hostile(valid: Any) -> st.SearchStrategy[Any]:
    """Values to put in place of a leaf whose valid value is ``valid``, or DELETED."""
    return st.one_of(
        st.just(DELETED),
        st.sampled_from(NUMBER_TEXTS),
        st.sampled_from(NUMBERS),
        st.sampled_from(RAW_NUMBERS),
        st.sampled_from(WRONG_TYPES),
        _text_around(valid),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.text(max_size=20),
    )


def hostile_cell(valid: str) -> st.SearchStrategy[str]:
    """Text to put in a CSV cell whose valid text is ``valid`` (CSV has no types: empty stands
    for deleted, and the wrong types are their texts)."""
    return st.one_of(
        st.just(""),
        st.sampled_from(NUMBER_TEXTS),
        st.sampled_from([str(n) for n in NUMBERS]),
        st.sampled_from(["true", "null", "[]", "{}", '{"a": 1}', "None"]),
        _text_around(valid).filter(_encodable),
        st.text(max_size=20),
    )


def _encodable(text: str) -> bool:
    return not any("\ud800" <= char <= "\udfff" for char in text)
