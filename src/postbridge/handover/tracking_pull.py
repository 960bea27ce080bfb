"""Pull the partners' tracking events and hand them to the tracking ingestion.

UPU-style posts: the event feed, page after page from the cursor stored per partner (saved
after each page is ingested, so a crash re-reads at most one page, which ingestion dedupes).
A partner whose adapter pulls by number over the partner's own API
(``PartnerAdapter.tracking_numbers_per_pull``): its parcels whose advance data was accepted
and which are not delivered or returned yet, a page of them per run, going round them all
(the last shipment id asked about is the partner's stored cursor). Every call goes through
the partner's client, so it keeps within the partner's rate limit from the partners file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from postbridge.carriers.adapter import PartnerAdapter, PartnerScan
from postbridge.carriers.clients import PartnerClients
from postbridge.carriers.upu.adapter import TRACKING_CODE_SCHEME as UPU_CODES
from postbridge.carriers.upu.wire import MAX_EVENTS_PER_PAGE, UpuEvent
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


def partner_tracking_event(scan: PartnerScan, *, partner: str, code_scheme: str) -> TrackingEvent:
    """A scan from a partner's own API, read through its adapter's code table."""
    offset = scan.utc_offset_minutes
    return build_event(
        tracking_number=scan.tracking_number,
        partner=partner,
        code_scheme=code_scheme,
        code=scan.code,
        text=scan.text,
        occurred=NormalizedTime(
            scan.occurred_at, "UTC" if offset is None else format_offset(timedelta(minutes=offset))
        ),
        location=Location(
            facility=scan.facility,
            city=scan.city,
            region=scan.region,
            postal_code=scan.postal_code,
            country=scan.country,
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
            adapter = clients.adapter(partner)
            per_pull = None if adapter is None else adapter.tracking_numbers_per_pull(clients)
            if adapter is not None and per_pull is not None:
                _pull_numbers(database, clients, partner, adapter, per_pull, counts, clock)
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


def _pull_numbers(
    database: Database,
    clients: PartnerClients,
    partner: str,
    adapter: PartnerAdapter,
    per_pull: int,
    counts: PullCounts,
    clock: Callable[[], datetime],
) -> None:
    with database.unit_of_work() as uow:
        repo = HandoverRepository(uow.session)
        page = repo.accepted_tracking_numbers(
            partner, statuses=[s.value for s in STILL_MOVING], after=repo.feed_cursor(partner),
            limit=per_pull,
        )  # fmt: skip
        # A short page went round to the end: the next run starts again from the first. Moved
        # before the call: a page whose call fails comes round again, and the partner answers
        # every event of a number each time, so nothing is lost.
        repo.set_feed_cursor(partner, page[-1][0] if len(page) == per_pull else None, now=clock())
        uow.commit()
    numbers = [number for _shipment_id, number in page]
    if not numbers:
        return
    pulled = adapter.pull_tracking(clients, numbers)
    counts.pages += pulled.calls
    scheme = adapter.tracking_code_scheme
    _ingest(
        database,
        [partner_tracking_event(e, partner=partner, code_scheme=scheme) for e in pulled.events],
        counts,
    )


def _ingest(database: Database, events: Sequence[TrackingEvent], counts: PullCounts) -> None:
    if events:
        counts.events += len(events)
        counts.ingested.add(ingest_chunk(database=database, events=events))
