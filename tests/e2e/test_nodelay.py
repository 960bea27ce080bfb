"""Connections accepted on a socket uvicorn made itself (``serve --workers N``) get TCP_NODELAY:
without it each small response's body waited for the client's delayed ACK (~40 ms)."""

from __future__ import annotations

import socket
import threading

import uvicorn

from postbridge.api.http_protocol import HeaderBoundedProtocol
from postbridge.app import create_app
from postbridge.bootstrap import Platform
from postbridge.cli.serve import BOUNDED_HTTP
from tests.e2e.test_worker_crash import wait_until


def test_connections_on_a_socket_of_proto_0_get_tcp_nodelay(platform: Platform) -> None:
    # What uvicorn's bind_socket() makes for several workers: proto 0, which asyncio's own
    # TCP_NODELAY (only for proto IPPROTO_TCP) leaves out.
    listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listening.bind(("127.0.0.1", 0))
    assert listening.proto == 0
    config = uvicorn.Config(create_app(platform=platform), log_level="warning", http=BOUNDED_HTTP)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listening]}, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, 20, "uvicorn to start")
        with socket.create_connection(listening.getsockname()) as client:
            client.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert client.recv(65536).startswith(b"HTTP/1.1 200")
            [protocol] = server.server_state.connections
            assert isinstance(protocol, HeaderBoundedProtocol)
            accepted = protocol.transport.get_extra_info("socket")
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listening.close()
