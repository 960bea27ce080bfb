"""POSTBRIDGE_ENV=production refuses development defaults, naming each setting on one line;
the .env file is found where the settings say, never in the working directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from postbridge.app import create_app
from postbridge.carriers.usps import UspsSettings
from postbridge.config import REPO_ROOT, Settings, UnsafeProductionSettings, env_file_location

REAL_SECRET = "k3P9v2Qx7LmN4rT8wZ1yB6cD0fH5jS2a"  # 32 characters


def production(sqlite_url: str, **overrides: str) -> Settings:
    values = {
        "env": "production",
        "database_url": sqlite_url,
        "secret_key": REAL_SECRET,
        "public_base_url": "https://post.example.com",
        **overrides,
    }
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def real_mailer_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTBRIDGE_USPS_MAILER_ID", "912345678")
    monkeypatch.setenv("POSTBRIDGE_USPS_SUBSCRIPTION_SECRET", "k" * 32)


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"secret_key": "dev-only-change-me"}, "POSTBRIDGE_SECRET_KEY is a development value"),
        (
            {"secret_key": "a-real-but-short-secret"},
            "POSTBRIDGE_SECRET_KEY is shorter than 32 characters",
        ),
        (
            {"public_base_url": "http://127.0.0.1:8000"},
            "POSTBRIDGE_PUBLIC_BASE_URL http://127.0.0.1:8000 is a loopback URL",
        ),
        (
            {"public_base_url": "http://localhost"},
            "POSTBRIDGE_PUBLIC_BASE_URL http://localhost is a loopback URL",
        ),
        (
            {"public_base_url": "http://[::1]:8000"},
            "POSTBRIDGE_PUBLIC_BASE_URL http://[::1]:8000 is a loopback URL",
        ),
    ],
)
def test_production_refuses_a_development_default(
    sqlite_url: str, real_mailer_id: None, overrides: dict[str, str], problem: str
) -> None:
    with pytest.raises(UnsafeProductionSettings) as refused:
        create_app(production(sqlite_url, **overrides))
    assert str(refused.value) == f"POSTBRIDGE_ENV=production refuses to start: {problem}"


def test_production_refuses_the_demo_mailer_id_and_names_every_setting(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("POSTBRIDGE_USPS_MAILER_ID", raising=False)
    monkeypatch.delenv("POSTBRIDGE_USPS_SUBSCRIPTION_SECRET", raising=False)
    with pytest.raises(UnsafeProductionSettings) as refused:
        create_app(production(sqlite_url, secret_key="dev-only-change-me"))
    assert str(refused.value) == (
        "POSTBRIDGE_ENV=production refuses to start: "
        "POSTBRIDGE_SECRET_KEY is a development value; "
        "POSTBRIDGE_USPS_MAILER_ID 901234 is the demo mailer id; "
        "POSTBRIDGE_USPS_SUBSCRIPTION_SECRET is the sandbox's secret"
    )


def test_production_starts_with_real_values(sqlite_url: str, real_mailer_id: None) -> None:
    assert create_app(production(sqlite_url)).state.platform.settings.env == "production"


def test_development_keeps_its_defaults(sqlite_url: str) -> None:
    app = create_app(Settings(database_url=sqlite_url))
    assert app.state.platform.settings.secret_key == "dev-only-change-me"


def test_env_file_is_explicit_and_never_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("POSTBRIDGE_USPS_MAILER_ID=955555555\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("POSTBRIDGE_ENV_FILE", raising=False)
    monkeypatch.delenv("POSTBRIDGE_USPS_MAILER_ID", raising=False)
    monkeypatch.delenv("POSTBRIDGE_ENV", raising=False)
    assert env_file_location() == REPO_ROOT / ".env"
    monkeypatch.setenv("POSTBRIDGE_ENV", "production")
    assert env_file_location() is None
    assert UspsSettings().mailer_id == "901234"  # the working directory's .env is not read

    monkeypatch.setenv("POSTBRIDGE_ENV_FILE", str(tmp_path / ".env"))
    assert env_file_location() == tmp_path / ".env"
    assert UspsSettings().mailer_id == "955555555"


@pytest.mark.parametrize("command", [("serve", "--port", "9"), ("worker", "--once")])
def test_the_commands_refuse_on_one_line_before_starting_anything(
    sqlite_url: str, command: tuple[str, ...]
) -> None:
    env = dict(os.environ, POSTBRIDGE_ENV="production", POSTBRIDGE_DATABASE_URL=sqlite_url,
               POSTBRIDGE_SECRET_KEY=REAL_SECRET, POSTBRIDGE_USPS_MAILER_ID="912345678",
               POSTBRIDGE_USPS_SUBSCRIPTION_SECRET="k" * 32,
               POSTBRIDGE_PUBLIC_BASE_URL="http://localhost:8000")  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "postbridge.cli.main", *command],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "error: POSTBRIDGE_ENV=production refuses to start: "
        "POSTBRIDGE_PUBLIC_BASE_URL http://localhost:8000 is a loopback URL\n"
    )
