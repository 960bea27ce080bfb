"""Passwords (pure): the policy a new one must meet, and Argon2id hashing by argon2-cffi.

The hash string carries its own parameters (``$argon2id$v=19$m=65536,t=3,p=4$...``), so
hashes made under older parameters still verify and ``needs_rehash`` says when to upgrade one
at the next sign-in. A password is never logged, stored or compared in clear.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from postbridge.errors import InvalidInput

MIN_LENGTH = 12  # NIST SP 800-63B asks for 8 at least; a console holding API keys asks more
MAX_LENGTH = 256  # bounded where it enters: Argon2 would hash a megabyte, slowly

# argon2-cffi's defaults (RFC 9106's second recommended option: 64 MiB, 3 passes, 4 lanes).
_hasher = PasswordHasher()
# Verified against when the e-mail names nobody, so an unknown user costs the same time.
_DUMMY_HASH = _hasher.hash("postbridge-no-such-user")


def check_new_password(password: str, *, email: str, field: str = "password") -> None:
    """Refuse a password that is too short, too long, blank or the e-mail address itself."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput.for_field(field, f"must be at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise InvalidInput.for_field(field, f"must be at most {MAX_LENGTH} characters")
    if not password.strip():
        raise InvalidInput.for_field(field, "must not be only spaces")
    if password.strip().casefold() == email.strip().casefold():
        raise InvalidInput.for_field(field, "must not be the e-mail address")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password: str, stored_hash: str | None) -> bool:
    """Whether ``password`` is the one hashed in ``stored_hash``. ``None`` (no such user) still
    spends one verification, so a wrong e-mail and a wrong password take the same time."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
