"""Errors of the network definition: every problem names its file, line and field."""

from __future__ import annotations

from dataclasses import dataclass

from postbridge.errors import PostbridgeError


@dataclass(frozen=True, slots=True)
class DefinitionProblem:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class NetworkDefinitionError(PostbridgeError):
    """The network files are invalid; ``problems`` lists every offending field found."""

    code = "network_definition_invalid"
    http_status = 500
    title = "Invalid network definition"

    def __init__(self, problems: list[DefinitionProblem]) -> None:
        shown = "\n".join(f"  {problem}" for problem in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"invalid network definition ({len(problems)} problems):\n{shown}{more}")
        self.problems = list(problems)
