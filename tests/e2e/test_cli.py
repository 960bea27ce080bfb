from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_cli(*args: str, db_url: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, POSTBRIDGE_DATABASE_URL=db_url, POSTBRIDGE_SECRET_KEY="cli-test-pepper")
    return subprocess.run(
        [sys.executable, "-m", "postbridge.cli.main", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_help_lists_commands_with_descriptions(tmp_path: Path) -> None:
    result = run_cli("--help", db_url=f"sqlite:///{tmp_path / 'x.db'}")
    assert result.returncode == 0
    for command in ("serve", "db", "merchants"):
        assert command in result.stdout


def test_merchant_lifecycle_through_the_cli(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert run_cli("db", "upgrade", db_url=url).returncode == 0
    created = run_cli("merchants", "create", "Acme Shenzhen", db_url=url)
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip().splitlines()[-1]
    assert key.startswith("pb_")
    assert key.count("_") == 2
    listing = run_cli("merchants", "list", db_url=url)
    assert key.split("_")[1] in listing.stdout
    assert key.split("_")[2] not in listing.stdout
    revoked = run_cli("merchants", "revoke", key.split("_")[1], db_url=url)
    assert revoked.returncode == 0
    assert "revoked" in run_cli("merchants", "list", db_url=url).stdout


def test_cli_errors_are_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    run_cli("db", "upgrade", db_url=url)
    run_cli("merchants", "create", "Dup", db_url=url)
    again = run_cli("merchants", "create", "Dup", db_url=url)
    assert again.returncode == 2
    assert again.stderr.strip().splitlines() == [
        "error: name: a merchant named 'Dup' exists already"
    ]
    assert "Traceback" not in again.stderr


def test_demo_setup_seeds_merchant_key_and_orders(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    env = dict(
        os.environ, POSTBRIDGE_DATABASE_URL=url, POSTBRIDGE_VAR_DIR=str(tmp_path), COLUMNS="80"
    )
    script = "from postbridge.cli.demo import prepare_demo; from postbridge.config import Settings; prepare_demo(Settings())"
    first = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert first.returncode == 0, first.stderr
    key = (tmp_path / "demo-api-key").read_text().strip()
    # One fact per line, none wrapped mid-sentence in 80 columns; the key alone on its line.
    lines = first.stdout.splitlines()
    merchant_id, batch_id = lines[0].rsplit(" ", 1)[1], lines[-1].split("/")[3]
    assert lines == [
        f"created Demo Merchant (Shenzhen): {merchant_id}",
        "its API key, shown once:",
        key,
        "also saved, readable only by you, to:",
        f"  {tmp_path / 'demo-api-key'}",
        "booked 11 demo orders, rejected 1; outcomes:",
        f"  GET /v1/shipment-batches/{batch_id}/results",
    ]
    assert (merchant_id[:4], batch_id[:4]) == ("mch_", "bat_")
    assert all(len(line) <= 80 for line in lines if str(tmp_path) not in line)
    assert oct((tmp_path / "demo-api-key").stat().st_mode & 0o777) == "0o600"
    again = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert again.returncode == 0
    assert key not in again.stdout
    assert "demo merchant ready" in again.stdout


def test_labels_command_writes_a_zpl_stream(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'labels.db'}"
    env = dict(os.environ, POSTBRIDGE_DATABASE_URL=url, POSTBRIDGE_VAR_DIR=str(tmp_path))
    script = "from postbridge.cli.demo import prepare_demo; from postbridge.config import Settings; prepare_demo(Settings())"
    subprocess.run(
        [sys.executable, "-c", script], env=env, timeout=120, check=True, capture_output=True
    )
    listing = subprocess.run(
        [sys.executable, "-c", "import sqlite3,sys; print(' '.join(r[0] for r in sqlite3.connect(sys.argv[1]).execute('select id from shipments order by batch_row limit 3')))", str(tmp_path / "labels.db")],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    ids = listing.stdout.split()
    out = tmp_path / "labels.zpl"
    result = run_cli("labels", *ids, "--format", "zpl", "--out", str(out), db_url=url)
    assert result.returncode == 0, result.stderr
    stream = out.read_text()
    assert stream.count("^XA") == 3
    missing = run_cli("labels", "shp_missing", "--out", str(out), db_url=url)
    assert missing.returncode == 2
    assert missing.stderr.strip() == "error: shipment shp_missing does not exist"
