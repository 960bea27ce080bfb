"""The webhooks context's errors (on the root in postbridge.errors)."""

from __future__ import annotations

from postbridge.errors import Conflict, NotFound


class EndpointNotFound(NotFound):
    code = "webhook_endpoint_not_found"


class EventNotFound(NotFound):
    code = "event_not_found"


class EndpointDisabled(Conflict):
    code = "webhook_endpoint_disabled"
