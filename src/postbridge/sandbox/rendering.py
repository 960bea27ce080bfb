"""Scans in the partner's own format: UPU item events for the posts, USPS scan events for USPS.

UPU codes and wording: postal-standards.md 3.1. USPS codes: Pub 199 Appendix G as listed in
postal-standards.md 3.3 and recorded in shared/fixtures/usps (wording as USPS shows it).
USPS has no code of its own for the legs before it holds the parcel; it shows the mailer's
shipping-partner events (80/81/82), which is what a consolidator's scans look like there.
Customs steps have no USPS code in that list, so USPS parcels show none (the time passes all
the same). A UPU return has no code of its own either: the last attempt's EMH carries reason
``returned_to_sender``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from postbridge.carriers.usps.wire.tracking_models import TrackingEvent
from postbridge.sandbox.reality import Facility
from postbridge.sandbox.timeline import Scan, Step, zone_info

USPS_PARTNER = "USPS"
SHIPPING_PARTNER = "POSTBRIDGE"

UPU_CODES: dict[Step, tuple[str, str]] = {
    Step.ACCEPTED: ("EMA", "Posting / collection"),
    Step.ARRIVED_ORIGIN_EXCHANGE: ("EMB", "Arrival at outward office of exchange"),
    Step.EXPORT_CUSTOMS: ("EXA", "Item presented to export customs/security"),
    Step.DEPARTED_ORIGIN: ("EMC", "Departure from outward office of exchange"),
    Step.ARRIVED_TRANSIT: ("EMJ", "Arrival at transit office of exchange"),
    Step.DEPARTED_TRANSIT: ("EMK", "Departure from transit office of exchange"),
    Step.ARRIVED_DESTINATION: ("EMD", "Arrival at inward office of exchange"),
    Step.HELD_AT_EXCHANGE: ("EDA", "Held at inward office of exchange"),
    Step.IMPORT_CUSTOMS: ("EDB", "Item presented to import customs"),
    Step.CUSTOMS_HELD: ("EME", "Held by import customs"),
    Step.CUSTOMS_RELEASED: ("EDC", "Item returned from import customs"),
    Step.DEPARTED_EXCHANGE: ("EMF", "Departure from inward office of exchange"),
    Step.INTO_SORTING_CENTRE: ("EDD", "Item into sorting centre"),
    Step.ARRIVED_DELIVERY_OFFICE: ("EMG", "Arrival at delivery office"),
    Step.OUT_FOR_DELIVERY: ("EDG", "Item out for physical delivery"),
    Step.DELIVERY_ATTEMPTED: ("EMH", "Unsuccessful (physical) delivery / attempted delivery"),
    Step.AT_PICKUP_POINT: ("EDH", "Item arrival at collection point for pick-up by recipient"),
    Step.DELIVERED: ("EMI", "Final delivery"),
    Step.COLLECTED: ("EMI", "Final delivery"),
    Step.RETURNED_TO_SENDER: ("EMH", "Item returned to sender"),
}

USPS_CODES: dict[Step, tuple[str, str] | None] = {
    Step.ACCEPTED: ("80", "Picked Up by Shipping Partner"),
    Step.ARRIVED_ORIGIN_EXCHANGE: ("81", "Arrived Shipping Partner Facility"),
    Step.EXPORT_CUSTOMS: None,
    Step.DEPARTED_ORIGIN: ("82", "Departed Shipping Partner Facility"),
    Step.ARRIVED_TRANSIT: ("81", "Arrived Shipping Partner Facility"),
    Step.DEPARTED_TRANSIT: ("82", "Departed Shipping Partner Facility"),
    Step.ARRIVED_DESTINATION: ("03", "USPS in possession of item"),
    Step.HELD_AT_EXCHANGE: None,
    Step.IMPORT_CUSTOMS: None,
    Step.CUSTOMS_HELD: None,
    Step.CUSTOMS_RELEASED: None,
    Step.DEPARTED_EXCHANGE: ("EF", "Departed USPS Facility"),
    Step.INTO_SORTING_CENTRE: ("10", "Arrived at USPS Regional Facility"),
    Step.ARRIVED_DELIVERY_OFFICE: ("07", "Arrived at Post Office"),
    Step.OUT_FOR_DELIVERY: ("OF", "Out for Delivery"),
    Step.DELIVERY_ATTEMPTED: ("02", "Delivery Attempted - Notice Left"),
    Step.AT_PICKUP_POINT: ("16", "Available for Pickup"),
    Step.DELIVERED: ("01", "Delivered, In/At Mailbox"),
    Step.COLLECTED: ("43", "Picked Up at Post Office"),
    Step.RETURNED_TO_SENDER: ("31", "Return to Sender: Not Picked Up"),
}
# A failed attempt's USPS code by the reason the timeline drew.
USPS_ATTEMPT_CODES = {
    "notice_left": ("02", "Delivery Attempted - Notice Left"),
    "no_access": ("30", "Delivery Attempted - No Access to Delivery Location"),
    "no_secure_location": ("55", "Notice Left (No Secure Location Available)"),
}


def offset_text(at: datetime, place: Facility) -> tuple[str, str]:
    """The local wall-clock time (naive ISO, to the second) and its offset, ``+08:00``."""
    local = at.astimezone(zone_info(place.time_zone))
    offset = local.utcoffset()
    minutes = 0 if offset is None else int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    stamp = local.replace(tzinfo=None, microsecond=0).isoformat()
    return stamp, f"{sign}{hours:02d}:{rest:02d}"


def utc_text(at: datetime) -> str:
    return at.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def upu_event(event_id: str, item_id: str, scan: Scan) -> dict[str, Any]:
    """One event of the UPU-style pull feed (docs/partner-exchange.md)."""
    code, description = UPU_CODES[scan.step]
    reason = scan.reason
    if scan.step is Step.RETURNED_TO_SENDER:
        reason = "returned_to_sender"
    local_time, utc_offset = offset_text(scan.at, scan.place)
    return {
        "event_id": event_id,
        "item_id": item_id,
        "event_code": code,
        "description": description,
        "local_time": local_time,
        "utc_offset": utc_offset,
        "office": {
            "code": scan.place.code,
            "name": scan.place.name,
            "country": scan.place.country,
            "postal_code": scan.place.postal_code,
        },
        "reason_code": reason,
    }


def usps_event(scan: Scan) -> TrackingEvent | None:
    """One TrackingEvent as USPS tracking (and its subscriptions) show it; None when USPS has
    no code for the step."""
    coded = USPS_CODES[scan.step]
    if scan.step is Step.DELIVERY_ATTEMPTED and scan.reason in USPS_ATTEMPT_CODES:
        coded = USPS_ATTEMPT_CODES[scan.reason]
    if coded is None:
        return None
    code, text = coded
    local_time, offset = offset_text(scan.at, scan.place)
    place = scan.place
    domestic = place.country == "US"
    partner_scan = code in ("80", "81", "82")
    return {
        "eventType": text,
        "eventCode": code,
        "eventTimestamp": local_time,
        "GMTTimestamp": utc_text(scan.at),
        "GMTOffset": offset,
        "eventCity": (place.city or place.name).upper() or None,
        "eventState": place.state if domestic else None,
        "eventZIPCode": place.postal_code if domestic and len(place.postal_code) == 5 else None,
        # USPS leaves the country empty for domestic scans (tracking.py RawTrackingEvent).
        "eventCountry": None if domestic else place.country or None,
        "eventPartner": SHIPPING_PARTNER if partner_scan else None,
        "firm": None,
        "recipientName": None,
    }
