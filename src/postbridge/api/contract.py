"""The answers every API route can give besides its own, written into the OpenAPI document.

They come from the edge (api/limits.py, api/overload.py), authentication (api/deps.py) and the
JSON decoder (api/problems.py), not from any one route, so no route declares them; this adds
them to every ``/v1`` operation once the schema is built, so the contract tells the truth.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

_PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "RFC 9457 problem details; `errors` names each invalid field.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "code": {"type": "string", "description": "Stable error code."},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
    "required": ["title", "status", "code"],
}
# Every /v1 operation: the key, the key's rate, the process's load, the header block.
EVERY_OPERATION = {
    "401": "Missing, malformed, unknown or revoked API key (`not_authenticated`).",
    "429": "The key's rate limit is spent (`rate_limited`); see `Retry-After` and `RateLimit-*`.",
    "431": "The request's headers are larger than the limit (`headers_too_large`).",
    "503": "Too many requests in progress (`overloaded`); retry after `Retry-After` seconds.",
}
# Operations with a request body: the body's size and syntax.
WITH_BODY = {
    "400": "The body is not valid JSON or not UTF-8 (`malformed_json`).",
    "413": "The body is larger than the limit (`payload_too_large`).",
}


def install_contract(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
                webhooks=app.webhooks.routes,
            )
            add_edge_answers(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def add_edge_answers(schema: dict[str, Any]) -> None:
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for path, operations in schema.get("paths", {}).items():
        if not path.startswith("/v1/"):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            extra = {**EVERY_OPERATION, **(WITH_BODY if "requestBody" in operation else {})}
            for status, description in extra.items():
                answer = responses.setdefault(status, {"description": description})
                answer.setdefault("content", _PROBLEM)
