"""Text a database can store and a label can print: no NUL, no other C0 control characters.

PostgreSQL refuses NUL in text outright, and the other control characters (U+0001 to U+001F,
U+007F) have no place in names, addresses, references or ids. Free text may keep tab, line feed
and carriage return.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_BUT_WHITESPACE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_character(text: str, *, free_text: bool = False) -> int | None:
    """Where the first control character of ``text`` is, or None; ``free_text`` allows tab,
    line feed and carriage return."""
    found = (_CONTROL_BUT_WHITESPACE if free_text else _CONTROL).search(text)
    return None if found is None else found.start()


def control_character_problem(text: str, *, free_text: bool = False) -> str | None:
    """The message for text with a control character, or None when it has none."""
    position = control_character(text, free_text=free_text)
    if position is None:
        return None
    return (
        f"must not contain control characters (U+{ord(text[position]):04X} at position {position})"
    )


def printable(text: str) -> str:
    """``text`` with each control character replaced by U+FFFD, for echoing refused input back
    (a rejected row's reference) where it will be stored."""
    return _CONTROL.sub("\ufffd", text)


def storable(text: str) -> bool:
    """Whether ``text`` can be an identifier in the database: a lookup of anything else finds
    nothing, on SQLite as on PostgreSQL (which would refuse the query)."""
    return _CONTROL.search(text) is None
