from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_cli import run_cli

MIA = "HKG-HUB>MIA-ISC@2030-01-09T18:00Z"  # Thursday 02:00 in Hong Kong


@pytest.mark.slow  # ten CLI processes of ~2 s each
def test_plan_and_departure_commands(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert run_cli("db", "upgrade", db_url=url).returncode == 0

    planned = run_cli("plan", "--date", "2030-01-07", db_url=url)
    assert planned.returncode == 0, planned.stderr
    summary = planned.stdout.strip().splitlines()[-1]
    assert summary.startswith("plan cpl_")
    assert "for 2030-01-07 (daily): 0 parcels on 0 of " in summary
    assert summary.endswith(" s")
    assert "moved 0; at risk 0; unplanned 0" in summary

    listed = run_cli(
        "departures", "list", "--date", "2030-01-09", "--lane", "HKG-HUB>MIA-ISC", db_url=url
    )
    assert listed.returncode == 0, listed.stderr
    rows = [line.split() for line in listed.stdout.splitlines() if line.strip().startswith("HKG")]
    assert rows == [[MIA, "scheduled", "0", "0.0", "150,000", "40,000", "0.0%"]]

    delayed = run_cli("departures", "delay", MIA, "--minutes", "90", db_url=url)
    assert delayed.returncode == 0, delayed.stderr
    assert f"(delay {MIA} 90m)" in delayed.stdout
    listed = run_cli("departures", "list", "--date", "2030-01-09", db_url=url)
    assert f"{MIA}   delayed +90m" in listed.stdout

    cancelled = run_cli("departures", "cancel", MIA, db_url=url)
    assert cancelled.returncode == 0, cancelled.stderr
    assert f"(cancel {MIA})" in cancelled.stdout


@pytest.mark.slow
def test_bad_input_is_one_line_naming_the_field(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    run_cli("db", "upgrade", db_url=url)
    bad_date = run_cli("plan", "--date", "2030-02-30", db_url=url)
    assert bad_date.returncode == 2
    assert bad_date.stderr.strip().splitlines() == [
        "error: date: expected YYYY-MM-DD, got '2030-02-30'"
    ]
    unknown = run_cli("departures", "cancel", "NOPE@2030-01-07T15:00Z", db_url=url)
    assert unknown.returncode == 2
    assert unknown.stderr.strip().splitlines() == [
        "error: departure: no departure 'NOPE@2030-01-07T15:00Z' (plan its date first)"
    ]
    bad_delay = run_cli("departures", "delay", MIA, "--minutes", "-5", db_url=url)
    assert bad_delay.returncode == 2
    assert bad_delay.stderr.strip().splitlines() == ["error: minutes: must be between 0 and 10080"]
