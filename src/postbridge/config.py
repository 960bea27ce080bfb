"""Settings from the environment (prefix ``POSTBRIDGE_``), with embedded defaults that just work."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_VAR_DIR = REPO_ROOT / "var"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="POSTBRIDGE_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_VAR_DIR / 'postbridge.db'}",
        description="SQLAlchemy URL. SQLite (default) or postgresql+psycopg://user@host/db.",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    # Pepper mixed into API-key hashes; keys stay unusable if only the database leaks.
    secret_key: str = Field(default="dev-only-change-me", min_length=8)
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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
