"""API key format and hashing (pure).

A key reads ``pb_<prefix>_<secret>``: the prefix (12 base32 chars) finds the row, the secret
(32 base32 chars, 160 bits) is never stored, only its HMAC-SHA256 under the server's secret key.
A slow password hash is not needed: the secret is random and long, not a human password.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Sequence
from dataclasses import dataclass

KEY_PREFIX = "pb"


@dataclass(frozen=True, slots=True)
class IssuedKey:
    prefix: str
    secret: str

    @property
    def token(self) -> str:
        return f"{KEY_PREFIX}_{self.prefix}_{self.secret}"


def _random_base32(n_bytes: int) -> str:
    return base64.b32encode(os.urandom(n_bytes)).decode("ascii").rstrip("=").lower()


def issue_key() -> IssuedKey:
    return IssuedKey(prefix=_random_base32(8)[:12], secret=_random_base32(20))


def split_token(token: str) -> tuple[str, str] | None:
    parts = token.strip().split("_")
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def hash_secret(secret: str, *, pepper: str) -> str:
    return hmac.new(pepper.encode(), secret.encode(), hashlib.sha256).hexdigest()


def secret_matches(secret: str, stored_hash: str, *, pepper: str) -> bool:
    return hmac.compare_digest(hash_secret(secret, pepper=pepper), stored_hash)


def matching_pepper(secret: str, stored_hash: str, *, peppers: Sequence[str]) -> str | None:
    """The pepper (current first, then previous ones) under which ``secret`` hashes to
    ``stored_hash``: several are active while the server's secret is being rotated."""
    for pepper in peppers:
        if secret_matches(secret, stored_hash, pepper=pepper):
            return pepper
    return None
