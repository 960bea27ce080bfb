"""``postbridge users``: the first console user, with the password read from standard input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from postbridge.console.service import sign_in
from postbridge.storage.engine import make_engine
from postbridge.storage.unit_of_work import Database

PASSWORD = "first operator password"


def run_cli(*args: str, db_url: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, POSTBRIDGE_DATABASE_URL=db_url, POSTBRIDGE_SECRET_KEY="cli-test-pepper")
    return subprocess.run(
        [sys.executable, "-m", "postbridge.cli.main", *args],
        capture_output=True, text=True, env=env, timeout=60, check=False, input=stdin,
    )  # fmt: skip


def test_users_create_makes_merchant_users_and_operators_who_can_sign_in(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'users.db'}"
    assert run_cli("db", "upgrade", db_url=url).returncode == 0
    merchant = run_cli("merchants", "create", "Acme Console", db_url=url)
    merchant_id = merchant.stdout.splitlines()[0].rsplit("(", 1)[1].rstrip(")")
    created = run_cli(
        "users", "create", "Ana@Acme.example", "--merchant", merchant_id, db_url=url,
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert created.stdout.startswith(f"created user of {merchant_id} ana@acme.example (usr_")
    assert PASSWORD not in created.stdout + created.stderr
    operator = run_cli(
        "users", "create", "ops@post.example", "--operator", db_url=url, stdin=PASSWORD
    )
    assert operator.returncode == 0, operator.stderr
    assert operator.stdout.startswith("created operator ops@post.example (usr_")
    listing = run_cli("users", "list", db_url=url)
    assert [line.split()[1:] for line in listing.stdout.splitlines()] == [
        ["ana@acme.example", "merchant", merchant_id],
        ["ops@post.example", "operator", "-"],
    ]
    database = Database(make_engine(url))
    try:
        signed = sign_in(
            database=database, email="ana@acme.example", password=PASSWORD,
            client_address="127.0.0.1",
        )  # fmt: skip
        assert signed.identity.merchant_id == merchant_id
    finally:
        database.dispose()
    out = run_cli("users", "sign-out", "ana@acme.example", db_url=url)
    assert out.stdout.strip() == "revoked 1 session of ana@acme.example"


def test_users_create_refuses_bad_input_in_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'users.db'}"
    assert run_cli("db", "upgrade", db_url=url).returncode == 0
    neither = run_cli("users", "create", "a@b.example", db_url=url, stdin=PASSWORD)
    assert (neither.returncode, neither.stderr.strip()) == (
        2, "error: give exactly one of --merchant MERCHANT_ID and --operator",
    )  # fmt: skip
    short = run_cli("users", "create", "a@b.example", "--operator", db_url=url, stdin="short\n")
    assert (short.returncode, short.stderr.strip()) == (
        2, "error: password: must be at least 12 characters",
    )  # fmt: skip
    unknown = run_cli(
        "users", "create", "a@b.example", "--merchant", "mch_nope", db_url=url, stdin=PASSWORD
    )
    assert (unknown.returncode, unknown.stderr.strip()) == (
        2, "error: merchant mch_nope does not exist",
    )  # fmt: skip
    empty = run_cli("users", "create", "a@b.example", "--operator", db_url=url)
    assert (empty.returncode, empty.stderr.strip()) == (
        2, "error: no password: type it at the prompt or pass it on standard input",
    )  # fmt: skip
