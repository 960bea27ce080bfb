"""Receiving an uploaded CSV, shared by the API's ``POST /v1/shipment-batches`` and the
console's upload page: store the file readable by this user only (it holds addresses), refuse
it past the size limit, check it (encoding, delimiter, header, at least one row) so the answer
names the column now instead of a batch failing in the worker, and open its batch with the
worker's job queued."""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

from postbridge.bulk import batches, reading
from postbridge.bulk.models import ShipmentBatch
from postbridge.errors import InvalidInput, PayloadTooLarge
from postbridge.kit.ids import new_id
from postbridge.kit.measures import describe_size
from postbridge.storage.unit_of_work import Database


def store_upload(
    *,
    database: Database,
    folder: Path,
    limit: int,
    merchant_id: str,
    file_name: str,
    source: BinaryIO,
    batch_key: str | None = None,
) -> tuple[ShipmentBatch, bool]:
    """Store the file, check it and open its batch (or find the batch the same key opened
    before; without a key it is the file's hash). The batch, and true when it is new."""
    # Stored under its upload id before the batch exists: the job queued with the batch names
    # this file, so the worker can never claim a batch whose file is not there yet.
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / f"{new_id('upl')}.csv"
    try:
        _copy_limited(source, stored, limit=limit)
        reading.inspect_csv(stored)
        sha = batches.file_sha256(stored)
        batch, created = batches.open_batch(
            database=database,
            merchant_id=merchant_id,
            batch_key=batch_key or f"sha256:{sha}",
            file_name=clean_file_name(file_name),
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


def clean_file_name(file_name: str) -> str:
    """The name as stored and shown: no folder (some browsers send one), no control
    characters (PostgreSQL refuses NUL), at most the column's 255 characters."""
    name = file_name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in name if ch.isprintable())[:255] or "upload.csv"
