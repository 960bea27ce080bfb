"""What booking needs from other contexts, as narrow protocols the composition root fills in."""

from __future__ import annotations

from typing import Protocol

from postbridge.quotes.model import PlannedRoute, PlanRequest

__all__ = ["PlanRequest", "PlannedRoute", "RoutePlanner"]


class RoutePlanner(Protocol):
    def plan(self, request: PlanRequest) -> PlannedRoute:
        """Best option for the requested service; raises InvalidInput when none is feasible."""
        ...
