from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from postbridge.api.deps import PlatformDep, PrincipalDep
from postbridge.api.routes.shipments import PROBLEM_RESPONSES
from postbridge.bulk import batches, uploads
from postbridge.bulk.models import ShipmentBatch
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
    batch, _ = uploads.store_upload(
        database=platform.database,
        folder=platform.settings.var_dir / "batches",
        limit=platform.settings.max_upload_bytes,
        merchant_id=principal.merchant_id,
        file_name=file.filename or "upload.csv",
        source=file.file,
        batch_key=batch_key,
    )
    return batch_read(batch)


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
