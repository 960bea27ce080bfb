"""The console's own scripts, served from the package (never a CDN): each page that needs a
little enhancement (live validation, a progress bar) loads ``/console/assets/<name>.js``, which
the page policy allows as a same-origin script. Only files in ``static/`` with a known suffix
are served; the name is matched against the directory listing, never joined into a path."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fastapi import APIRouter, Response

router = APIRouter(include_in_schema=False)
STATIC = Path(__file__).parent / "static"
MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


@cache
def _assets() -> dict[str, tuple[bytes, str]]:
    return {
        path.name: (path.read_bytes(), MEDIA_TYPES[path.suffix])
        for path in STATIC.iterdir()
        if path.is_file() and path.suffix in MEDIA_TYPES
    }


@router.get("/console/assets/{name}")
def console_asset(name: str) -> Response:
    found = _assets().get(name)
    if found is None:
        return Response("not found", status_code=404, media_type="text/plain")
    body, media_type = found
    return Response(
        body, media_type=media_type,
        headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"},
    )  # fmt: skip
