"""Errors for identifiers that fail to parse or validate.

Both errors are ``InvalidInput`` (the API answers 422) and ``ValueError`` (plain Python callers
can catch what they would expect from a parser). ``reason`` says which rule failed so that callers
and tests can tell a typo in the check digit from a wrong-length paste.
"""

from __future__ import annotations

from enum import StrEnum

from postbridge.errors import FieldProblem, InvalidInput


class IdentifierProblem(StrEnum):
    WRONG_LENGTH = "wrong_length"
    BAD_FORMAT = "bad_format"
    BAD_SERVICE_INDICATOR = "bad_service_indicator"
    BAD_CHECK_DIGIT = "bad_check_digit"
    UNKNOWN_COUNTRY = "unknown_country"
    BAD_CHANNEL = "bad_channel"
    BAD_MAILER_ID = "bad_mailer_id"
    BAD_SERIAL = "bad_serial"
    BAD_ROUTING_CODE = "bad_routing_code"
    AMBIGUOUS_ROUTING = "ambiguous_routing"


class InvalidIdentifier(InvalidInput, ValueError):
    """Base of the identifier errors; ``reason`` names the rule that failed."""

    code = "invalid_identifier"
    field_name = "identifier"

    def __init__(self, reason: IdentifierProblem, message: str) -> None:
        super().__init__(message, problems=[FieldProblem(self.field_name, message, str(reason))])
        self.reason = reason


class InvalidS10(InvalidIdentifier):
    code = "invalid_s10"
    field_name = "tracking_number"


class InvalidImpb(InvalidIdentifier):
    code = "invalid_impb"
    field_name = "impb"
