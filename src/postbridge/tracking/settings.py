"""Tracking settings from the environment (or ``.env``), prefix ``POSTBRIDGE_TRACKING_``.

``POSTBRIDGE_TRACKING_SILENCE_DAYS`` overrides the days without a scan after which a parcel at
a milestone is reported stuck, as JSON: ``{"customs": 7, "none": 2}`` (``none``: not accepted
at origin yet); milestones left out keep the defaults of ``tracking.alerts``.
"""

from __future__ import annotations

from functools import cache

from pydantic_settings import SettingsConfigDict

from postbridge.config import EnvFileSettings
from postbridge.tracking.alerts import SilenceLimits


class TrackingSettings(EnvFileSettings):
    model_config = SettingsConfigDict(env_prefix="POSTBRIDGE_TRACKING_", extra="ignore")

    silence_days: dict[str, int] = {}


@cache
def silence_limits() -> SilenceLimits:
    return SilenceLimits.from_names(TrackingSettings().silence_days)
