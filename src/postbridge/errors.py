"""The one error root of postbridge.

Hierarchy::

    PostbridgeError(code, detail, http_status)
     ├─ InvalidInput            422  bad field values; carries a list of FieldProblem
     ├─ NotAuthenticated        401  missing or unknown API key
     ├─ PermissionDenied        403  key valid, role insufficient
     ├─ NotFound                404  absent, or owned by another merchant (never say which)
     ├─ Conflict                409  state or idempotency conflicts
     ├─ PayloadTooLarge         413  a body or upload over its limit (api.limits)
     └─ PartnerError                 a postal partner failed
         ├─ PartnerUnavailable  503  network, timeout, 5xx: retry with backoff
         └─ PartnerRejected     424  the partner refused the request: do not retry

Contexts subclass these in their own ``errors.py``; the API renders every one as RFC 9457
``application/problem+json`` with the stable ``code``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One offending field: a dotted path (``recipient.postal_code``) and what was expected."""

    field: str
    message: str
    code: str = "invalid"

    def to_json(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


class PostbridgeError(Exception):
    code: str = "error"
    http_status: int = 500
    title: str = "Internal error"

    def __init__(self, detail: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        self.extra = extra


class ConfigurationError(PostbridgeError):
    """A setting or a data file the operator gave that the platform cannot run with."""

    code = "configuration_error"
    title = "Configuration error"


class InvalidInput(PostbridgeError):
    code = "invalid_input"
    http_status = 422
    title = "Invalid input"

    def __init__(
        self,
        detail: str,
        *,
        problems: list[FieldProblem] | None = None,
        code: str | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail, code=code, **extra)
        self.problems = list(problems or [])

    @classmethod
    def for_field(
        cls, field_path: str, message: str, *, code: str = "invalid", error_code: str | None = None
    ) -> InvalidInput:
        """One bad field; ``code`` classifies the field problem, ``error_code`` the whole error."""
        return cls(
            f"{field_path}: {message}",
            problems=[FieldProblem(field_path, message, code)],
            code=error_code,
        )


class NotAuthenticated(PostbridgeError):
    code = "not_authenticated"
    http_status = 401
    title = "Not authenticated"


class PermissionDenied(PostbridgeError):
    code = "permission_denied"
    http_status = 403
    title = "Permission denied"


class NotFound(PostbridgeError):
    code = "not_found"
    http_status = 404
    title = "Not found"


class Conflict(PostbridgeError):
    code = "conflict"
    http_status = 409
    title = "Conflict"


class PayloadTooLarge(PostbridgeError):
    code = "payload_too_large"
    http_status = 413
    title = "Payload too large"


class PartnerError(PostbridgeError):
    code = "partner_error"
    http_status = 502
    title = "Partner error"
    retryable: bool = False


class PartnerUnavailable(PartnerError):
    code = "partner_unavailable"
    http_status = 503
    title = "Partner unavailable"
    retryable = True


class PartnerRejected(PartnerError):
    code = "partner_rejected"
    http_status = 424
    title = "Partner rejected the request"


@dataclass
class ProblemList:
    """Collects field problems so a validator can report all of them at once."""

    problems: list[FieldProblem] = field(default_factory=list)

    def add(self, field_path: str, message: str, code: str = "invalid") -> None:
        self.problems.append(FieldProblem(field_path, message, code))

    def __bool__(self) -> bool:
        return bool(self.problems)

    def raise_if_any(self, detail: str = "the request has invalid fields") -> None:
        if self.problems:
            if len(self.problems) == 1:
                only = self.problems[0]
                detail = f"{only.field}: {only.message}"
            raise InvalidInput(detail, problems=self.problems)
