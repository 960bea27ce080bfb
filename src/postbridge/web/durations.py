"""How long ago, in words a console reader takes in at a glance ("3 h ago")."""

from __future__ import annotations

from datetime import datetime


def ago(moment: datetime | None, *, now: datetime) -> str:
    if moment is None:
        return "never"
    seconds = int((now - moment).total_seconds())
    if seconds < 0:
        return "just now"  # the partner's clock, or ours, is a little ahead
    if seconds < 60:
        return f"{seconds} s ago"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} d ago"
