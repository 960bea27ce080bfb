"""What a worker process does (its own module: the CLI names the roles without importing the
platform)."""

from __future__ import annotations

from enum import StrEnum


class WorkerRole(StrEnum):
    ALL = "all"  # everything below, in one process (``postbridge worker``)
    JOBS = "jobs"  # the durable jobs (batches, partner exchange, replays)
    EVENTS = "events"  # the outbox relay and webhook deliveries
