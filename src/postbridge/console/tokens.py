"""Session and CSRF tokens (pure).

A session token is 256 random bits, sent to the browser once in its cookie; the database keeps
only its SHA-256, so a leaked table signs nobody in. Each session also has a CSRF token (the
synchronizer token), stored with it and put in every form the session's pages render; a POST
must send it back. Before there is a session the sign-in form is protected the same way by a
nonce cookie and its HMAC under the server's secret (``login_form_token``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_BYTES = 32


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> str:
    """The stored form of a session token: SHA-256, hex. A token is random and long, so a fast
    hash is enough (no guessing to slow down, unlike a password)."""
    return hashlib.sha256(token.encode()).hexdigest()


def tokens_match(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison; a missing token on either side matches nothing."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def login_form_token(nonce: str, *, secret: str) -> str:
    """The CSRF token of the sign-in form, bound to the nonce in the browser's login cookie."""
    return hmac.new(secret.encode(), f"console-login:{nonce}".encode(), hashlib.sha256).hexdigest()


def login_form_token_matches(nonce: str | None, given: str | None, *, secret: str) -> bool:
    if not nonce or not given:
        return False
    return tokens_match(login_form_token(nonce, secret=secret), given)


def throttle_subject(*parts: str) -> str:
    """The rate limit's key for (e-mail, address) or (address): hashed, so the failures table
    holds no e-mail or IP address in clear."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
