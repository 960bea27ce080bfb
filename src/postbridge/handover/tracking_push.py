"""Tracking a partner pushes to us (``Capability.TRACKING_PUSH``: USPS's tracking
subscriptions): the subscription, asked for once by a worker job, and the notifications the
partner then posts to our listener, ``POST /v1/partner-notifications/{partner}/tracking``.

A notification is acknowledged (200) only once its events are committed: the partner posts
again what was not acknowledged, and the events' fingerprints make a second post of the same
scans a no-op, so a listener killed mid-request loses nothing and stores nothing twice. Its
signature is the partner's (the adapter checks it before anything is read); the listener
takes no API key.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from urllib.parse import quote

from postbridge.carriers import Capability, PartnerRegistry
from postbridge.carriers.clients import PartnerClients
from postbridge.errors import InvalidInput, NotFound, PartnerError
from postbridge.handover.job_kinds import PARTNER_JOB_ATTEMPTS, TRACKING_SUBSCRIPTION_JOB
from postbridge.handover.tracking_pull import partner_tracking_event
from postbridge.jobs.repository import JobRepository, NewJob
from postbridge.kit.clock import utc_now
from postbridge.storage.unit_of_work import Database
from postbridge.tracking.ingest import IngestCounts, ingest_chunk

log = logging.getLogger(__name__)


def push_partners(registry: PartnerRegistry) -> list[str]:
    """The partners with an adapter of their own that push their scans."""
    return [p for p in registry.partners if registry.supports(p, Capability.TRACKING_PUSH)]


def listener_url(public_base_url: str, partner: str) -> str:
    return f"{public_base_url.rstrip('/')}/v1/partner-notifications/{quote(partner)}/tracking"


def queue_subscriptions(
    *,
    database: Database,
    clients: PartnerClients,
    public_base_url: str,
    clock: Callable[[], datetime] = utc_now,
) -> int:
    """A subscription job per pushing partner with an API connection, once per listener URL
    (the jobs worker calls this as it starts; a new public URL subscribes again)."""
    registry = clients.registry
    if registry is None:
        return 0
    jobs = []
    for partner in push_partners(registry):
        adapter = registry.adapter(partner)
        if adapter.tracking_numbers_per_pull(clients) is None:  # no API connection configured
            continue
        url = listener_url(public_base_url, partner)
        jobs.append(
            NewJob(
                kind=TRACKING_SUBSCRIPTION_JOB,
                payload={"partner": partner, "listener_url": url},
                dedupe_key=f"tracking-subscription:{partner}:{url}",
                max_attempts=PARTNER_JOB_ATTEMPTS,
            )  # fmt: skip
        )
    if not jobs:
        return 0
    with database.unit_of_work() as uow:
        added = JobRepository(uow.session).enqueue_many(jobs, now=clock())
        uow.commit()
    return added


def subscribe(*, clients: PartnerClients, partner: str, listener_url: str) -> str:
    """The partner's subscription id for our listener (the job's work)."""
    registry = clients.registry
    if registry is None:
        raise NotFound(f"no adapter speaks {partner}'s own API")
    subscription_id = registry.adapter(partner).subscribe_tracking(
        clients, listener_url=listener_url
    )
    log.info("%s tracking subscription %s pushes to %s", partner, subscription_id, listener_url)
    return subscription_id


def receive_push(
    *,
    database: Database,
    registry: PartnerRegistry,
    partner: str,
    body: bytes,
    headers: Mapping[str, str],
) -> IngestCounts:
    """Check and store one notification's scans; what was new, duplicate, unmapped."""
    if partner not in registry.partners or not registry.supports(partner, Capability.TRACKING_PUSH):
        raise NotFound(f"{partner} pushes no tracking notifications to postbridge")
    adapter = registry.adapter(partner)
    try:
        scans = adapter.receive_tracking_push(body, {k.lower(): v for k, v in headers.items()})
    except PartnerError as exc:
        # The partner is the caller here: a body that is not its documented format is its
        # bad request (422), not an upstream failure of ours (5xx).
        raise InvalidInput.for_field("body", exc.detail, code="invalid_notification") from exc
    scheme = adapter.tracking_code_scheme
    events = [partner_tracking_event(s, partner=partner, code_scheme=scheme) for s in scans]
    if not events:
        return IngestCounts()
    return ingest_chunk(database=database, events=events)
