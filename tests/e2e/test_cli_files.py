"""``postbridge book`` with files as merchants save them, and the CLI's small promises: help
without "<bool>", whole ids in ``merchants list``, options refused in one line."""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from postbridge.bulk.csv_format import template_header
from postbridge.bulk.reading import SAVE_AS_UTF8
from tests.csv_builders import csv_row, csv_text


def run_cli(*args: str, db_url: str, columns: int = 80) -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ,
        POSTBRIDGE_DATABASE_URL=db_url,
        POSTBRIDGE_SECRET_KEY="cli-test-pepper",
        COLUMNS=str(columns),
    )
    return subprocess.run(
        [sys.executable, "-m", "postbridge.cli.main", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def cli_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'cli.db'}"
    assert run_cli("db", "upgrade", db_url=url).returncode == 0
    assert run_cli("merchants", "create", "Files Test Shop", db_url=url).returncode == 0
    return url


def batches_in(url: str) -> int:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
        return int(connection.execute("select count(*) from shipment_batches").fetchone()[0])


def test_a_gbk_semicolon_file_books_and_reports_the_repeated_row(
    cli_db: str, tmp_path: Path
) -> None:
    rows = [
        csv_row("GBK-1", sender_name="李伟", item1_description="棉质T恤"),
        csv_row("GBK-1", sender_name="李伟", item1_description="棉质T恤"),
        csv_row("GBK-2", currency="RMB?"),
        csv_row("GBK-3", weight_g="100"),
        csv_row("GBK-4", item1_description="clothes"),
    ]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=template_header(2), delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    source = tmp_path / "orders.csv"
    source.write_bytes(buffer.getvalue().encode("gbk"))
    results = tmp_path / "results.csv"

    booked = run_cli(
        "book", str(source), "-m", "Files Test Shop", "--results", str(results), db_url=cli_db
    )

    assert booked.returncode == 0, booked.stderr
    assert booked.stderr.splitlines()[0] == (
        "reading orders.csv: encoded in GB18030, not UTF-8; separated by semicolons"
    )
    (summary,) = booked.stdout.splitlines()
    assert summary.endswith(f": 1 booked, 4 rejected; outcomes in {results}")
    with results.open(newline="") as handle:
        outcome = [
            (r["row"], r["status"], r["field"], r["message"]) for r in csv.DictReader(handle)
        ]
    assert outcome == [
        ("2", "booked", "", ""),
        ("3", "rejected", "reference",
         "probable duplicate: this row repeats line 2 exactly and was not booked; for a second "
         "item of the same kind raise item1_quantity instead"),
        ("4", "rejected", "currency", "unknown ISO 4217 currency 'RMB?'"),
        ("5", "rejected", "weight_g", "items weigh 360 g in total, more than the parcel's 100 g"),
        ("6", "rejected", "item1_description",
         "expected a specific description (such as 'cotton T-shirt'), not 'clothes'"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            ",".join(c for c in template_header(1) if c != "weight_g") + "\nA\nB\n",
            "orders.csv: missing required column(s): weight_g; add them to the header "
            "(postbridge csv-template prints it; see docs/csv-format.md)",
        ),
        (",".join(template_header(1)) + "\n", "orders.csv: the file has a header but no rows"),
        (
            csv_text([csv_row("W-1", recipient_name="José Müller")]).encode("cp1252"),
            f"orders.csv: the file is neither UTF-8 nor GBK; {SAVE_AS_UTF8}",
        ),
    ],
    ids=["missing-column", "header-only", "cp1252"],
)
def test_a_file_refused_as_a_whole_is_one_line_and_books_nothing(
    cli_db: str, tmp_path: Path, content: str | bytes, message: str
) -> None:
    source = tmp_path / "orders.csv"
    if isinstance(content, bytes):
        source.write_bytes(content)
    else:
        source.write_text(content)
    before = batches_in(cli_db)
    refused = run_cli("book", str(source), "-m", "Files Test Shop", db_url=cli_db)
    assert refused.returncode == 2
    assert refused.stderr.splitlines() == [f"error: {message}"]
    assert batches_in(cli_db) == before


def test_results_that_cannot_be_written_fail_before_booking(cli_db: str, tmp_path: Path) -> None:
    source = tmp_path / "orders.csv"
    source.write_text(csv_text([csv_row("R-1")]))
    target = tmp_path / "missing" / "results.csv"
    before = batches_in(cli_db)
    refused = run_cli(
        "book", str(source), "-m", "Files Test Shop", "--results", str(target), db_url=cli_db
    )
    assert refused.returncode == 2
    assert refused.stderr.splitlines() == [
        f"error: results: cannot write {target}: folder {target.parent} does not exist"
    ]
    assert batches_in(cli_db) == before


