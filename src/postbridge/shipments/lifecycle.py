"""A shipment's booking status (pure), and which statuses may still be cancelled.

Tracking statuses are their own model (``postbridge.tracking``).
"""

from __future__ import annotations

from enum import StrEnum


class ShipmentStatus(StrEnum):
    BOOKED = "booked"
    LABEL_CREATED = "label_created"
    # The destination post refused the advance data (or would, by its rules): kept at origin,
    # not flown (capacity planning skips it) until corrected data is accepted.
    HELD = "held"
    HANDED_OVER = "handed_over"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    RETURNED = "returned"
    CANCELLED = "cancelled"
    EXCEPTION = "exception"


# Cancelling is only possible while the parcel is still in the merchant's hands (a held parcel
# has not left the origin).
CANCELLABLE = frozenset({ShipmentStatus.BOOKED, ShipmentStatus.LABEL_CREATED, ShipmentStatus.HELD})
