"""The sign-in rate limit (pure): how many failures in a sliding window lock a key out.

Two keys per attempt: the e-mail with the client address (someone guessing one account's
password) and the client address alone (one address trying many accounts). Failures are rows
in ``console_login_failures`` (console.repository), so the limit holds across restarts and
across the processes of ``serve --workers N``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS = 5
MAX_FAILURES_PER_ADDRESS = 50


@dataclass(frozen=True, slots=True)
class Limit:
    subject: str
    max_failures: int


def retry_after(failures: Sequence[datetime], *, limit: int, now: datetime) -> timedelta | None:
    """``None`` when another attempt may go ahead; else how long until the oldest failure that
    keeps the count at ``limit`` leaves the window. ``failures`` are those inside the window."""
    recent = sorted(moment for moment in failures if moment > now - WINDOW)
    if len(recent) < limit:
        return None
    unlocking = recent[len(recent) - limit]  # once it leaves, limit - 1 remain
    return max(unlocking + WINDOW - now, timedelta(seconds=1))
