"""Webhook secrets sealed at rest.

A secret must be recoverable to sign, so it is encrypted rather than hashed, with Fernet
(``cryptography``: AES-128-CBC with HMAC-SHA256, encrypt-then-MAC, a random IV per token)
under a key derived by HKDF-SHA256 from the server secret (``POSTBRIDGE_SECRET_KEY``): a
database dump alone yields no secret. Changing the server secret makes sealed secrets unreadable
(as it does API keys): rotate endpoint secrets after changing it.

Sealed text is ``v2.<fernet token>``; the version names the construction, so another one can
be introduced beside it.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_VERSION = "v2"
_KEY_INFO = b"postbridge webhook secrets v2"


class SealedSecretInvalid(ValueError):
    """The sealed text was altered, or sealed under another server secret."""


class SecretSealer:
    def __init__(self, key: bytes) -> None:
        """``key``: 32 bytes (Fernet's signing and encryption keys)."""
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    @classmethod
    def from_server_secret(cls, server_secret: str) -> SecretSealer:
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_KEY_INFO).derive(
            server_secret.encode()
        )
        return cls(derived)

    def seal(self, secret: str) -> str:
        return f"{_VERSION}.{self._fernet.encrypt(secret.encode()).decode()}"

    def open(self, sealed: str) -> str:
        version, _, token = sealed.partition(".")
        if version != _VERSION or not token:
            raise SealedSecretInvalid("not a sealed secret")
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise SealedSecretInvalid("the sealed secret does not authenticate") from exc
