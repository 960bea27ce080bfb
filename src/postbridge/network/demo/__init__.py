"""The demo network shipped with postbridge (see ``network.yaml`` for its assumptions)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from postbridge.network.loader import load_network
from postbridge.network.model import Network

DEMO_DIRECTORY = Path(__file__).parent


@cache
def demo_network() -> Network:
    """Load the demo network once per process."""
    return load_network(DEMO_DIRECTORY)
