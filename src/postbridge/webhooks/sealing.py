"""Webhook secrets sealed at rest.

A secret must be recoverable to sign, so it is encrypted rather than hashed, with Fernet
(``cryptography``: AES-128-CBC with HMAC-SHA256, encrypt-then-MAC, a random IV per token)
under a key derived by HKDF-SHA256 from the server secret (``POSTBRIDGE_SECRET_KEY``): a
database dump alone yields no secret. While the server secret is rotated, the previous ones
(``POSTBRIDGE_PREVIOUS_SECRET_KEYS``) still open what they sealed (``MultiFernet``), as they still
verify API keys; new secrets are sealed under the current one.

Sealed text is ``v2.<fernet token>``; the version names the construction, so another one can
be introduced beside it.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_VERSION = "v2"
_KEY_INFO = b"postbridge webhook secrets v2"


class SealedSecretInvalid(ValueError):
    """The sealed text was altered, or sealed under another server secret."""


class SecretSealer:
    def __init__(self, key: bytes, *previous: bytes) -> None:
        """``key``: 32 bytes (Fernet's signing and encryption keys) that seals; ``previous``:
        keys that still open what they sealed."""
        self._fernet = MultiFernet(
            [Fernet(base64.urlsafe_b64encode(each)) for each in (key, *previous)]
        )

    @classmethod
    def from_server_secret(cls, server_secret: str, previous: tuple[str, ...] = ()) -> SecretSealer:
        return cls(_derive(server_secret), *(_derive(each) for each in previous))

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


def _derive(server_secret: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_KEY_INFO).derive(
        server_secret.encode()
    )
