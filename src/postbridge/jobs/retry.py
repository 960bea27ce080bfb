"""When a failed job runs again: exponential backoff with jitter (pure)."""

from __future__ import annotations

import random
from datetime import timedelta

BASE_DELAY_SECONDS = 2.0
MAX_DELAY_SECONDS = 15 * 60.0


def retry_delay(
    attempts: int,
    *,
    base: float = BASE_DELAY_SECONDS,
    cap: float = MAX_DELAY_SECONDS,
    rng: random.Random | None = None,
) -> timedelta:
    """Delay after the ``attempts``-th failed attempt: ``base * 2**(attempts-1)``, capped,
    times a random factor in [0.5, 1.5) so jobs that failed together do not retry together."""
    exponential = min(cap, base * 2 ** max(attempts - 1, 0))
    factor = 0.5 + (rng or random).random()
    return timedelta(seconds=min(cap, exponential * factor))
