"""Delivery settings, from the environment (prefix ``POSTBRIDGE_WEBHOOK_``)."""

from __future__ import annotations

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from postbridge.config import EnvFileSettings


class WebhookSettings(EnvFileSettings):
    model_config = SettingsConfigDict(env_prefix="POSTBRIDGE_WEBHOOK_", extra="ignore")

    # Each attempt: connecting, then reading the answer; a slower receiver fails the attempt.
    connect_timeout_seconds: float = Field(default=5.0, gt=0)
    timeout_seconds: float = Field(default=10.0, gt=0)
    # A claimed delivery is the worker's this long; a killed worker's deliveries are sent again
    # after it, by any worker. Longer than an attempt can take.
    lease_seconds: float = Field(default=60.0, gt=0)
    batch: int = Field(default=200, ge=1, le=5000)  # deliveries claimed per round
    concurrency: int = Field(default=16, ge=1, le=256)  # attempts in flight per worker
    # How long one worker step keeps delivering before it relays the outbox and runs a job.
    step_budget_seconds: float = Field(default=2.0, gt=0)

    @model_validator(mode="after")
    def _lease_outlasts_an_attempt(self) -> WebhookSettings:
        if self.lease_seconds <= self.connect_timeout_seconds + self.timeout_seconds:
            raise ValueError("lease_seconds must exceed connect_timeout_seconds + timeout_seconds")
        return self
