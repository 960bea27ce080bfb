"""Errors a caller of the tracking core can cause.

``InvalidEventTime`` is input the partner or the canonical endpoint sent (422 in the API); it
is also a ``ValueError`` for plain Python callers such as file-drop parsers.
"""

from __future__ import annotations

from postbridge.errors import FieldProblem, InvalidInput


class InvalidEventTime(InvalidInput, ValueError):
    code = "invalid_event_time"

    def __init__(self, message: str, *, field_path: str = "occurred_at") -> None:
        super().__init__(message, problems=[FieldProblem(field_path, message, "invalid_time")])


class MalformedBody(InvalidInput):
    """A request body that is not JSON (or not JSON Lines): 400, as for every other route."""

    code = "malformed_json"
    http_status = 400
    title = "Malformed request body"
