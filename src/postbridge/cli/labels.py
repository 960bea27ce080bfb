"""``postbridge labels SHIPMENT_ID... --format zpl --out FILE``."""

from __future__ import annotations

from pathlib import Path

import typer

from postbridge.cli.common import one_line_errors, platform, stdout
from postbridge.labelling.service import LabelFormat, render_labels


def labels(
    shipment_ids: list[str] = typer.Argument(..., help="Shipment ids (shp_...)."),
    label_format: LabelFormat = typer.Option(
        LabelFormat.PDF, "--format", "-f", help="pdf, zpl or png."
    ),
    size: str = typer.Option("4x6", "--size", help="PDF page size: 4x6 or A6."),
    out: Path = typer.Option(..., "--out", "-o", help="File to write."),
) -> None:
    """Render labels for shipments into one file (merged PDF or one ZPL stream)."""
    _labels(shipment_ids, label_format, size, out)


@one_line_errors
def _labels(shipment_ids: list[str], label_format: LabelFormat, size: str, out: Path) -> None:
    plat = platform()
    rendered = render_labels(
        database=plat.database,
        shipment_ids=shipment_ids,
        merchant_id=None,
        partners=plat.partners,
        label_format=label_format,
        page_size=size,
    )
    out.write_bytes(rendered.content)
    stdout.print(f"{len(rendered.shipment_ids)} label(s), {len(rendered.content):,} bytes -> {out}")
