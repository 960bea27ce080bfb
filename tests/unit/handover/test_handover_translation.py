"""The hand-over's translations, without a database: partner events to canonical tracking
events, the pull schedule, and a stored shipment to the USPS label it registers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from postbridge.carriers.partners_file import load_partners_file
from postbridge.carriers.upu.wire import UpuEvent
from postbridge.carriers.usps.adapter import TRACKING_CODE_SCHEME as USPS_CODES
from postbridge.carriers.usps.exchange import label_shipment, partner_scan
from postbridge.carriers.usps.wire import MailClass, PlatformImpb, RawTrackingEvent
from postbridge.handover.job_kinds import tracking_pull_slot
from postbridge.handover.registration import label_parcel
from postbridge.handover.tracking_pull import partner_tracking_event, upu_tracking_event
from postbridge.shipments.models import Shipment
from postbridge.tracking.model import Location, TrackingStatus


def test_a_upu_event_keeps_its_utc_time_and_local_offset() -> None:
    event = UpuEvent(
        event_id="e1", item_id="lx123456785cn", event_code="EMC", partner_code="EMC",
        description="Item left", occurred_at=datetime(2026, 12, 2, 14, 15, tzinfo=UTC),
        utc_offset_minutes=480, local_time="2026-12-02T22:15:00", office_code="CNSZXA",
        office_name="Shenzhen", country="CN", postal_code="518000", reason_code=None,
    )  # fmt: skip

    canonical = upu_tracking_event(event, partner="CORREOS")

    assert (canonical.tracking_number, canonical.partner, canonical.code_scheme) == (
        "LX123456785CN",
        "correos",
        "upu",
    )
    assert (canonical.occurred_at, canonical.occurred_zone) == (
        datetime(2026, 12, 2, 14, 15, tzinfo=UTC),
        "+08:00",
    )
    assert canonical.location == Location(facility="CNSZXA", postal_code="518000", country="CN")
    assert canonical.is_mapped is True


def test_a_usps_event_reads_through_the_usps_code_table() -> None:
    event = RawTrackingEvent(
        tracking_number="9400109104250532908587", event_code="01",
        event_text="Delivered, Parcel Locker", occurred_at=datetime(2024, 11, 22, 18, 58, tzinfo=UTC),
        local_offset_minutes=-300, local_timestamp="2024-11-22T13:58:00", city="HERNANDO",
        state="FL", postal_code="34442", country=None,
    )  # fmt: skip

    canonical = partner_tracking_event(partner_scan(event), partner="USPS", code_scheme=USPS_CODES)

    assert (canonical.code_scheme, canonical.raw_code, canonical.status) == (
        "usps",
        "01",
        TrackingStatus.DELIVERED,
    )
    assert canonical.occurred_zone == "-05:00"
    assert canonical.location == Location(
        city="HERNANDO", region="FL", postal_code="34442", country="US"
    )


@pytest.mark.parametrize(
    ("now", "slot", "starts"),
    [
        (datetime(2026, 1, 1, 0, 0, tzinfo=UTC), 1, datetime(2026, 1, 1, 0, 5, tzinfo=UTC)),
        (datetime(2026, 1, 1, 0, 9, 59, tzinfo=UTC), 2, datetime(2026, 1, 1, 0, 10, tzinfo=UTC)),
    ],
)
def test_pulls_run_in_five_minute_slots(now: datetime, slot: int, starts: datetime) -> None:
    assert tracking_pull_slot(now) == (slot, starts)


def shipment(partner_tracking_number: str) -> Shipment:
    return Shipment(
        id="shp_1", reference="ORDER-1", tracking_number="LX123456785CN",
        partner_tracking_number=partner_tracking_number, weight_g=450, length_mm=200,
        width_mm=150, height_mm=50,
        recipient={"name": "Jane Doe", "company": "", "street_lines": ["100 Congress Ave"],
                   "city": "Austin", "region": "TX", "postal_code": "78701", "country": "US",
                   "phone": "+1 512 555 0100", "email": "jane@example.com"},
    )  # fmt: skip


def test_the_label_registers_the_stored_parcel_from_the_induction_point() -> None:
    usps = load_partners_file(environ={}).for_partner("USPS")
    assert usps is not None
    assert usps.label_registration is not None
    when = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)

    label = label_shipment(
        label_parcel(shipment("9200190123456700000018")),
        usps.label_registration,
        mailing_date=when.date(),
    )

    assert label.recipient.street_lines == ("100 Congress Ave",)
    assert (label.recipient.region, label.recipient.postal_code) == ("TX", "78701")
    assert label.mailed_from == usps.label_registration.mailed_from
    assert (label.mail_class, label.mailing_date) == (
        MailClass.USPS_GROUND_ADVANTAGE,
        datetime(2026, 12, 2).date(),
    )
    assert (label.reference, label.platform_tracking_number) == ("ORDER-1", "LX123456785CN")
    assert label.platform_impb == PlatformImpb("9200190123456700000018", "C03")
    # A channel-93 PIC (six-digit mailer id): its construct code is not verified, so the
    # printed barcode is not named.
    other = label_shipment(
        label_parcel(shipment("9300190123400000000017")),
        usps.label_registration,
        mailing_date=when.date(),
    )
    assert other.platform_impb is None
