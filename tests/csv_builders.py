"""Build shipments CSV files for tests from the JSON builders' data."""

from __future__ import annotations

import csv
import io
from typing import Any

from postbridge.bulk.csv_format import template_header
from tests.builders import RECIPIENT_BR, RECIPIENT_US, SENDER_CN


def csv_row(
    reference: str,
    *,
    recipient: dict[str, Any] | None = None,
    items: list[dict[str, str]] | None = None,
    **overrides: str,
) -> dict[str, str]:
    row: dict[str, str] = {"reference": reference, "service": "standard", "incoterm": "DDU"}
    for key, value in SENDER_CN.items():
        if key == "street_lines":
            row["sender_street1"] = value[0]
        else:
            row[f"sender_{key}"] = value
    for key, value in (recipient or RECIPIENT_US).items():
        if key == "street_lines":
            row["recipient_street1"] = value[0]
        else:
            row[f"recipient_{key}"] = value
    row.update(weight_g="450", length_mm="200", width_mm="150", height_mm="50")
    row.update(customs_category="sale_of_goods", currency="USD")
    for number, item in enumerate(items or [{}], start=1):
        defaults = {"description": "Cotton T-shirt", "quantity": "2", "unit_value": "9.90",
                    "hs_code": "610910", "origin_country": "CN", "unit_weight_g": "180"}  # fmt: skip
        defaults.update(item)
        row.update({f"item{number}_{key}": value for key, value in defaults.items()})
    row.update(overrides)
    return row


def csv_text(rows: list[dict[str, str]], items: int = 2) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=template_header(items=items))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


__all__ = ["RECIPIENT_BR", "csv_row", "csv_text"]
