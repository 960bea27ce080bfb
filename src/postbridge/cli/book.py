"""``postbridge book FILE.csv``: bulk capture from the command line, with a progress bar."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from postbridge.bootstrap import Platform
from postbridge.bulk import batches
from postbridge.bulk.csv_format import CsvHeaderError, template_header
from postbridge.bulk.reading import inspect_csv
from postbridge.cli.common import fail, one_line_errors, platform, stderr, stdout
from postbridge.errors import InvalidInput, NotFound
from postbridge.merchants.repository import MerchantRepository


def book(
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="CSV of parcels (docs/csv-format.md)."
    ),
    merchant: str = typer.Option(
        ..., "--merchant", "-m", help="Merchant id (mch_...) or exact name."
    ),
    batch_key: str = typer.Option(
        None,
        "--batch-key",
        help="Re-running with the same key books nothing twice (default: file hash).",
    ),
    results: Path = typer.Option(None, "--results", help="Write every row's outcome to this CSV."),
) -> None:
    """Book every row of a CSV file; bad rows are reported, good rows booked."""
    _book(file, merchant, batch_key, results)


@one_line_errors
def _book(file: Path, merchant: str, batch_key: str | None, results: Path | None) -> None:
    # Everything that can be refused for the whole file is, before anything is booked.
    if results is not None:
        _check_writable(results)
    try:
        found = inspect_csv(file)
    except CsvHeaderError as exc:
        raise fail(f"{file.name}: {exc.detail}") from None
    notes = []
    if found.encoding != "utf-8-sig":
        notes.append(f"encoded in {found.encoding.upper()}, not UTF-8")
    if found.delimiter != ",":
        notes.append("separated by " + {";": "semicolons", "\t": "tabs"}[found.delimiter])
    if notes:
        stderr.print(f"reading {file.name}: {'; '.join(notes)}", soft_wrap=True)
    plat = platform()
    merchant_id = _merchant_id(plat, merchant)
    sha = batches.file_sha256(file)
    batch, created = batches.open_batch(
        database=plat.database,
        merchant_id=merchant_id,
        batch_key=batch_key or f"sha256:{sha}",
        file_name=file.name,
        sha256=sha,
    )
    if not created and batch.status == batches.BatchStatus.COMPLETED:
        stderr.print(f"batch {batch.id} already booked this file; nothing booked again")
    total = _count_lines(file)
    with Progress(
        TextColumn("booking"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[tally]}"),
        TimeRemainingColumn(), console=stderr, transient=False,
    ) as progress:  # fmt: skip
        task = progress.add_task("book", total=total, tally="")

        def advance(parcels: int, booked: int, failed: int) -> None:
            progress.update(task, advance=parcels, tally=f"booked {booked}, rejected {failed}")

        batch = batches.run_batch(
            deps=plat.booking, batch_id=batch.id, source=file, on_progress=advance
        )
        progress.update(task, completed=total)
    if batch.status == batches.BatchStatus.FAILED:
        raise fail(batch.error or "the batch failed")
    if results is not None:
        _write_results(plat, batch.id, results)
    stdout.print(
        f"batch {batch.id}: {batch.rows_booked} booked, {batch.rows_failed} rejected"
        + (f"; outcomes in {results}" if results else ""),
        soft_wrap=True,
    )


def template() -> None:
    """Print the CSV header to start a file from."""
    typer.echo(",".join(template_header()))


def _merchant_id(plat: Platform, merchant: str) -> str:
    with plat.database.unit_of_work() as uow:
        repo = MerchantRepository(uow.session)
        found = repo.get(merchant) or repo.get_by_name(merchant)
    if found is None:
        raise NotFound(f"merchant: no merchant with id or name {merchant!r}")
    return found.id


def _check_writable(path: Path) -> None:
    """Refuse a results path that cannot be written, without creating it."""
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        problem = "is a directory"
    elif path.exists():
        problem = "" if os.access(path, os.W_OK) else "is not writable"
    elif not parent.is_dir():
        problem = f"folder {parent} does not exist"
    else:
        problem = "" if os.access(parent, os.W_OK | os.X_OK) else f"folder {parent} is not writable"
    if problem:
        raise InvalidInput.for_field("results", f"cannot write {path}: {problem}")


def _count_lines(file: Path) -> int:
    with file.open("rb") as handle:
        lines = sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))
    return max(lines - 1, 0)


def _write_results(plat: Platform, batch_id: str, path: Path) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=batches.RESULT_COLUMNS)
        writer.writeheader()
        writer.writerows(batches.batch_results(database=plat.database, batch_id=batch_id))
