"""Errors of routing and quoting."""

from __future__ import annotations

from postbridge.errors import PostbridgeError


class NoServiceAvailable(PostbridgeError):
    """No product of the requested service can carry this parcel from this origin."""

    code = "no_service_available"
    http_status = 422
    title = "No service available"
