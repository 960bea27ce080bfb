from __future__ import annotations

import random
from datetime import timedelta

from postbridge.jobs.retry import retry_delay


class Fixed(random.Random):
    def __init__(self, value: float) -> None:
        super().__init__()
        self.value = value

    def random(self) -> float:
        return self.value


def test_delay_doubles_per_attempt_around_the_base() -> None:
    middle = Fixed(0.5)  # jitter factor 1.0
    assert [retry_delay(n, rng=middle) for n in (1, 2, 3, 4)] == [
        timedelta(seconds=2), timedelta(seconds=4), timedelta(seconds=8), timedelta(seconds=16)
    ]  # fmt: skip


def test_jitter_spreads_between_half_and_one_and_a_half() -> None:
    assert retry_delay(3, rng=Fixed(0.0)) == timedelta(seconds=4)
    assert retry_delay(3, rng=Fixed(0.999)) == timedelta(seconds=8 * 1.499)


def test_delay_is_capped() -> None:
    assert retry_delay(40, rng=Fixed(0.999)) == timedelta(minutes=15)
    assert retry_delay(40, cap=60, rng=Fixed(0.0)) == timedelta(seconds=30)
