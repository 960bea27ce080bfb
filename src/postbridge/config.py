"""Settings from the environment (prefix ``POSTBRIDGE_``), with embedded defaults that just work."""

from __future__ import annotations

import ipaddress
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from postbridge.errors import PostbridgeError

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_VAR_DIR = REPO_ROOT / "var"
# Secrets that ship in the code, docs or tests: production refuses them, and short ones.
DEVELOPMENT_SECRETS = frozenset(
    {"dev-only-change-me", "change-me", "changeme", "secret", "test-pepper-0123456789",
     "bench-pepper-123"}
)  # fmt: skip
PRODUCTION_SECRET_MIN_LENGTH = 32


class UnsafeProductionSettings(PostbridgeError):
    code = "unsafe_production_settings"
    title = "Unsafe production settings"


def env_file_location() -> Path | None:
    """The ``.env`` file settings are read from: ``POSTBRIDGE_ENV_FILE`` when set, else the
    repository's ``.env`` in development and none in production. Never the working directory:
    a server started from another folder must not pick up whatever file lies there."""
    explicit = os.environ.get("POSTBRIDGE_ENV_FILE")
    if explicit:
        return Path(explicit)
    if os.environ.get("POSTBRIDGE_ENV") == "production":
        return None
    return REPO_ROOT / ".env"


class EnvFileSettings(BaseSettings):
    """Settings read from the environment and the ``.env`` at ``env_file_location()``."""

    def __init__(self, **values: Any) -> None:
        values.setdefault("_env_file", env_file_location())
        super().__init__(**values)


def settings_problem(model_name: str, field: str) -> str:
    """The environment variable behind ``field`` of the settings class ``model_name`` (as a
    pydantic ValidationError names them), e.g. POSTBRIDGE_UPLOAD_RETENTION_DAYS."""
    pending: list[type[BaseSettings]] = [EnvFileSettings]
    while pending:
        cls = pending.pop()
        if cls.__name__ == model_name:
            return f"{cls.model_config.get('env_prefix', '')}{field}".upper()
        pending.extend(cls.__subclasses__())
    return field


class Settings(EnvFileSettings):
    model_config = SettingsConfigDict(env_prefix="POSTBRIDGE_", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_VAR_DIR / 'postbridge.db'}",
        description="SQLAlchemy URL. SQLite (default) or postgresql+psycopg://user@host/db.",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    # Pepper mixed into API-key hashes; keys stay unusable if only the database leaks.
    secret_key: str = Field(default="dev-only-change-me", min_length=8)
    # Rotation: the secrets before it, comma-separated. Keys hashed under one of them still
    # authenticate (and are re-hashed under secret_key when used); new keys use secret_key.
    previous_secret_keys: str = ""
    # Customs: CN22 up to this declared value in SDR, CN23 above (UPU Convention, Art. 20).
    cn22_threshold_sdr: int = 300
    # Partner settings (mailer ids, profiles) belong to their adapters: postbridge.carriers.
    public_base_url: str = "http://127.0.0.1:8000"
    network_dir: Path | None = Field(
        default=None, description="Network definition folder (network.yaml); default: the demo."
    )
    partners_file: Path | None = Field(
        default=None,
        description="Partners file (base URLs, credentials, limits); default: the shipped one, "
        "which points at the partner sandbox (POSTBRIDGE_SANDBOX_URL).",
    )
    # Where `postbridge sandbox serve` listens and `postbridge sandbox advance` calls.
    sandbox_url: str = "http://127.0.0.1:8001"
    var_dir: Path = Field(default=DEFAULT_VAR_DIR, description="Uploaded files, generated data.")
    log_level: str = "info"
    # production refuses webhook URLs that resolve to private, loopback or link-local
    # addresses (server-side request forgery); development allows the demo receiver.
    env: Literal["development", "production"] = "development"
    # Limits at the edge (api/limits.py, api/overload.py): checked before the work starts. A
    # shipment is a few kB of JSON; a CSV upload of a million rows is about 300 MB.
    max_json_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    max_upload_bytes: int = Field(default=512 * 1024 * 1024, ge=1024)
    # Stored uploads hold buyers' addresses: removed after this many days (bulk.retention).
    upload_retention_days: int = Field(default=30, ge=1)
    max_header_bytes: int = Field(default=16 * 1024, ge=1024)
    # Per API key and per process: a token bucket refilled at this rate; 0 turns it off.
    rate_limit_per_second: float = Field(default=50.0, ge=0)
    rate_limit_burst: int = Field(default=100, ge=1)
    # Requests in flight in one process beyond which new ones are shed (503 at once). One
    # process serves ~100-190 mixed requests/s on about one core: a deeper queue only adds
    # waiting (bench/overload.py at 2x: 16 gave a served p99 of 413 ms, 8 340 ms, 4 201 ms).
    max_requests_in_flight: int = Field(default=4, ge=1)

    @property
    def previous_peppers(self) -> tuple[str, ...]:
        return tuple(part.strip() for part in self.previous_secret_keys.split(",") if part.strip())

    def development_defaults(self) -> list[str]:
        """What production must not run with, one 'SETTING: why' each."""
        problems = []
        if self.secret_key in DEVELOPMENT_SECRETS:
            problems.append("POSTBRIDGE_SECRET_KEY is a development value")
        elif len(self.secret_key) < PRODUCTION_SECRET_MIN_LENGTH:
            problems.append(
                f"POSTBRIDGE_SECRET_KEY is shorter than {PRODUCTION_SECRET_MIN_LENGTH} characters"
            )
        if _is_loopback(urlparse(self.public_base_url).hostname or ""):
            problems.append(f"POSTBRIDGE_PUBLIC_BASE_URL {self.public_base_url} is a loopback URL")
        return problems


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
