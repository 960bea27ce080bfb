"""Per-stage time accounting, cheap enough to leave on in hot loops."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager


class StageClock:
    """Seconds per named stage.

    ``timer`` is wall-clock by default; a multi-process pipeline passes ``time.thread_time`` so
    each process measures its own CPU seconds, and ``merge`` sums what the others measured.
    """

    def __init__(self, timer: Callable[[], float] = time.perf_counter) -> None:
        self.timer = timer
        self.seconds: dict[str, float] = defaultdict(float)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = self.timer()
        try:
            yield
        finally:
            self.seconds[name] += self.timer() - started

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] += seconds

    def merge(self, seconds: Mapping[str, float]) -> None:
        for name, value in seconds.items():
            self.seconds[name] += value

    def shares(self) -> dict[str, float]:
        total = sum(self.seconds.values()) or 1.0
        return {name: value / total for name, value in self.seconds.items()}
