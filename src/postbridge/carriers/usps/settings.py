"""USPS settings, read from the environment under the names the platform has always used
(``POSTBRIDGE_USPS_MAILER_ID``, ``POSTBRIDGE_USPS_SERVICE_TYPE_CODE``, or a ``.env`` file)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class UspsSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="POSTBRIDGE_USPS_", env_file=".env", extra="ignore"
    )

    # Mailer id printed in IMpb barcodes: 6 digits, or 9 starting with 9 (assigned by USPS).
    mailer_id: str = Field(default="901234", pattern=r"^(\d{6}|9\d{8})$")
    # Service type code in the IMpb: mail class + extra services (USPS Pub 199 Appendix I).
    # "001" is our assumption for USPS Ground Advantage without extra services: verify it
    # against the Pub 199 edition in force before printing live labels.
    service_type_code: str = Field(default="001", pattern=r"^\d{3}$")
    # The network's code of the USPS last mile (network.yaml ``partners``).
    partner_code: str = "USPS"
