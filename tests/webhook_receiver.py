"""A real HTTP receiver on 127.0.0.1 for webhook tests: a threaded server that records every
request and answers what ``respond`` says (by request number, from 1)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True, slots=True)
class Received:
    headers: dict[str, str]
    body: str

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]


class Receiver:
    def __init__(
        self,
        respond: Callable[[int], int] = lambda _n: 200,
        *,
        port: int = 0,
        delay_seconds: float = 0.0,
        keep_alive: bool = False,
    ) -> None:
        self.respond = respond
        self.delay_seconds = delay_seconds
        self.received: list[Received] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            # Keep-alive as real receivers do (the bench), or a connection per request: then
            # every socket is closed by the time the test ends.
            protocol_version = "HTTP/1.1" if keep_alive else "HTTP/1.0"
            # Headers and body go out in two writes: without this, Nagle and delayed ACKs
            # hold every keep-alive answer back ~40 ms.
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0"))).decode()
                with receiver._lock:
                    receiver.received.append(
                        Received({k.lower(): v for k, v in self.headers.items()}, body)
                    )
                    number = len(receiver.received)
                if receiver.delay_seconds:
                    time.sleep(receiver.delay_seconds)
                status = receiver.respond(number)
                answer = b"ok" if status < 300 else b"receiver says no " * 200  # > 1 KiB
                self.send_response(status)
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def handle_one_request(self) -> None:
                try:
                    super().handle_one_request()
                except (ConnectionResetError, BrokenPipeError):
                    # The worker reads 1 KiB of an answer, then drops the connection.
                    self.close_connection = True

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 256  # the worker opens many connections at once

        self.server = Server(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def ids(self) -> list[str]:
        with self._lock:
            return [r.webhook_id for r in self.received]
