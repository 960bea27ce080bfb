"""What partners push to us: ``POST /v1/partner-notifications/{partner}/tracking``.

No API key: the partner signs each notification with the secret of its subscription, and the
partner's adapter checks that signature before anything else is read (401 when it does not
match). The answer comes once the scans are stored (handover.tracking_push)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from starlette.concurrency import run_in_threadpool

from postbridge.api.deps import PlatformDep
from postbridge.handover.tracking_push import receive_push
from postbridge.tracking.schemas import IngestResult, ingest_result

router = APIRouter(tags=["partners"])

RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "The partner's signature is missing or wrong (problem+json)."},
    404: {"description": "This partner pushes no notifications (problem+json)."},
    422: {"description": "The body is not the partner's documented format (problem+json)."},
}


@router.post(
    "/partner-notifications/{partner}/tracking",
    response_model=IngestResult,
    summary="Tracking notifications a partner pushes (signed by the partner; no API key)",
    description=(
        "The listener of a partner's tracking subscription (USPS subscriptions-tracking v3r2: a "
        "`scanEventEx` body with its `X-HMAC` signature). 200 once the scans are stored; a "
        "notification posted again adds nothing (events are deduplicated). 401 when the "
        "signature is missing or wrong, 422 for a body that is not the partner's format, 404 for a partner that pushes no notifications."
    ),
    responses=RESPONSES,
)
async def post_partner_tracking(
    request: Request,
    platform: PlatformDep,
    partner: Annotated[str, Path(max_length=40, examples=["USPS"])],
) -> IngestResult:
    body = await request.body()
    counts = await run_in_threadpool(
        receive_push,
        database=platform.database,
        registry=platform.partners,
        partner=partner.strip().upper(),
        body=body,
        headers=dict(request.headers),
    )
    return ingest_result(counts)
