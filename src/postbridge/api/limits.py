"""Limits at the edge: header and body sizes, refused before the work (or the body) is read.

Pure ASGI middlewares, so a refused request costs a header scan and no body buffering:

* headers over ``max_header_bytes`` answer 431. uvicorn's own h11 cap (``serve`` sets it to
  four times ours) stays the hard stop for what never becomes a request at all;
* a body over its limit answers 413 ``payload_too_large`` naming the limit: at once when its
  Content-Length says so (the body is never read; a client waiting on ``Expect: 100-continue``
  sends nothing), else as soon as the running count passes the limit while it streams in.
  JSON and every other body get ``max_json_bytes``; multipart uploads ``max_upload_bytes``
  plus room for the form's other fields (the route bounds the file itself exactly).

The 413 keeps the connection: uvicorn discards the rest of a body the app did not read and the
client reads its answer after sending, with no reset. ``install_edge_limits`` also installs
the overload answers of ``api.overload`` (rate limit, load shedding).
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from postbridge.api.problems import problem_response
from postbridge.config import Settings
from postbridge.kit.measures import describe_size

# A multipart upload carries its file and a few small form fields (batch_key) with their part
# headers: the route checks the file against max_upload_bytes, this bounds the rest.
MULTIPART_ALLOWANCE_BYTES = 64 * 1024


class HeaderSizeLimit:
    """431 for a request whose header lines add up to more than ``limit`` bytes."""

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            size = sum(len(name) + len(value) + 4 for name, value in scope["headers"])
            if size > self.limit:
                response = problem_response(
                    status=431,
                    code="headers_too_large",
                    title="Request header fields too large",
                    detail=f"the request headers exceed {describe_size(self.limit)}",
                    instance=scope["path"],
                    limit_bytes=self.limit,
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class _BodyTooLarge(Exception):
    """Raised into the app by the counting ``receive``: it stops whatever reads the body."""


class BodySizeLimit:
    def __init__(self, app: ASGIApp, *, json_limit: int, upload_limit: int) -> None:
        self.app = app
        self.json_limit = json_limit
        self.upload_limit = upload_limit

    def limit_for(self, scope: Scope) -> tuple[int, str]:
        content_type = _header(scope, b"content-type") or b""
        if content_type.lower().startswith(b"multipart/form-data"):
            return self.upload_limit + MULTIPART_ALLOWANCE_BYTES, "upload"
        return self.json_limit, "JSON body"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, what = self.limit_for(scope)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _payload_too_large(scope, receive, send, limit=limit, what=what)
            return
        received = 0
        exceeded = False
        response_started = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if exceeded and not response_started:
                return  # the app's answer to a cut body (a 400) gives way to the 413 below
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            # Whatever the cut body made the app raise; anything else is the app's own error.
            if not exceeded or response_started:
                raise
        if exceeded and not response_started:
            await _payload_too_large(scope, receive, send, limit=limit, what=what)


async def _payload_too_large(
    scope: Scope, receive: Receive, send: Send, *, limit: int, what: str
) -> None:
    response = problem_response(
        status=413,
        code="payload_too_large",
        title="Payload too large",
        detail=f"the {what} exceeds the limit of {describe_size(limit)}",
        instance=scope["path"],
        limit_bytes=limit,
    )
    await response(scope, receive, send)


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


def _content_length(scope: Scope) -> int | None:
    raw = _header(scope, b"content-length")
    if raw is None or not raw.isdigit():
        return None  # chunked, or a malformed length the server itself refuses
    return int(raw)


def install_edge_limits(app: FastAPI, settings: Settings) -> None:
    """Outermost first: header size, rate limit, load shedding, body size, then the app."""
    from postbridge.api.overload import LoadShedder, RateLimiter

    # add_middleware puts each one outside the previous ones: add innermost first.
    app.add_middleware(
        BodySizeLimit,
        json_limit=settings.max_json_bytes,
        upload_limit=settings.max_upload_bytes,
    )
    app.add_middleware(LoadShedder, bound=settings.max_requests_in_flight)
    if settings.rate_limit_per_second > 0:
        app.add_middleware(
            RateLimiter, rate=settings.rate_limit_per_second, burst=settings.rate_limit_burst
        )
    app.add_middleware(HeaderSizeLimit, limit=settings.max_header_bytes)
