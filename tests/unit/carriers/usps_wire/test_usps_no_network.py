"""The socket guard of this folder's conftest really refuses connections."""

from __future__ import annotations

import socket

import pytest

from tests.unit.carriers.usps_wire.conftest import NetworkDisabled


def test_connecting_a_socket_fails() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as connection:
        with pytest.raises(NetworkDisabled):
            connection.connect(("127.0.0.1", 9))
        with pytest.raises(NetworkDisabled):
            connection.connect_ex(("127.0.0.1", 9))
