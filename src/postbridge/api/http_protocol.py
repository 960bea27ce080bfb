"""uvicorn's httptools protocol, with a bound on the request head and TCP_NODELAY.

httptools (llhttp, in C) parses a request several times faster than uvicorn's pure-Python h11
(bench/api.py: /healthz 3,900 req/s against 2,200-2,700 on one process), which matters most
when the server is overloaded: every refused request (429, 503) is parsed too. But uvicorn's
httptools protocol puts no bound on the request head: a client could send an endless header
and the process would keep it all in memory. Here the request line and headers are counted as
they are parsed; past ``cap`` bytes the rest of the head is no longer stored, the answer is a
431 problem+json, and the rest of the head is read and dropped (up to ``DRAIN_LIMIT_BYTES`` or
``DRAIN_SECONDS``) before the close, so the client reads the answer instead of a connection
reset (a close with unread data makes the kernel send RST). Below the cap,
``api.limits.HeaderSizeLimit`` answers the same 431 from inside the app.

The cap is uvicorn's ``h11_max_incomplete_event_size`` setting (its name for the same bound);
``postbridge serve`` runs this protocol with
``http="postbridge.api.http_protocol:HeaderBoundedProtocol"``.
"""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

DRAIN_LIMIT_BYTES = 16 * 1024 * 1024
DRAIN_SECONDS = 5.0
DEFAULT_CAP_BYTES = 16 * 1024
# Per header line: ": " and CRLF around the name and the value, as on the wire.
HEADER_LINE_OVERHEAD = 4


class HeaderBoundedProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._cap = self.config.h11_max_incomplete_event_size or DEFAULT_CAP_BYTES
        self._head_bytes = 0
        self._head_path = b""
        self._oversized = False
        self._head_ended = False
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
        if self._oversized and not self._discarding:
            self._refuse()

    # Parser callbacks: count the head as it comes, stop storing it past the cap.
    def on_message_begin(self) -> None:
        self._head_bytes = 0
        self._head_path = b""
        super().on_message_begin()

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        if self._oversized:
            if not self._head_path:
                self._head_path = url[:200]
            return
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value) + HEADER_LINE_OVERHEAD)
        if not self._oversized:
            super().on_header(name, value)

    def on_headers_complete(self) -> None:
        if self._oversized:  # the whole head arrived in this read: answer, never run the app
            self._head_ended = True
            return
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self._oversized:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if not self._oversized:
            super().on_message_complete()

    def _count(self, size: int) -> None:
        self._head_bytes += size
        if self._head_bytes > self._cap:
            self._oversized = True

    def _refuse(self) -> None:
        path = (self._head_path or self.url or b"/").decode("latin-1")[:200]
        self.transport.write(_header_problem(path, self._cap))
        self._discarding = True
        if self._head_ended:  # the client has sent its head and now reads
            self.transport.close()
            return
        asyncio.get_running_loop().call_later(DRAIN_SECONDS, self.transport.close)

    def _discard(self, data: bytes) -> None:
        # The end of the head: the client has sent what it meant to and now reads.
        self._discarded += len(data)
        window = self._tail + data
        if b"\r\n\r\n" in window or self._discarded > DRAIN_LIMIT_BYTES:
            self.transport.close()
            return
        self._tail = window[-3:]


def _header_problem(path: str, cap: int) -> bytes:
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
