"""Webhook secrets sealed at rest (pure, standard library only).

A secret must be recoverable to sign, so it is encrypted rather than hashed, under a key derived
from the server secret (``POSTBRIDGE_SECRET_KEY``): a database dump alone yields no secret.
``cryptography`` is not a dependency of the platform, so the construction uses only HMAC-SHA256:
a keystream of HMAC(enc_key, nonce || counter) blocks (a PRF in counter mode) XORed with the
secret, then encrypt-then-MAC with HMAC(mac_key, "v1" || nonce || ciphertext), the two keys
derived separately from the server secret. Changing the server secret makes sealed secrets
unreadable (as it does API keys): rotate endpoint secrets after changing it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

_VERSION = b"v1"
_NONCE_BYTES = 16
_TAG_BYTES = 32
_BLOCK = hashlib.sha256().digest_size


class SealedSecretInvalid(ValueError):
    """The sealed text was altered, or sealed under another server secret."""


class SecretSealer:
    def __init__(self, key: bytes) -> None:
        self._encryption_key = hmac.new(
            key, b"postbridge webhook secrets: encrypt", "sha256"
        ).digest()
        self._mac_key = hmac.new(
            key, b"postbridge webhook secrets: authenticate", "sha256"
        ).digest()

    @classmethod
    def from_server_secret(cls, server_secret: str) -> SecretSealer:
        return cls(hashlib.sha256(b"postbridge/webhooks/v1:" + server_secret.encode()).digest())

    def seal(self, secret: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        plain = secret.encode()
        cipher = bytes(
            a ^ b for a, b in zip(plain, self._keystream(nonce, len(plain)), strict=True)
        )
        tag = hmac.new(self._mac_key, _VERSION + nonce + cipher, "sha256").digest()
        return "v1." + base64.urlsafe_b64encode(nonce + cipher + tag).decode()

    def open(self, sealed: str) -> str:
        version, _, encoded = sealed.partition(".")
        try:
            raw = base64.urlsafe_b64decode(encoded.encode())
        except ValueError as exc:
            raise SealedSecretInvalid("not a sealed secret") from exc
        if version != "v1" or len(raw) < _NONCE_BYTES + _TAG_BYTES:
            raise SealedSecretInvalid("not a sealed secret")
        nonce, cipher, tag = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:-_TAG_BYTES], raw[-_TAG_BYTES:]
        expected = hmac.new(self._mac_key, _VERSION + nonce + cipher, "sha256").digest()
        if not hmac.compare_digest(tag, expected):
            raise SealedSecretInvalid("the sealed secret does not authenticate")
        plain = bytes(
            a ^ b for a, b in zip(cipher, self._keystream(nonce, len(cipher)), strict=True)
        )
        return plain.decode()

    def _keystream(self, nonce: bytes, length: int) -> bytes:
        blocks = (length + _BLOCK - 1) // _BLOCK
        stream = b"".join(
            hmac.new(self._encryption_key, nonce + n.to_bytes(4, "big"), "sha256").digest()
            for n in range(blocks)
        )
        return stream[:length]
