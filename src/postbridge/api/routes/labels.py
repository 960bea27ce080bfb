"""Labels API: one shipment's label (PDF, ZPL, PNG), or many merged into one PDF or ZPL."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import Field, StrictInt, model_validator

from postbridge.api.deps import PlatformDep, PrincipalDep
from postbridge.api.offload import run_blocking
from postbridge.api.routes.shipments import PROBLEM_RESPONSES
from postbridge.bulk import batches
from postbridge.kit.schemas import Line, StrictModel
from postbridge.labelling.service import (
    MAX_LABELS_PER_REQUEST,
    LabelFormat,
    RenderedLabels,
    render_labels,
)

router = APIRouter(tags=["labels"])
LABEL_RESPONSES = {
    **PROBLEM_RESPONSES,
    200: {
        "description": "The label: PDF (4x6 or A6), ZPL (203 dpi Zebra stream) or PNG (203 dpi).",
        "content": {"application/pdf": {}, "application/x-zpl": {}, "image/png": {}},
    },
}


def _response(rendered: RenderedLabels) -> Response:
    return Response(
        content=rendered.content,
        media_type=rendered.media_type,
        headers={"Content-Disposition": f'inline; filename="{rendered.file_name}"'},
    )


@router.get(
    "/shipments/{shipment_id}/label",
    summary="A shipment's label (S10, IMpb for USPS last mile, CN22 block or CN23 page)",
    response_class=Response,
    responses=LABEL_RESPONSES,
)
async def shipment_label(
    shipment_id: str,
    platform: PlatformDep,
    principal: PrincipalDep,
    format: LabelFormat = LabelFormat.PDF,
    size: Annotated[Literal["4x6", "A6"], Query(description="PDF page size")] = "4x6",
) -> Response:
    # Rendering is CPU and database work: in the API's thread pool (api.offload says why).
    rendered = await run_blocking(
        render_labels,
        database=platform.database,
        shipment_ids=[shipment_id],
        merchant_id=principal.scope,
        partners=platform.partners,
        label_format=format,
        page_size=size,
    )
    return _response(rendered)


class LabelBatchRequest(StrictModel):
    shipment_ids: Annotated[list[Line], Field(max_length=MAX_LABELS_PER_REQUEST)] = []
    batch_id: Line | None = Field(None, description="Every booked row of a bulk-capture batch.")
    offset: Annotated[StrictInt, Field(ge=0, le=10_000_000)] = Field(
        0, description="With batch_id: rows to skip."
    )
    format: Literal["pdf", "zpl"] = "pdf"
    size: Literal["4x6", "A6"] = "4x6"

    @model_validator(mode="after")
    def _one_source(self) -> LabelBatchRequest:
        if bool(self.shipment_ids) == bool(self.batch_id):
            raise ValueError("give either shipment_ids or batch_id")
        return self


@router.post(
    "/labels",
    summary="Many labels as one merged PDF or one ZPL stream",
    response_class=Response,
    responses=LABEL_RESPONSES,
)
def label_batch(
    body: LabelBatchRequest, platform: PlatformDep, principal: PrincipalDep
) -> Response:
    ids = body.shipment_ids
    if body.batch_id:
        ids = batches.booked_shipment_ids(
            database=platform.database,
            batch_id=body.batch_id,
            merchant_id=principal.scope,
            offset=body.offset,
            limit=MAX_LABELS_PER_REQUEST,
        )
    return _response(
        render_labels(
            database=platform.database,
            shipment_ids=ids,
            merchant_id=principal.scope,
            partners=platform.partners,
            label_format=LabelFormat(body.format),
            page_size=body.size,
        )
    )
