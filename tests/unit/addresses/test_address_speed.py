"""Per-call cost of normalize_address on a warm cache.

Run ``.venv/bin/python tests/unit/addresses/test_address_speed.py`` for the figures; the slow
test below guards against a regression to the library's millisecond-per-call path.
"""

from __future__ import annotations

import sys
import time
import timeit

import pytest

from postbridge.addresses import AddressInput, normalize_address, preload
from postbridge.errors import ProblemList

CASES: dict[str, tuple[AddressInput, str, str | None]] = {
    "US recipient": (
        AddressInput(
            name="Ann Lee",
            street_lines=("100 Congress Ave", "Suite 200"),
            city="Austin",
            region="Texas",
            postal_code="78701",
            country="US",
            phone="(512) 463-2000",
            email="ann@example.com",
        ),
        "recipient",
        "US",
    ),
    "BR recipient": (
        AddressInput(
            name="João Silva",
            street_lines=("Av. Paulista, 1000",),
            city="Sao Paulo",
            region="SP",
            postal_code="01310-100",
            country="BR",
            phone="11 98765-4321",
            tax_id="529.982.247-25",
        ),
        "recipient",
        "BR",
    ),
    "ES recipient": (
        AddressInput(
            name="Pepe Pérez",
            street_lines=("Calle Mayor 1",),
            city="Madrid",
            region="Madrid",
            postal_code="28013",
            country="ES",
            phone="912 345 678",
        ),
        "recipient",
        "ES",
    ),
    "CN sender": (
        AddressInput(
            name="Wang Wei",
            company="Shenzhen Bright Trading Co",
            street_lines=("No. 1 Keji Road",),
            city="Shenzhen",
            region="Guangdong",
            postal_code="518000",
            country="CN",
            phone="13800138000",
        ),
        "sender",
        None,
    ),
}


def microseconds_per_call(label: str, calls: int = 5000, repeat: int = 5) -> float:
    data, role, destination = CASES[label]

    def call() -> None:
        problems = ProblemList()
        normalize_address(
            data, path=role, role=role, destination_country=destination, problems=problems
        )
        assert not problems

    call()
    # CPU time of this process: other work on a shared machine does not inflate it.
    timings = timeit.repeat(call, number=calls, repeat=repeat, timer=time.process_time)
    return min(timings) / calls * 1e6


@pytest.mark.slow
@pytest.mark.parametrize("label", list(CASES))
def test_normalize_address_stays_in_the_tens_of_microseconds(label: str) -> None:
    # Generous bound for a shared 2-core machine; typical figures are 15-25 µs.
    assert microseconds_per_call(label, calls=2000, repeat=3) < 100


if __name__ == "__main__":
    preload()
    for name in CASES:
        sys.stdout.write(f"{name:14s} {microseconds_per_call(name, calls=20000):6.1f} µs/call\n")
