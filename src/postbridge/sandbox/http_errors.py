"""Errors as each partner answers them: USPS's ErrorMessage / OAuth error, or problem+json."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from postbridge.sandbox.usps_checks import error_message

PROBLEM_JSON = "application/problem+json"
WWW_AUTHENTICATE = 'Bearer realm="https://sandbox.api.usps.com"'


class PartnerAnswer(Exception):
    """An error response, raised from a route or a dependency and rendered by the handler."""

    def __init__(
        self,
        status: int,
        body: dict[str, Any],
        *,
        media_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(status)
        self.status, self.body, self.media_type = status, body, media_type
        self.headers = headers or {}


def problem(status: int, code: str, detail: str, **extra: Any) -> PartnerAnswer:
    """RFC 9457 problem+json, as the UPU-style exchange answers (docs/partner-exchange.md)."""
    titles = {
        400: "Bad request",
        401: "Unauthorized",
        404: "Not found",
        429: "Too many requests",
        500: "Internal server error",
        503: "Service unavailable",
    }
    body = {
        "type": "about:blank",
        "title": titles.get(status, "Error"),
        "status": status,
        "code": code,
        "detail": detail,
    } | extra
    return PartnerAnswer(status, body, media_type=PROBLEM_JSON)


def usps_error(
    status: int, message: str, problems: list[tuple[str, str]] | None = None, *, version: str
) -> PartnerAnswer:
    headers = {"WWW-Authenticate": WWW_AUTHENTICATE} if status == 401 else None
    return PartnerAnswer(
        status, error_message(status, message, problems or [], version=version), headers=headers
    )


def oauth_error(status: int, error: str, description: str) -> PartnerAnswer:
    """StandardErrorResponse of oauth2_3.yaml."""
    headers = {"WWW-Authenticate": WWW_AUTHENTICATE} if status == 401 else None
    return PartnerAnswer(
        status, {"error": error, "error_description": description}, headers=headers
    )


async def render_partner_answer(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, PartnerAnswer)
    return JSONResponse(
        error.body, status_code=error.status, media_type=error.media_type, headers=error.headers
    )


async def render_query_problem(request: Request, error: Exception) -> JSONResponse:
    """A query or path parameter out of its bounds (``limit=5000``): 400 problem+json."""
    assert isinstance(error, RequestValidationError)
    errors = [
        {"field": ".".join(str(part) for part in item["loc"]), "message": item["msg"]}
        for item in error.errors()
    ]
    answer = problem(400, "invalid_parameter", "a parameter is out of bounds", errors=errors)
    return await render_partner_answer(request, answer)