def test_help_shows_no_type_after_flags(cli_db: str) -> None:
    shown = run_cli("serve", "--help", db_url=cli_db)
    assert shown.returncode == 0
    assert "<bool>" not in shown.stdout
    flags = [line.split()[0] for line in shown.stdout.splitlines() if line.startswith("  --")]
    assert flags == [
        "--host",
        "--port",
        "--demo",
        "--no-worker",
        "--sandbox",
        "--workers",
        "--event-workers",
        "--help",
    ]
    assert (
        "  --demo                       Migrate and seed the demo merchant first." in shown.stdout
    )
    assert "  --port <int>                 Port (default from POSTBRIDGE_PORT)." in shown.stdout


def test_merchants_list_prints_whole_ids_in_80_columns(cli_db: str) -> None:
    created = run_cli(
        "merchants", "create", "Shenzhen Very Long Name Electronics Trading Co", db_url=cli_db
    )
    merchant_id = created.stdout.splitlines()[0].rsplit("(", 1)[1].rstrip(")")
    assert merchant_id.startswith("mch_")
    assert len(merchant_id) == 30
    listing = run_cli("merchants", "list", db_url=cli_db)
    assert listing.returncode == 0
    lines = listing.stdout.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 80
    assert lines[0].split() == ["merchant", "id", "key", "prefix", "created", "state"]
    row = next(line for line in lines if merchant_id in line)
    cells = row.split()
    assert cells[-4] == merchant_id
    assert len(cells[-3]) == 12  # the key prefix, whole too


def test_revoke_help_says_how_long_a_key_keeps_working(cli_db: str) -> None:
    shown = run_cli("merchants", "revoke", "--help", db_url=cli_db)
    assert (
        "Revoke an API key: refused from now on, except by a server that checked it in the "
        "last 5 seconds, which goes on accepting it until then (API processes cache a checked "
        "key)." in " ".join(shown.stdout.split())
    )


def test_plan_and_departure_options_are_refused_in_one_line(cli_db: str) -> None:
    top = run_cli("plan", "--date", "2030-01-07", "--top", "-5", db_url=cli_db)
    assert (top.returncode, top.stderr.splitlines()) == (
        2,
        ["error: top: expected a whole number of at least 1, not -5"],
    )
    past = run_cli("plan", "--date", "2020-01-01", db_url=cli_db)
    earliest = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
    assert (past.returncode, past.stderr.splitlines()) == (
        2,
        [
            "error: date: 2020-01-01 is in the past: the departures of days before "
            f"{earliest} have left; plan yesterday, today or a later day"
        ],
    )
    lane = run_cli("departures", "list", "--date", "2030-01-09", "--lane", "NOPE", db_url=cli_db)
    assert (lane.returncode, lane.stderr.splitlines()) == (
        2,
        [
            "error: lane: no lane 'NOPE' in the network; expected a leg id such as "
            "CAN-AIR>LAX-ISC, CAN-AIR>MEX-OE (43 lanes)"
        ],
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "POSTBRIDGE_UPLOAD_RETENTION_DAYS", "0",
            "POSTBRIDGE_UPLOAD_RETENTION_DAYS: Input should be greater than or equal to 1",
        ),
        (
            "POSTBRIDGE_USPS_SUBSCRIPTION_SECRET", "short",
            "POSTBRIDGE_USPS_SUBSCRIPTION_SECRET: String should have at least 32 characters",
        ),
        (
            "POSTBRIDGE_USPS_SERVICE_TYPE_CODES", '{"priority": "55"}',
            "POSTBRIDGE_USPS_SERVICE_TYPE_CODES: priority: '55' is not 3 digits",
        ),
        (
            "POSTBRIDGE_WEBHOOK_BATCH", "0",
            "POSTBRIDGE_WEBHOOK_BATCH: Input should be greater than or equal to 1",
        ),
    ],
)  # fmt: skip
def test_a_bad_setting_is_one_line_naming_the_variable(
    cli_db: str, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    shown = run_cli("worker", "--once", db_url=cli_db)
    assert (shown.returncode, shown.stderr) == (2, f"error: {message}\n")
