"""Pull the partners' tracking events and hand them to the tracking ingestion.

UPU-style posts: the event feed, page after page from the cursor stored per partner (saved
after each page is ingested, so a crash re-reads at most one page, which ingestion dedupes).
USPS: the tracking batch (35 numbers a call) for its parcels whose advance data was accepted
and which are not delivered or returned yet, a page of them per run, going round them all
(the last shipment id asked about is the partner's stored cursor). Every call goes through the partner's client, so
it keeps within the partner's rate limit from the partners file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from postbridge.carriers.clients import PartnerClients
from postbridge.carriers.upu.adapter import TRACKING_CODE_SCHEME as UPU_CODES
from postbridge.carriers.upu.wire import MAX_EVENTS_PER_PAGE, UpuEvent
from postbridge.carriers.usps.adapter import TRACKING_CODE_SCHEME as USPS_CODES
from postbridge.carriers.usps.wire import RawTrackingEvent
from postbridge.errors import PartnerUnavailable
from postbridge.handover.repository import HandoverRepository
from postbridge.kit.clock import utc_now
from postbridge.shipments.lifecycle import ShipmentStatus
from postbridge.storage.unit_of_work import Database
from postbridge.tracking.ingest import IngestCounts, ingest_chunk
from postbridge.tracking.model import Location, TrackingEvent
from postbridge.tracking.normalize import NormalizedTime, build_event, format_offset

log = logging.getLogger(__name__)

MAX_PAGES_PER_PULL = 20  # per partner and run: the next run goes on from the cursor
USPS_NUMBERS_PER_PULL = 35 * 20
STILL_MOVING = (
    ShipmentStatus.BOOKED, ShipmentStatus.LABEL_CREATED, ShipmentStatus.HANDED_OVER,
    ShipmentStatus.IN_TRANSIT, ShipmentStatus.OUT_FOR_DELIVERY, ShipmentStatus.EXCEPTION,
)  # fmt: skip


@dataclass(slots=True)
class PullCounts:
    partners: int = 0
    pages: int = 0
    events: int = 0
    ingested: IngestCounts = field(default_factory=IngestCounts)


def upu_tracking_event(event: UpuEvent, *, partner: str) -> TrackingEvent:
    return build_event(
        tracking_number=event.item_id,
        partner=partner,
        code_scheme=UPU_CODES,
        code=event.event_code,
        text=event.description,
        occurred=NormalizedTime(
            event.occurred_at, format_offset(timedelta(minutes=event.utc_offset_minutes))
        ),
        location=Location(
            facility=event.office_code or event.office_name,
            postal_code=event.postal_code,
            country=event.country,
        ),
    )


def usps_tracking_event(event: RawTrackingEvent, *, partner: str) -> TrackingEvent:
    offset = event.local_offset_minutes
    return build_event(
        tracking_number=event.tracking_number,
        partner=partner,
        code_scheme=USPS_CODES,
        code=event.event_code or "",
        text=event.event_text,
        occurred=NormalizedTime(
            event.occurred_at, "UTC" if offset is None else format_offset(timedelta(minutes=offset))
        ),
        location=Location(
            city=event.city,
            region=event.state,
            postal_code=event.postal_code,
            country=event.country or "US",
        ),
    )


def pull_tracking(
    *,
    database: Database,
    clients: PartnerClients,
    partners: Iterable[str],
    clock: Callable[[], datetime] = utc_now,
) -> PullCounts:
    """One pull of every partner in ``partners`` (those that support tracking pulls). A partner
    that is down does not keep the others waiting: its failure is raised after them all."""
    counts = PullCounts()
    unavailable: PartnerUnavailable | None = None
    for partner in partners:
        counts.partners += 1
        try:
            if clients.usps(partner) is not None:
                _pull_usps(database, clients, partner, counts, clock)
            else:
                _pull_feed(database, clients, partner, counts, clock)
        except PartnerUnavailable as exc:
            log.warning("tracking pull of %s: %s", partner, exc.detail)
            unavailable = unavailable or exc
    if unavailable is not None:
        raise unavailable
    return counts


def _pull_feed(
    database: Database,
    clients: PartnerClients,
    partner: str,
    counts: PullCounts,
    clock: Callable[[], datetime],
) -> None:
    client = clients.exchange(partner)
    with database.unit_of_work() as uow:
        cursor = HandoverRepository(uow.session).feed_cursor(partner)
    for _ in range(MAX_PAGES_PER_PULL):
        page = client.pull_events(after=cursor, limit=MAX_EVENTS_PER_PAGE)
        counts.pages += 1
        _ingest(database, [upu_tracking_event(e, partner=partner) for e in page.events], counts)
        if page.next_cursor is not None and page.next_cursor != cursor:
            cursor = page.next_cursor
            with database.unit_of_work() as uow:
                HandoverRepository(uow.session).set_feed_cursor(partner, cursor, now=clock())
                uow.commit()
        if len(page.events) < MAX_EVENTS_PER_PAGE:
            return


def _pull_usps(
    database: Database,
    clients: PartnerClients,
    partner: str,
    counts: PullCounts,
    clock: Callable[[], datetime],
) -> None:
    client = clients.usps(partner)
    assert client is not None
    with database.unit_of_work() as uow:
        repo = HandoverRepository(uow.session)
        page = repo.accepted_tracking_numbers(
            partner, statuses=[s.value for s in STILL_MOVING], after=repo.feed_cursor(partner),
            limit=USPS_NUMBERS_PER_PULL,
        )  # fmt: skip
        # A short page went round to the end: the next run starts again from the first. Moved
        # before the call: a page whose call fails comes round again, and USPS answers every
        # event of a number each time, so nothing is lost.
        repo.set_feed_cursor(
            partner, page[-1][0] if len(page) == USPS_NUMBERS_PER_PULL else None, now=clock()
        )
        uow.commit()
    numbers = [number for _shipment_id, number in page]
    if not numbers:
        return
    parsed = client.track(numbers)
    counts.pages += -(-len(numbers) // 35)
    for error in parsed.errors:
        log.info("USPS tracking %s: %s %s", error.tracking_number, error.code, error.message)
    _ingest(database, [usps_tracking_event(e, partner=partner) for e in parsed.events], counts)


def _ingest(database: Database, events: Sequence[TrackingEvent], counts: PullCounts) -> None:
    if events:
        counts.events += len(events)
        counts.ingested.add(ingest_chunk(database=database, events=events))
