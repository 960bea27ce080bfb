"""USPS's side of the partner exchange, on its own v3 APIs (the partner's ``api`` entry in the
partners file): the client built from that entry, the label registration (``POST
/labels/v3/label``; registration rather than manifesting, see ``usps.wire.labels``: USPS
allocates its number and links the IMpb the platform printed at origin to it), and the
tracking pull (the batch endpoint, 35 numbers a call) with its scans in partner-neutral form.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date

from postbridge.carriers.adapter import LabelParcel, PartnerScan, TrackingPull
from postbridge.carriers.http import PartnerHttp
from postbridge.carriers.partners_file import (
    Connection,
    LabelRegistration,
    PartnerNotConfigured,
)
from postbridge.carriers.usps.client import UspsClient
from postbridge.carriers.usps.wire import (
    DomesticLabelShipment,
    LabelRequest,
    MailClass,
    PlatformImpb,
    RawTrackingEvent,
    build_label_request,
)

log = logging.getLogger(__name__)

NUMBERS_PER_CALL = 35  # the tracking batch endpoint's limit
NUMBERS_PER_PULL = NUMBERS_PER_CALL * 20  # per run: the next run goes on from the cursor

# Construct C03 is 420 + ZIP5 and a PIC of channel 92 (nine-digit mailer id), as
# postal-standards.md 4.1 reads it; other constructs are not verified, so a PIC of another
# channel is registered without naming the printed barcode.
VERIFIED_CONSTRUCTS = {"92": "C03"}


def connect(connection: Connection, http: PartnerHttp) -> UspsClient:
    """The USPS client of a partner's ``api`` entry (OAuth2 client credentials)."""
    if connection.client_id is None or connection.client_secret is None:
        raise PartnerNotConfigured(
            f"partners file: {http.partner}.api needs client_id and client_secret"
        )
    return UspsClient(http, client_id=connection.client_id, client_secret=connection.client_secret)


def label_shipment(
    parcel: LabelParcel, registration: LabelRegistration, *, mailing_date: date
) -> DomesticLabelShipment:
    pic = parcel.partner_tracking_number
    construct = VERIFIED_CONSTRUCTS.get(pic[:2]) if pic else None
    return DomesticLabelShipment(
        recipient=parcel.recipient,
        mailed_from=registration.mailed_from,
        weight_g=parcel.weight_g,
        length_mm=parcel.length_mm,
        width_mm=parcel.width_mm,
        height_mm=parcel.height_mm,
        mail_class=MailClass(registration.mail_class),
        mailing_date=mailing_date,
        reference=parcel.reference,
        platform_tracking_number=parcel.tracking_number,
        platform_impb=PlatformImpb(pic, construct) if pic and construct else None,
    )


def label_request(
    parcel: LabelParcel, registration: LabelRegistration, *, mailing_date: date
) -> LabelRequest:
    return build_label_request(label_shipment(parcel, registration, mailing_date=mailing_date))


def partner_scan(event: RawTrackingEvent) -> PartnerScan:
    """A USPS scan (Pub 199 code); USPS leaves the country empty for domestic scans."""
    return PartnerScan(
        tracking_number=event.tracking_number,
        code=event.event_code or "",
        text=event.event_text,
        occurred_at=event.occurred_at,
        utc_offset_minutes=event.local_offset_minutes,
        city=event.city,
        region=event.state,
        postal_code=event.postal_code,
        country=event.country or "US",
    )


def pull_tracking(client: UspsClient, numbers: Sequence[str]) -> TrackingPull:
    """Every event of each number (USPS answers them all each time, so a page asked again
    loses nothing); numbers USPS cannot answer are logged."""
    parsed = client.track(numbers)
    for error in parsed.errors:
        log.info("USPS tracking %s: %s %s", error.tracking_number, error.code, error.message)
    calls = -(-len(numbers) // NUMBERS_PER_CALL)
    return TrackingPull(tuple(partner_scan(e) for e in parsed.events), calls)
