"""The worker's settings, from the environment (prefix ``POSTBRIDGE_WORKER_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from postbridge.config import EnvFileSettings


class WorkerSettings(EnvFileSettings):
    model_config = SettingsConfigDict(env_prefix="POSTBRIDGE_WORKER_", extra="ignore")

    # How long a claimed job stays a worker's without a heartbeat; a killed worker's job is
    # claimed again this long after its last heartbeat.
    lease_seconds: float = Field(default=30.0, gt=0)
    # Sleep between polls when there is neither a job nor an event to relay.
    poll_seconds: float = Field(default=0.5, gt=0)
    # The same for an ``events`` worker: its poll is two indexed queries (unrelayed events,
    # due deliveries), and it bounds the delay from a booking to its webhook.
    events_poll_seconds: float = Field(default=0.05, gt=0)
    relay_page: int = Field(default=500, ge=1)
