"""IdentityMemo: values remembered per object identity, for objects that are costly to hash.

Bulk capture memoises its validated declarations, route documents and duty estimates, so a
repeated basket or route comes back as the same object. Hashing such an object field by field
costs more than the lookup it serves, so these memos key on ``id(owner)`` (plus a few cheap
hashable values) and hold ``owner`` itself: while remembered, its id cannot be reused by
another object, and a hit is only a hit when the stored owner *is* the one asked about.
"""

from __future__ import annotations

from collections.abc import Hashable
from enum import Enum
from typing import Final, Generic, Literal, TypeVar

V = TypeVar("V")


class _Missing(Enum):
    MISSING = "missing"


MISSING: Final = _Missing.MISSING


class IdentityMemo(Generic[V]):
    """``get(owner, key)`` returns the value remembered for ``owner`` and ``key`` (any cheap
    hashable: a tuple of codes, a date) or ``MISSING``; ``put`` remembers one and returns it.
    Bounded: when ``limit`` entries are held, the next ``put`` forgets them all (the memos
    refill within a chunk, and a clear is cheaper than tracking recency)."""

    __slots__ = ("_entries", "limit")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._entries: dict[tuple[int, Hashable], tuple[object, V]] = {}

    def get(self, owner: object, key: Hashable = None) -> V | Literal[_Missing.MISSING]:
        found = self._entries.get((id(owner), key))
        if found is not None and found[0] is owner:
            return found[1]
        return MISSING

    def put(self, owner: object, key: Hashable, value: V) -> V:
        if len(self._entries) >= self.limit:
            self._entries.clear()
        self._entries[(id(owner), key)] = (owner, value)
        return value

    def __len__(self) -> int:
        return len(self._entries)


K = TypeVar("K", bound=Hashable)


class Memo(Generic[K, V]):
    """A bounded dict memo for cheap hashable keys, cleared wholesale when ``limit`` entries
    are held: ``get(key)`` returns the value or ``MISSING``, ``put`` remembers one and returns
    it. For methods and values that ``functools.lru_cache`` does not fit (per instance, or
    failures that must not be remembered)."""

    __slots__ = ("_entries", "limit")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._entries: dict[K, V] = {}

    def get(self, key: K) -> V | Literal[_Missing.MISSING]:
        return self._entries.get(key, MISSING)

    def put(self, key: K, value: V) -> V:
        if len(self._entries) >= self.limit:
            self._entries.clear()
        self._entries[key] = value
        return value

    def __len__(self) -> int:
        return len(self._entries)
