"""When a failed delivery is tried again, and when it is given up (pure).

Exponential: 30 s after the first failure, doubling up to 12 h between attempts, each delay
times a random factor in [0.75, 1.25) so endpoints that failed together (a receiver's outage)
do not retry together. A delivery is tried for three days from its first attempt (the last
attempt is placed on the three-day mark; measured from the first attempt, not the creation, so
a backlog in the worker does not eat the window): 17 attempts, 11 doublings reach the 12-h cap
after ~17 h, then 12-hourly. An endpoint failing without a single success for as long
is disabled (webhooks.dispatcher).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class RetrySchedule:
    first_delay: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(hours=12)
    window: timedelta = timedelta(days=3)
    jitter: float = 0.25

    def delay(self, failed_attempts: int, rng: random.Random | None = None) -> timedelta:
        """The pause after the ``failed_attempts``-th failed attempt (1 = the first)."""
        exponential = self.first_delay * 2 ** max(failed_attempts - 1, 0)
        nominal = min(self.max_delay, exponential)
        factor = 1 + self.jitter * (2 * (rng or random).random() - 1)
        return nominal * factor

    def next_attempt(
        self,
        *,
        first_attempted_at: datetime,
        failed_at: datetime,
        failed_attempts: int,
        rng: random.Random | None = None,
    ) -> datetime | None:
        """When to try again, or None: the three-day window is spent, give the delivery up."""
        give_up_at = first_attempted_at + self.window
        if failed_at >= give_up_at:
            return None
        return min(failed_at + self.delay(failed_attempts, rng), give_up_at)
