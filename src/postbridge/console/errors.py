"""The console context's errors (on the root in postbridge.errors)."""

from __future__ import annotations

from datetime import timedelta

from postbridge.errors import NotAuthenticated, PostbridgeError


class SignInRefused(NotAuthenticated):
    """The e-mail and password do not match a user; which of the two is wrong is never said."""

    code = "sign_in_refused"


class TooManySignInAttempts(PostbridgeError):
    code = "too_many_sign_in_attempts"
    http_status = 429
    title = "Too many sign-in attempts"

    def __init__(self, retry_after: timedelta) -> None:
        minutes = max(1, -(-int(retry_after.total_seconds()) // 60))
        super().__init__(
            f"too many failed sign-ins: try again in {minutes} minute{'s' if minutes > 1 else ''}"
        )
        self.retry_after = retry_after
