"""The webhooks context's own domain event (see kit.events)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from postbridge.kit.events import DomainEvent


@dataclass(frozen=True, kw_only=True, slots=True)
class WebhookEndpointDisabled(DomainEvent):
    """An endpoint failed without a success for the whole retry window and was disabled."""

    type: ClassVar[str] = "webhook_endpoint.disabled"
    aggregate: ClassVar[str] = "webhook_endpoint"

    endpoint_id: str
    url: str
    reason: str

    @property
    def aggregate_id(self) -> str:
        return self.endpoint_id
