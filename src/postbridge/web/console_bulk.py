"""Console bulk upload: a merchant user uploads a shipments CSV, follows its progress (a bar that
static/upload.js refreshes by polling; a Refresh link without JavaScript), reads the first
rows' outcomes, downloads every row's outcome as CSV, and prints the batch's labels.

The file is stored and its batch opened as the API's upload does (same size limit, same
file-level checks); the worker books it, never this process. Every page is scoped to the
signed-in merchant: another merchant's batch is a 404 page."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse, StreamingResponse

from postbridge.bulk import batches, csv_format
from postbridge.bulk.models import ShipmentBatch
from postbridge.bulk.uploads import store_upload
from postbridge.console.service import ConsoleIdentity
from postbridge.errors import PostbridgeError
from postbridge.kit.measures import describe_size
from postbridge.labelling.service import MAX_LABELS_PER_REQUEST, LabelFormat, render_labels
from postbridge.web.console_bulk_files import SAMPLE_FILE_NAME, describe_problem, sample_csv
from postbridge.web.console_pages import (
    current_identity,
    message_page,
    not_found,
    platform_of,
    render,
    signed_in_form,
    to_sign_in,
)

router = APIRouter(include_in_schema=False)
RECENT_BATCHES = 25
RESULT_ROWS_SHOWN = 50
FINISHED = (batches.BatchStatus.COMPLETED, batches.BatchStatus.FAILED)
LABEL_FORMATS = {"pdf": LabelFormat.PDF, "zpl": LabelFormat.ZPL}


def _uploads_page(
    request: Request, identity: ConsoleIdentity, *, error: str | None = None, status_code: int = 200
) -> Response:
    try:
        recent = batches.list_batches(
            database=platform_of(request).database,
            merchant_id=identity.scope,
            limit=RECENT_BATCHES,
        )
    except PostbridgeError as exc:
        return message_page(
            request, identity=identity, status_code=exc.http_status,
            title="Batches could not be listed", message=exc.detail,
        )  # fmt: skip
    return render(
        request, "console/uploads.html",
        {"active": "uploads", "batches": recent, "error": error,
         "max_upload": describe_size(platform_of(request).settings.max_upload_bytes),
         "sample_name": SAMPLE_FILE_NAME, "columns": csv_format},
        identity=identity, status_code=status_code,
    )  # fmt: skip


@router.get("/uploads")
def uploads(request: Request) -> Response:
    identity = current_identity(request)
    if identity is None:
        return to_sign_in(request)
    return _uploads_page(request, identity)


@router.get(f"/uploads/{SAMPLE_FILE_NAME}")
def sample(request: Request) -> Response:
    if current_identity(request) is None:
        return to_sign_in(request)
    return Response(
        sample_csv(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{SAMPLE_FILE_NAME}"'},
    )


@router.post("/uploads")
def upload(
    request: Request,
    csrf_token: Annotated[str | None, Form()] = None,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    identity = signed_in_form(request, csrf_token)
    if not isinstance(identity, ConsoleIdentity):
        return identity
    if identity.is_operator or identity.merchant_id is None:
        # An operator books for no merchant: the batch would have no owner.
        return _uploads_page(
            request, identity, status_code=403,
            error="Uploads are made by a merchant's users: sign in as a user of the merchant "
            "whose parcels these are. Operators see every merchant's batches below.",
        )  # fmt: skip
    if file is None or not file.filename:
        return _uploads_page(
            request, identity, status_code=422, error="file: choose a CSV file to upload"
        )
    platform = platform_of(request)
    try:
        batch, created = store_upload(
            database=platform.database,
            folder=platform.settings.var_dir / "batches",
            limit=platform.settings.max_upload_bytes,
            merchant_id=identity.merchant_id,
            file_name=file.filename,
            source=file.file,
        )
    except PostbridgeError as exc:
        return _uploads_page(
            request, identity, status_code=exc.http_status, error=describe_problem(exc)
        )
    suffix = "" if created else "?existing=1"
    return RedirectResponse(f"/uploads/{batch.id}{suffix}", status_code=303)


def _own_batch(request: Request, batch_id: str) -> tuple[ConsoleIdentity, ShipmentBatch] | Response:
    """The signed-in user's batch, or the page to answer instead (sign-in, a 404 page)."""
    identity = current_identity(request)
    if identity is None:
        return to_sign_in(request)
    try:
        batch = batches.get_batch(
            database=platform_of(request).database, batch_id=batch_id, merchant_id=identity.scope
        )
    except PostbridgeError:
        return not_found(request, identity, "batch")
    return identity, batch


def progress_of(batch: ShipmentBatch) -> dict[str, Any]:
    return {
        "id": batch.id,
        "status": batch.status,
        "finished": batch.status in FINISHED,
        "rows_done": batch.rows_booked + batch.rows_failed,
        # The total is known once the worker has read the whole file.
        "rows_total": batch.rows_total if batch.status in FINISHED else None,
        "rows_booked": batch.rows_booked,
        "rows_failed": batch.rows_failed,
        "error": batch.error,
    }


