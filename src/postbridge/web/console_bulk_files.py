"""The console upload's file handling: store the uploaded CSV as the API does (readable by this
user only, refused past the size limit, checked for encoding, header and rows), open its batch
with the worker's job queued, and the sample file the upload page links to."""

from __future__ import annotations

import csv
import io
import os
from functools import cache
from pathlib import Path
from typing import BinaryIO

from postbridge.bulk import batches, reading
from postbridge.bulk.csv_format import template_header
from postbridge.bulk.models import ShipmentBatch
from postbridge.errors import InvalidInput, PayloadTooLarge, PostbridgeError
from postbridge.kit.ids import new_id
from postbridge.storage.unit_of_work import Database

SAMPLE_FILE_NAME = "sample-shipments.csv"
_SAMPLE_ROW = {
    "reference": "ORDER-1001", "service": "standard", "incoterm": "DDU",
    "sender_name": "Li Wei", "sender_company": "Shenzhen Gadgets Co",
    "sender_street1": "No. 8 Keji Road, Nanshan", "sender_city": "Shenzhen",
    "sender_region": "Guangdong", "sender_postal_code": "518057", "sender_country": "CN",
    "sender_phone": "+86 755 8888 8888", "sender_email": "ops@example.cn",
    "recipient_name": "Jane Doe", "recipient_street1": "100 Congress Ave",
    "recipient_city": "Austin", "recipient_region": "Texas", "recipient_postal_code": "78701",
    "recipient_country": "US", "recipient_phone": "512-555-0100",
    "recipient_email": "jane@example.com", "weight_g": "450", "length_mm": "200",
    "width_mm": "150", "height_mm": "50", "customs_category": "sale_of_goods", "currency": "USD",
    "item1_description": "Cotton T-shirt", "item1_quantity": "2", "item1_unit_value": "9.90",
    "item1_hs_code": "610910", "item1_origin_country": "CN", "item1_unit_weight_g": "180",
}  # fmt: skip


@cache
def sample_csv() -> str:
    """The template header (one item's columns) and one parcel that books as it is."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=template_header(items=1), lineterminator="\n")
    writer.writeheader()
    writer.writerow(_SAMPLE_ROW)
    return buffer.getvalue()


def describe_problem(error: PostbridgeError) -> str:
    """The error as the page says it: each problem with the field (or column) it is about."""
    problems = error.problems if isinstance(error, InvalidInput) else []
    if not problems:
        return error.detail
    return "; ".join(
        problem.message if problem.message.startswith(f"{problem.field}:")
        else f"{problem.field}: {problem.message}"
        for problem in problems
    )  # fmt: skip


def store_upload(
    *,
    database: Database,
    folder: Path,
    limit: int,
    merchant_id: str,
    file_name: str,
    source: BinaryIO,
) -> tuple[ShipmentBatch, bool]:
    """Store the file, check it and open its batch (or find the batch this same file opened
    before: the key is the file's hash, as in the API). The batch and true when it is new."""
    # Stored before the batch exists: the job queued with the batch names this file, so the
    # worker can never claim a batch whose file is not there yet.
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / f"{new_id('upl')}.csv"
    try:
        _copy_limited(source, stored, limit=limit)
        reading.inspect_csv(stored)
        sha = batches.file_sha256(stored)
        batch, created = batches.open_batch(
            database=database,
            merchant_id=merchant_id,
            batch_key=f"sha256:{sha}",
            file_name=_clean_name(file_name),
            sha256=sha,
            queue_source=stored,
        )
    except BaseException:
        stored.unlink(missing_ok=True)
        raise
    if not created:
        stored.unlink(missing_ok=True)
    return batch, created


def _copy_limited(source: BinaryIO, target: Path, *, limit: int) -> None:
    size = 0
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        while block := source.read(1 << 20):
            size += len(block)
            if size > limit:
                raise PayloadTooLarge(
                    f"file: larger than {describe_size(limit)}; split the file",
                    limit_bytes=limit,
                )
            handle.write(block)
    if size == 0:
        raise InvalidInput.for_field("file", "the file is empty: expected a CSV with a header")


def _clean_name(file_name: str) -> str:
    """The name as shown on the page: no folder (some browsers send one), no control
    characters (PostgreSQL refuses NUL), at most the column's 255 characters."""
    name = file_name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in name if ch.isprintable())[:255] or "upload.csv"


def describe_size(size: int) -> str:
    """1024 -> '1 KiB', 2097152 -> '2 MiB'; anything else in bytes."""
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale and size % scale == 0:
            return f"{size // scale} {unit}"
    return f"{size} bytes"
