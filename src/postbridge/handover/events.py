"""What the hand-over does to a shipment, as domain events (kit.events)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from postbridge.shipments.events import ShipmentEvent


@dataclass(frozen=True, kw_only=True, slots=True)
class AdvanceDataAccepted(ShipmentEvent):
    """The destination post accepted the parcel's advance data: it may fly."""

    type: ClassVar[str] = "shipment.advance_data_accepted"

    partner: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ShipmentHeld(ShipmentEvent):
    """The advance data was refused (``checked_by`` "partner"), or would be by the post's
    rules (``checked_by`` "platform"): the parcel is held at origin and not flown."""

    type: ClassVar[str] = "shipment.held"

    partner: str
    checked_by: str
    reasons: list[dict[str, Any]] = field(default_factory=list)  # {"code", "field", "message"}
