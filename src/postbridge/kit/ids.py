"""Prefixed, time-sortable identifiers (``shp_01JD...``): readable in logs, safe as cursors."""

from __future__ import annotations

import base64
import os
import time

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# base64.b32encode speaks the RFC 4648 alphabet; translating its output to Crockford's keeps
# the bit layout (5 bits per character, most significant first) and runs in C.
_RFC4648_TO_CROCKFORD = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", _CROCKFORD.encode())
_RANDOM_BYTES = 10  # 80 bits: exactly 16 base32 characters, so encodings can be concatenated


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def new_id(prefix: str) -> str:
    """48 bits of milliseconds then 80 random bits, Crockford base32 (the ULID layout)."""
    return new_ids(prefix, 1)[0]


def new_ids(prefix: str, count: int) -> list[str]:
    """``count`` ids sharing one timestamp: one clock read and one ``os.urandom`` call for all.

    Bulk capture names thousands of shipments per chunk; per-id clock and entropy calls would
    cost more than the ids are worth. Uniqueness rests on the 80 random bits of each id, as in
    ``new_id``; ids of one call sort together and after those of earlier milliseconds.
    """
    if count <= 0:
        return []
    head = f"{prefix}_{_encode(time.time_ns() // 1_000_000, 10)}"
    width = 16
    randomness = base64.b32encode(os.urandom(_RANDOM_BYTES * count))
    text = randomness.translate(_RFC4648_TO_CROCKFORD).decode("ascii")
    return [head + text[start : start + width] for start in range(0, width * count, width)]
