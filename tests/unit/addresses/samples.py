"""Addresses and normalisation helpers shared by the address tests."""

from __future__ import annotations

from postbridge.addresses import AddressInput, NormalizedAddress, normalize_address
from postbridge.errors import FieldProblem, ProblemList

CN_SENDER = AddressInput(
    name="Wang Wei",
    company="Shenzhen Bright Trading Co",
    street_lines=("No. 1 Keji Road",),
    city="Shenzhen",
    region="Guangdong",
    postal_code="518000",
    country="CN",
    phone="138 0013 8000",
)


def recipient(
    data: AddressInput, destination: str | None = None
) -> tuple[NormalizedAddress | None, list[FieldProblem]]:
    """Normalise ``data`` as a recipient in ``destination`` (default: its own country)."""
    problems = ProblemList()
    result = normalize_address(
        data,
        path="recipient",
        role="recipient",
        destination_country=destination or data.country,
        problems=problems,
    )
    return result, problems.problems


def sender(data: AddressInput) -> tuple[NormalizedAddress | None, list[FieldProblem]]:
    problems = ProblemList()
    result = normalize_address(data, path="sender", role="sender", problems=problems)
    return result, problems.problems
