"""uvicorn's h11 protocol, answering headers over its cap with a 431 instead of a reset.

uvicorn stops a request whose headers outgrow ``h11_max_incomplete_event_size`` (memory stays
bounded) with a plain-text 400 and closes the socket at once. The client is usually still
sending its headers then, and a close with unread data makes the kernel reset the connection:
the client sees ``connection reset``, never the answer. Here the answer is a 431
problem+json, and the rest of the headers is read and dropped (up to ``DRAIN_LIMIT_BYTES`` or
``DRAIN_SECONDS``) before the close, so the client reads it. Below the cap,
``api.limits.HeaderSizeLimit`` answers the same 431 from inside the app.

``postbridge serve`` runs it with ``http="postbridge.api.http_protocol:HeaderBoundedH11Protocol"``.
"""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

DRAIN_LIMIT_BYTES = 16 * 1024 * 1024
DRAIN_SECONDS = 5.0
DEFAULT_CAP_BYTES = 16 * 1024  # uvicorn's own default for h11_max_incomplete_event_size


class HeaderBoundedH11Protocol(H11Protocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._discarding = False
        self._discarded = 0
        self._tail = b""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        # TCP_NODELAY on every connection (issue 16). asyncio sets it only on sockets whose
        # proto is IPPROTO_TCP; ``serve --workers N`` listens on uvicorn's own socket, made
        # with proto 0, so its connections kept Nagle on: a response's head and body are two
        # writes, and the body waited for the client's delayed ACK, ~40 ms on every small
        # answer (bench/api.py: /healthz at 180 req/s on two workers, 4,700 on one).
        connection = transport.get_extra_info("socket")
        if connection is not None and connection.family in (socket.AF_INET, socket.AF_INET6):
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if self._discarding:
            self._discard(data)
            return
        super().data_received(data)

    def send_400_response(self, msg: str) -> None:
        buffered, _ = self.conn.trailing_data
        cap = self.config.h11_max_incomplete_event_size or DEFAULT_CAP_BYTES
        if len(buffered) <= cap:  # a malformed request, not an oversized one: uvicorn's 400
            super().send_400_response(msg)
            return
        self.transport.write(_header_problem(buffered, cap))
        self._discarding = True
        asyncio.get_running_loop().call_later(DRAIN_SECONDS, self.transport.close)
        self._discard(buffered)

    def _discard(self, data: bytes) -> None:
        # The end of the headers: the client has sent what it meant to and now reads.
        self._discarded += len(data)
        window = self._tail + data
        if b"\r\n\r\n" in window or self._discarded > DRAIN_LIMIT_BYTES:
            self.transport.close()
            return
        self._tail = window[-3:]


def _header_problem(buffered: bytes, cap: int) -> bytes:
    request_line = buffered.split(b"\r\n", 1)[0].split(b" ")
    path = request_line[1].decode("latin-1")[:200] if len(request_line) > 1 else "/"
    body = json.dumps(
        {
            "type": "https://postbridge.dev/problems/headers_too_large",
            "title": "Request header fields too large",
            "status": 431,
            "code": "headers_too_large",
            "detail": f"the request headers exceed {cap // 1024} KiB",
            "instance": path.split("?", 1)[0],
            "limit_bytes": cap,
        }
    ).encode()
    head = (
        "HTTP/1.1 431 Request Header Fields Too Large\r\n"
        "content-type: application/problem+json\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode() + body
