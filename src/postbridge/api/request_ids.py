"""Every request gets an id: the client's ``X-Request-Id`` when it is sane, else a new one. It is
echoed in the response header and in every log line written while the request is served, and
one line per request records its method, path, status and duration (no query string: merchants'
references and filters stay out of the log)."""

from __future__ import annotations

import logging
import re
import secrets
import time

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from postbridge.kit.structured_logs import REQUEST_ID

REQUEST_ID_HEADER = "X-Request-Id"
# Printable, short and free of separators: the id goes into log lines and response headers.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
log = logging.getLogger("postbridge.requests")


def new_request_id() -> str:
    return "req_" + secrets.token_hex(12)


def inbound_request_id(raw: bytes | None) -> str:
    if raw is not None:
        text = raw.decode("latin-1")
        if _SANE_REQUEST_ID.fullmatch(text):
            return text
    return new_request_id()


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = next((v for k, v in scope["headers"] if k == b"x-request-id"), None)
        request_id = inbound_request_id(raw)
        # Not reset afterwards on purpose: the server serves each request in its own task (its
        # own context), and the 500 handler, which runs outside this middleware, still logs it.
        REQUEST_ID.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            log.info(
                "%s %s %s",
                scope["method"],
                scope["path"],
                status,
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
