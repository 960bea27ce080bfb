"""Security headers on every HTML page: a Content-Security-Policy, no framing, no sniffing, no
referrer. Pages with inline scripts or styles (the console, /docs) send their own policy with a
per-response nonce (``page_policy``); every other HTML response gets the strict default."""

from __future__ import annotations

import secrets

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Same-origin files only; data: images are Swagger UI's icons (SVG in its stylesheet).
DEFAULT_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
FIXED_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def page_policy(nonce: str) -> dict[str, str]:
    """Headers for a page whose inline ``<script>`` and ``<style>`` elements carry ``nonce``."""
    return {
        "Content-Security-Policy": (
            f"default-src 'self'; script-src 'self' 'nonce-{nonce}'; "
            f"style-src 'self' 'nonce-{nonce}'; img-src 'self' data:; object-src 'none'; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        ),
        **FIXED_HEADERS,
    }


class SecurityHeadersMiddleware:
    """Adds the headers a ``text/html`` response does not set itself (it never overrides)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if headers.get("content-type", "").startswith("text/html"):
                    for name, value in {
                        "Content-Security-Policy": DEFAULT_POLICY,
                        **FIXED_HEADERS,
                    }.items():
                        if name not in headers:
                            headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
