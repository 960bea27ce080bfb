"""RFC 9457 problem details for every error, with a stable ``code`` and offending field paths."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from postbridge.errors import FieldProblem, InvalidInput, PostbridgeError
from postbridge.kit.structured_logs import REQUEST_ID

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://postbridge.dev/problems/"
log = logging.getLogger("postbridge.api")


def problem_response(
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    instance: str,
    errors: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": TYPE_BASE + code,
        "title": title,
        "status": status,
        "code": code,
        "detail": detail,
        "instance": instance,
    }
    if errors:
        body["errors"] = [problem.to_json() for problem in errors]
    body.update({key: value for key, value in extra.items() if value is not None})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    """('body', 'recipient', 'postal_code') -> 'recipient.postal_code'; list indexes in brackets."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header"):
        source = parts.pop(0)
        if not parts:
            return str(source)
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path


def _validation_problems(exc: RequestValidationError) -> tuple[int, str, list[FieldProblem]]:
    problems: list[FieldProblem] = []
    malformed = False
    for error in exc.errors():
        kind = str(error.get("type", "invalid"))
        if kind == "json_invalid":
            malformed = True
            ctx = error.get("ctx") or {}
            message = f"malformed JSON: {ctx.get('error', 'cannot parse the body')}"
            problems.append(FieldProblem("body", message, "malformed_json"))
            continue
        message = str(error.get("msg", "invalid value"))
        problems.append(FieldProblem(_field_path(error.get("loc", ())), message, kind))
    if malformed:
        return 400, "malformed_json", problems
    return 422, "invalid_input", problems


# FastAPI's words when json.loads raised something other than a syntax error: in practice an
# integer past Python's digit limit (4300), which is valid JSON the API refuses to convert.
_BODY_NOT_PARSED = "There was an error parsing the body"


class _HugeInteger:
    pass


def _huge_integer_fields(body: bytes) -> list[FieldProblem]:
    """The fields of a JSON body holding an integer of more digits than Python converts."""
    limit = sys.get_int_max_str_digits()

    def parse_int(text: str) -> Any:
        return _HugeInteger() if limit and len(text.lstrip("-")) > limit else int(text)

    try:
        parsed = json.loads(body, parse_int=parse_int)
    except ValueError:
        return []
    found: list[FieldProblem] = []

    def walk(value: Any, loc: tuple[Any, ...]) -> None:
        if isinstance(value, _HugeInteger):
            message = f"a number of more than {limit} digits"
            found.append(FieldProblem(_field_path(loc) or "body", message, "number_too_large"))
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, (*loc, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, (*loc, index))

    walk(parsed, ("body",))
    return found


def install_problem_handlers(app: FastAPI) -> None:
    """problem+json for every error, including requests refused before routing (control
    characters in the path or query: ``api.guards``)."""
    from postbridge.api.guards import ControlCharacterGuard  # guards render through this module

    app.add_middleware(ControlCharacterGuard)

    @app.exception_handler(PostbridgeError)
    async def _domain_error(request: Request, exc: PostbridgeError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.http_status == 401 else None
        return problem_response(
            status=exc.http_status,
            code=exc.code,
            title=exc.title,
            detail=exc.detail,
            instance=request.url.path,
            errors=exc.problems if isinstance(exc, InvalidInput) else None,
            headers=headers,
            **exc.extra,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        status, code, problems = _validation_problems(exc)
        if len(problems) == 1:
            detail = f"{problems[0].field}: {problems[0].message}"
        else:
            detail = f"{len(problems)} fields are invalid: " + ", ".join(
                problem.field for problem in problems[:10]
            )
        title = "Malformed request body" if status == 400 else "Invalid input"
        return problem_response(
            status=status,
            code=code,
            title=title,
            detail=detail,
            instance=request.url.path,
            errors=problems,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # Only a body the route read to its end is cached on the request (``_body``, the
        # handler gets the route's Request). A body the edge cut (api.limits.BodySizeLimit,
        # answered 413 outside) is not: reading it again would wait for bytes the client
        # may never send.
        cached = getattr(request, "_body", None)
        if exc.status_code == 400 and exc.detail == _BODY_NOT_PARSED and cached is not None:
            # The body read for the route is cached on the request: name the field.
            problems = _huge_integer_fields(cached)
            if problems:
                return problem_response(
                    status=422,
                    code="invalid_input",
                    title="Invalid input",
                    detail=f"{problems[0].field}: {problems[0].message}",
                    instance=request.url.path,
                    errors=problems,
                )
        codes = {404: "not_found", 405: "method_not_allowed", 401: "not_authenticated"}
        code = codes.get(exc.status_code, f"http_{exc.status_code}")
        detail = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail)
        return problem_response(
            status=exc.status_code,
            code=code,
            title=detail,
            detail=detail,
            instance=request.url.path,
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Logged with the traceback for operators; the client gets no internals.
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(
            status=500,
            code="internal_error",
            title="Internal error",
            detail="an unexpected error occurred; it has been logged",
            instance=request.url.path,
            # This handler answers outside the request id middleware: echo the id here.
            headers={"X-Request-Id": REQUEST_ID.get() or ""},
        )
