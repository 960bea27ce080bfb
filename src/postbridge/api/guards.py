"""Requests refused before routing: control characters in the path or the query string.

No resource has an id with a control character (kit.text), so such a path is a 404 whatever the
route; a query parameter holding one is a 422 naming the parameter, as a schema error would be.
Either way the database never sees text it cannot store (PostgreSQL refuses NUL outright), on
every route, present and future. Body fields are checked by their schemas (kit.schemas).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from postbridge.api.problems import problem_response
from postbridge.errors import FieldProblem
from postbridge.kit.text import control_character, control_character_problem

# A control character in a query string, raw or percent-encoded (%00-%1F, %7F).
_ENCODED_CONTROL = re.compile(rb"%(?:[01][0-9A-Fa-f]|7[Ff])|[\x00-\x1f\x7f]")


class ControlCharacterGuard:
    """Pure ASGI middleware: one regular-expression search per request when all is well."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            if control_character(path) is not None:
                response = problem_response(
                    status=404,
                    code="not_found",
                    title="Not found",
                    detail="nothing exists at a path with control characters",
                    instance=path,
                )
                await response(scope, receive, send)
                return
            query: bytes = scope.get("query_string", b"")
            problem = _query_problem(query) if _ENCODED_CONTROL.search(query) else None
            if problem is not None:
                response = problem_response(
                    status=422,
                    code="invalid_input",
                    title="Invalid input",
                    detail=f"{problem.field}: {problem.message}",
                    instance=path,
                    errors=[problem],
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _query_problem(query: bytes) -> FieldProblem | None:
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        message = control_character_problem(name) or control_character_problem(value)
        if message is not None:
            return FieldProblem(name, message, "control_character")
    return None
