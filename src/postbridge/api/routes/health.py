"""Probes: /healthz (the process answers), /readyz (the database answers)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from postbridge import __version__
from postbridge.api.deps import PlatformDep
from postbridge.api.problems import problem_response

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness: the process answers")
async def healthz() -> dict[str, str]:
    # On the event loop: liveness must not queue behind busy thread-pool workers.
    return {"status": "ok", "version": __version__}


@router.get("/readyz", summary="Readiness: the database answers", response_model=None)
def readyz(platform: PlatformDep) -> dict[str, str] | JSONResponse:
    try:
        with platform.database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means "not ready"
        return problem_response(
            status=503,
            code="database_unavailable",
            title="Database unavailable",
            detail=f"the database does not answer: {type(exc).__name__}",
            instance="/readyz",
        )
    return {"status": "ready", "database": platform.database.dialect}
