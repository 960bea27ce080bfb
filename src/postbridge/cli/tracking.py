"""``postbridge tracking import FILE.jsonl``: canonical events from a JSON Lines file, in
committed chunks with a progress bar; re-running after an interruption skips what was
committed (by fingerprint) and completes the import."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from postbridge.bootstrap import partner_registry
from postbridge.cli.common import one_line_errors, stderr, stdout
from postbridge.config import get_settings
from postbridge.storage.engine import make_engine
from postbridge.storage.unit_of_work import Database
from postbridge.tracking.imports import import_file
from postbridge.tracking.ingest import CHUNK_EVENTS, IngestCounts

app = typer.Typer(help="Tracking events and trackers.", no_args_is_help=True)


@app.command("import")
def import_events(
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="JSON Lines of canonical events."
    ),
    chunk: int = typer.Option(CHUNK_EVENTS, "--chunk", min=1, help="Events per committed chunk."),
) -> None:
    """Import tracking events; a bad line stops the import there (earlier chunks are kept)."""
    _import(file, chunk)


@one_line_errors
def _import(file: Path, chunk: int) -> None:
    # The database and the partner registry (which code table reads whose events) only: the
    # network would cost more to load than a small file's import.
    database = Database(make_engine(get_settings().database_url))
    total = _count_lines(file)
    tally = IngestCounts()
    with Progress(
        TextColumn("importing"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[tally]}"),
        TimeRemainingColumn(), console=stderr, transient=False,
    ) as progress:  # fmt: skip
        task = progress.add_task("import", total=total, tally="")

        def advance(lines: int, counts: IngestCounts) -> None:
            tally.add(counts)
            progress.update(
                task, advance=lines, tally=f"new {tally.accepted}, duplicates {tally.duplicates}"
            )

        counts = import_file(
            database=database,
            path=file,
            code_schemes=partner_registry().code_scheme,
            chunk_size=chunk,
            on_chunk=advance,
        )
        progress.update(task, completed=total)
    stdout.print(
        f"{counts.received} events: {counts.accepted} new, {counts.duplicates} duplicates, "
        f"{counts.unmatched} unmatched, {counts.unmapped} unmapped"
    )


def _count_lines(file: Path) -> int:
    with file.open("rb") as handle:
        return sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))
