"""What happens to a shipment, as domain events (see kit.events)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from postbridge.kit.events import DomainEvent


@dataclass(frozen=True, kw_only=True, slots=True)
class ShipmentEvent(DomainEvent):
    aggregate: ClassVar[str] = "shipment"

    shipment_id: str
    tracking_number: str
    destination_country: str

    @property
    def aggregate_id(self) -> str:
        return self.shipment_id


@dataclass(frozen=True, kw_only=True, slots=True)
class ShipmentBooked(ShipmentEvent):
    """Booked, by the API or a batch row (then ``batch_id`` and ``batch_row`` say which).
    bulk.events encodes the same payload for whole chunks without building these objects."""

    type: ClassVar[str] = "shipment.booked"

    reference: str
    service: str
    batch_id: str | None = None
    batch_row: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class LabelCreated(ShipmentEvent):
    """The first label was produced (booked -> label_created); reprints raise nothing."""

    type: ClassVar[str] = "shipment.label_created"


@dataclass(frozen=True, kw_only=True, slots=True)
class ShipmentCancelled(ShipmentEvent):
    type: ClassVar[str] = "shipment.cancelled"
