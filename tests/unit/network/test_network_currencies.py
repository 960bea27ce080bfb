"""The loader keeps booking's price comparison honest: one currency per service level."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from postbridge.network import NetworkDefinitionError, load_network

TINY = Path(__file__).parent / "tiny"


def test_products_of_one_service_level_share_a_currency(tmp_path: Path) -> None:
    target = tmp_path / "net"
    shutil.copytree(TINY, target)
    network_file = target / "network.yaml"
    text = network_file.read_text(encoding="utf-8")
    head, tail = text.split("  - code: DDP", 1)
    network_file.write_text(
        head + "  - code: DDP" + tail.replace("currency: USD", "currency: EUR", 1),
        encoding="utf-8",
    )

    with pytest.raises(NetworkDefinitionError) as caught:
        load_network(target)

    assert [str(problem) for problem in caught.value.problems] == [
        "network.yaml:54: products[1].currency: products of service 'standard' must share one "
        "currency (USD): booking compares their prices"
    ]