@contextmanager
def _ending(rows: Iterator[Any]) -> Iterator[None]:
    """Close a results generator when done with it, read to the end or not: its unit of work
    (and the database connection) is given back now, not when it is collected."""
    try:
        yield
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()


def label_pages(batch: ShipmentBatch) -> list[tuple[int, int]]:
    """(offset, last row number) of each labels document: at most MAX_LABELS_PER_REQUEST."""
    return [
        (offset, min(offset + MAX_LABELS_PER_REQUEST, batch.rows_booked))
        for offset in range(0, batch.rows_booked, MAX_LABELS_PER_REQUEST)
    ]


def _batch_view(request: Request, batch_id: str, template: str, extra: dict[str, Any]) -> Response:
    """The batch page, or its results section alone (what upload.js puts in the page when
    the batch ends: the page's own markup, rendered once, here)."""
    found = _own_batch(request, batch_id)
    if isinstance(found, Response):
        return found
    identity, batch = found
    progress = progress_of(batch)
    try:
        results = (
            batches.first_results(
                database=platform_of(request).database,
                batch_id=batch.id,
                limit=RESULT_ROWS_SHOWN,
            )
            if progress["finished"]
            else []
        )
    except PostbridgeError as exc:
        return message_page(
            request, identity=identity, status_code=exc.http_status,
            title="The results could not be read", message=exc.detail,
        )  # fmt: skip
    return render(
        request, template,
        {"active": "uploads", "batch": batch, "progress": progress, "results": results,
         "shown_limit": RESULT_ROWS_SHOWN, "label_pages": label_pages(batch), **extra},
        identity=identity,
    )  # fmt: skip


@router.get("/uploads/{batch_id}")
def batch_page(
    request: Request, batch_id: str, existing: Annotated[str | None, Query(max_length=5)] = None
) -> Response:
    return _batch_view(request, batch_id, "console/upload.html", {"existing": existing is not None})


@router.get("/uploads/{batch_id}/summary")
def batch_summary(request: Request, batch_id: str) -> Response:
    return _batch_view(request, batch_id, "console/_upload_results.html", {})


@router.get("/uploads/{batch_id}/progress")
def batch_progress(request: Request, batch_id: str) -> Response:
    found = _own_batch(request, batch_id)
    if isinstance(found, Response):
        if found.status_code == 404:
            return JSONResponse({"detail": "no such batch"}, status_code=404)
        return found
    return JSONResponse(progress_of(found[1]), headers={"Cache-Control": "no-store"})


@router.get("/uploads/{batch_id}/results.csv")
def results_csv(request: Request, batch_id: str) -> Response:
    found = _own_batch(request, batch_id)
    if isinstance(found, Response):
        return found
    batch = found[1]
    rows = batches.batch_results(database=platform_of(request).database, batch_id=batch.id)
    return StreamingResponse(
        _csv_lines(rows),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{batch.id}-results.csv"',
            "Cache-Control": "no-store",
        },
    )


def _csv_lines(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    """The results file in blocks of about 64 KiB: memory does not grow with the batch."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=batches.RESULT_COLUMNS)
    writer.writeheader()
    with _ending(rows):
        for row in rows:
            writer.writerow(row)
            if buffer.tell() > 64 * 1024:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
    yield buffer.getvalue()


@router.get("/uploads/{batch_id}/labels")
def batch_labels(
    request: Request,
    batch_id: str,
    format: Annotated[str, Query(max_length=10)] = "pdf",
    offset: Annotated[str, Query(max_length=12)] = "0",
) -> Response:
    found = _own_batch(request, batch_id)
    if isinstance(found, Response):
        return found
    identity, batch = found
    label_format = LABEL_FORMATS.get(format)
    if label_format is None or not offset.isdigit() or not offset.isascii():
        return message_page(
            request, identity=identity, status_code=422, title="Labels could not be printed",
            message="format: expected pdf or zpl; offset: expected a whole number of rows",
        )  # fmt: skip
    platform = platform_of(request)
    try:
        ids = batches.booked_shipment_ids(
            database=platform.database, batch_id=batch.id, merchant_id=identity.scope,
            offset=int(offset), limit=MAX_LABELS_PER_REQUEST,
        )  # fmt: skip
        if not ids:
            return message_page(
                request, identity=identity, status_code=409, title="No labels to print",
                message="This batch has no booked rows"
                + (" after this offset." if int(offset) else ": there is no label to print."),
            )  # fmt: skip
        rendered = render_labels(
            database=platform.database, shipment_ids=ids, merchant_id=identity.scope,
            label_format=label_format, partners=platform.partners,
        )  # fmt: skip
    except PostbridgeError as exc:
        return message_page(
            request, identity=identity, status_code=exc.http_status,
            title="Labels could not be printed", message=describe_problem(exc),
        )  # fmt: skip
    return Response(
        rendered.content,
        media_type=rendered.media_type,
        headers={
            "Content-Disposition": f'inline; filename="{batch.id}-{rendered.file_name}"',
            "Cache-Control": "no-store",
        },
    )
