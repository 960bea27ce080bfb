"""USPS settings, read from the environment under the names the platform has always used
(``POSTBRIDGE_USPS_MAILER_ID``, ``POSTBRIDGE_USPS_SERVICE_TYPE_CODE``, or a ``.env`` file)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from postbridge.config import EnvFileSettings

# The demo's mailer id: labels printed with it are not the mailer's, and production refuses it.
DEMO_MAILER_ID = "901234"
# The sandbox's tracking-subscription secret (USPS takes exactly 32 characters).
DEMO_SUBSCRIPTION_SECRET = "sandbox-subscription-secret-0001"


class UspsSettings(EnvFileSettings):
    model_config = SettingsConfigDict(env_prefix="POSTBRIDGE_USPS_", extra="ignore")

    # Mailer id printed in IMpb barcodes: 6 digits, or 9 starting with 9 (assigned by USPS).
    mailer_id: str = Field(default=DEMO_MAILER_ID, pattern=r"^(\d{6}|9\d{8})$")
    # Service type codes in the IMpb: mail class + extra services (USPS Pub 199 Appendix I).
    # Each last-mile service has its own in usps/data/service_type_codes.yaml (with the
    # source); this maps services to codes that replace those (JSON: {"priority": "055"}).
    service_type_codes: dict[str, str] = Field(default_factory=dict)
    # The code of a last-mile service with none of its own. "001" (USPS Ground Advantage
    # without extra services): verify it against the Pub 199 edition in force.
    service_type_code: str = Field(default="001", pattern=r"^\d{3}$")
    # The network's code of the USPS last mile (network.yaml ``partners``).
    partner_code: str = "USPS"
    # Tracking subscriptions: USPS signs each notification it pushes with this secret (X-HMAC),
    # and the listener refuses what it does not sign; the admin address gets USPS's notices.
    subscription_secret: str = Field(default=DEMO_SUBSCRIPTION_SECRET, min_length=32, max_length=32)
    subscription_admin_email: str = "operations@postbridge.invalid"

    def development_defaults(self) -> list[str]:
        """What production must not run with, one 'SETTING: why' each."""
        found = []
        if self.mailer_id == DEMO_MAILER_ID:
            found.append(f"POSTBRIDGE_USPS_MAILER_ID {DEMO_MAILER_ID} is the demo mailer id")
        if self.subscription_secret == DEMO_SUBSCRIPTION_SECRET:
            found.append("POSTBRIDGE_USPS_SUBSCRIPTION_SECRET is the sandbox's secret")
        return found
