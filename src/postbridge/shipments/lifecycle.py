"""The shipment state machine (pure): which status may follow which."""

from __future__ import annotations

from enum import StrEnum


class ShipmentStatus(StrEnum):
    BOOKED = "booked"
    LABEL_CREATED = "label_created"
    HANDED_OVER = "handed_over"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    RETURNED = "returned"
    CANCELLED = "cancelled"
    EXCEPTION = "exception"


S = ShipmentStatus

# Tracking can skip scans (a parcel may be seen "out for delivery" without an "in transit" scan),
# so forward jumps are allowed; going back is not, except out of an exception.
ALLOWED_TRANSITIONS: dict[ShipmentStatus, frozenset[ShipmentStatus]] = {
    S.BOOKED: frozenset({S.LABEL_CREATED, S.HANDED_OVER, S.IN_TRANSIT, S.CANCELLED, S.EXCEPTION}),
    S.LABEL_CREATED: frozenset({S.HANDED_OVER, S.IN_TRANSIT, S.CANCELLED, S.EXCEPTION}),
    S.HANDED_OVER: frozenset({S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED, S.EXCEPTION}),
    S.IN_TRANSIT: frozenset({S.OUT_FOR_DELIVERY, S.DELIVERED, S.RETURNED, S.EXCEPTION}),
    S.OUT_FOR_DELIVERY: frozenset({S.DELIVERED, S.IN_TRANSIT, S.RETURNED, S.EXCEPTION}),
    S.EXCEPTION: frozenset({S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED, S.RETURNED}),
    S.DELIVERED: frozenset(),
    S.RETURNED: frozenset(),
    S.CANCELLED: frozenset(),
}

# Cancelling is only possible while the parcel is still in the merchant's hands.
CANCELLABLE = frozenset({S.BOOKED, S.LABEL_CREATED})
TERMINAL = frozenset({S.DELIVERED, S.RETURNED, S.CANCELLED})


def can_transition(current: ShipmentStatus, target: ShipmentStatus) -> bool:
    return target in ALLOWED_TRANSITIONS[current]
