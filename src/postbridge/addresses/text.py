"""Text folding for matching what merchants type against reference names.

Merchants type "Sao Paulo", "GUANGDONG SHENG", "Ciudad de Mexico" or "N.L."; the reference data
says "São Paulo", "Guangdong Sheng", "Ciudad de México", "N.L.". Matching happens on a folded
key: accents stripped, case folded, punctuation and spaces removed.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


@lru_cache(maxsize=8192)
def match_key(text: str) -> str:
    """Fold ``text`` to the key used for name matching ("São Paulo" → "saopaulo")."""
    decomposed = unicodedata.normalize("NFKD", text)
    without_marks = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NOT_WORD.sub("", without_marks.casefold())


def clean_text(text: str | None) -> str:
    """Trim and collapse internal whitespace; None becomes the empty string."""
    if not text:
        return ""
    return " ".join(text.split())


def is_latin(text: str) -> bool:
    """True when every letter is Latin script (so the name can go on an international label)."""
    return all(ord(char) < 0x250 for char in text)
