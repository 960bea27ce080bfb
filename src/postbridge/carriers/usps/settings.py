"""USPS settings, read from the environment under the names the platform has always used
(``POSTBRIDGE_USPS_MAILER_ID``, ``POSTBRIDGE_USPS_SERVICE_TYPE_CODE``, or a ``.env`` file)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from postbridge.config import EnvFileSettings

# The demo's mailer id: labels printed with it are not the mailer's, and production refuses it.
DEMO_MAILER_ID = "901234"


class UspsSettings(EnvFileSettings):
    model_config = SettingsConfigDict(env_prefix="POSTBRIDGE_USPS_", extra="ignore")

    # Mailer id printed in IMpb barcodes: 6 digits, or 9 starting with 9 (assigned by USPS).
    mailer_id: str = Field(default=DEMO_MAILER_ID, pattern=r"^(\d{6}|9\d{8})$")
    # Service type code in the IMpb: mail class + extra services (USPS Pub 199 Appendix I).
    # "001" is our assumption for USPS Ground Advantage without extra services: verify it
    # against the Pub 199 edition in force before printing live labels.
    service_type_code: str = Field(default="001", pattern=r"^\d{3}$")
    # The network's code of the USPS last mile (network.yaml ``partners``).
    partner_code: str = "USPS"

    def development_defaults(self) -> list[str]:
        """What production must not run with, one 'SETTING: why' each."""
        if self.mailer_id == DEMO_MAILER_ID:
            return [f"POSTBRIDGE_USPS_MAILER_ID {DEMO_MAILER_ID} is the demo mailer id"]
        return []
