from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from postbridge.api.deps import PlatformDep, PrincipalDep
from postbridge.api.limits import describe_size
from postbridge.api.routes.shipments import PROBLEM_RESPONSES
from postbridge.bulk import batches, reading
from postbridge.bulk.models import ShipmentBatch
from postbridge.errors import InvalidInput, PayloadTooLarge
from postbridge.kit.ids import new_id
from postbridge.kit.schemas import Line

router = APIRouter(prefix="/shipment-batches", tags=["shipment batches"])


class BatchRead(BaseModel):
    id: str
    batch_key: str
    file_name: str
    status: str
    rows_total: int
    rows_booked: int
    rows_failed: int
    error: str | None
    results_url: str


def batch_read(batch: ShipmentBatch) -> dict[str, Any]:
    return {
        "id": batch.id,
        "batch_key": batch.batch_key,
        "file_name": batch.file_name,
        "status": batch.status,
        "rows_total": batch.rows_total,
        "rows_booked": batch.rows_booked,
        "rows_failed": batch.rows_failed,
        "error": batch.error,
        "results_url": f"/v1/shipment-batches/{batch.id}/results",
    }


@router.post(
    "",
    status_code=202,
    response_model=BatchRead,
    summary="Upload a CSV of parcels to book",
    description=(
        "Columns are documented in docs/csv-format.md (`postbridge csv-template` prints the "
        "header). Rows are booked by the worker (`postbridge worker`, started by "
        "`postbridge serve`), which resumes a batch after a crash; poll the batch, then read "
        "its results. "
        "The same `batch_key` with the same file returns the existing batch and books nothing "
        "twice; with another file it is 409."
    ),
    responses=PROBLEM_RESPONSES,
)
def upload_batch(
    file: UploadFile,
    platform: PlatformDep,
    principal: PrincipalDep,
    batch_key: Annotated[Line | None, Form(max_length=255)] = None,
) -> dict[str, Any]:
    # Stored under its upload id before the batch exists: the job queued with the batch names
    # this file, so the worker can never claim a batch whose file is not there yet.
    folder = platform.settings.var_dir / "batches"
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / f"{new_id('upl')}.csv"
    try:
        _stage_upload(file, stored, limit=platform.settings.max_upload_bytes)
        # The file-level checks (encoding, delimiter, header, at least one row) answer now,
        # naming the column, instead of a batch that fails in the worker.
        reading.inspect_csv(stored)
        sha = batches.file_sha256(stored)
        batch, created = batches.open_batch(
            database=platform.database,
            merchant_id=principal.merchant_id,
            batch_key=batch_key or f"sha256:{sha}",
            file_name=(file.filename or "upload.csv")[:255],
            sha256=sha,
            queue_source=stored,
        )
    except BaseException:
        stored.unlink(missing_ok=True)
        raise
    if not created:
        stored.unlink(missing_ok=True)
    return batch_read(batch)


def _stage_upload(file: UploadFile, target: Path, *, limit: int) -> None:
    """Copy the upload to ``target``, readable by this user only (it holds addresses)."""
    size = 0
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        while block := file.file.read(1 << 20):
            size += len(block)
            if size > limit:
                handle.close()
                target.unlink(missing_ok=True)
                raise PayloadTooLarge(
                    f"file: larger than {describe_size(limit)}; split the file",
                    limit_bytes=limit,
                )
            handle.write(block)
    if size == 0:
        target.unlink(missing_ok=True)
        raise InvalidInput.for_field("file", "the file is empty: expected a CSV with a header")


@router.get(
    "/{batch_id}", response_model=BatchRead, summary="Poll a batch", responses=PROBLEM_RESPONSES
)
def read_batch(batch_id: str, platform: PlatformDep, principal: PrincipalDep) -> dict[str, Any]:
    return batch_read(
        batches.get_batch(
            database=platform.database, batch_id=batch_id, merchant_id=principal.scope
        )
    )


@router.get(
    "/{batch_id}/results",
    summary="Every row's outcome: booked with its numbers, or rejected with field and message",
    responses={**PROBLEM_RESPONSES, 200: {"content": {"text/csv": {}, "application/json": {}}}},
)
def batch_results(
    batch_id: str,
    platform: PlatformDep,
    principal: PrincipalDep,
    format: Annotated[Literal["csv", "json"], Query()] = "csv",
    only: Annotated[Literal["all", "rejected"], Query()] = "all",
) -> StreamingResponse:
    batch = batches.get_batch(
        database=platform.database, batch_id=batch_id, merchant_id=principal.scope
    )
    rows = batches.batch_results(database=platform.database, batch_id=batch.id)
    if only == "rejected":
        rows = (row for row in rows if row["status"] == "rejected")
    if format == "json":
        return StreamingResponse(_json_lines(rows), media_type="application/json")
    return StreamingResponse(
        _csv_lines(rows),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{batch.id}-results.csv"'},
    )


def _csv_lines(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=batches.RESULT_COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _json_lines(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    import json

    yield '{"results": ['
    first = True
    for row in rows:
        yield ("" if first else ",") + json.dumps(row)
        first = False
    yield "]}"
