"""Composition root: settings, database, the registry of every context's tables, and the
collaborators each use case needs (number allocator, route planner), and what the worker runs:
the outbox's consumers and the job handlers (worker.handlers)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import MetaData

from postbridge.activity.consumer import DailyActivityConsumer
from postbridge.capacity.disruptions import DisruptionFeed
from postbridge.carriers import PartnerRegistry
from postbridge.carriers.clients import PartnerClients
from postbridge.carriers.partners_file import load_partners_file
from postbridge.carriers.upu import upu_adapters
from postbridge.carriers.upu.profiles import load_profiles
from postbridge.carriers.usps import UspsAdapter, UspsSettings
from postbridge.config import Settings, UnsafeProductionSettings
from postbridge.handover.consumer import HandoverConsumer
from postbridge.jobs.relay import EventConsumer
from postbridge.network import demo_network, load_network
from postbridge.network.model import Network
from postbridge.numbering.allocator import NumberAllocator
from postbridge.quotes.service import Quoter
from postbridge.shipments.booking import BookingDeps
from postbridge.storage.base import Base
from postbridge.storage.engine import make_engine
from postbridge.storage.unit_of_work import Database
from postbridge.webhooks.fanout import WebhookFanOut


def metadata() -> MetaData:
    """Import every context's models so their tables register on the shared metadata."""
    import postbridge.activity.models  # noqa: F401
    import postbridge.bulk.models  # noqa: F401
    import postbridge.capacity.models  # noqa: F401
    import postbridge.console.models  # noqa: F401
    import postbridge.handover.models  # noqa: F401
    import postbridge.jobs.models  # noqa: F401
    import postbridge.merchants.models  # noqa: F401
    import postbridge.numbering.models  # noqa: F401
    import postbridge.shipments.models  # noqa: F401
    import postbridge.storage.outbox  # noqa: F401
    import postbridge.tracking.models  # noqa: F401
    import postbridge.webhooks.models  # noqa: F401

    return Base.metadata


@dataclass
class Platform:
    settings: Settings
    database: Database
    booking: BookingDeps
    quoter: Quoter
    partners: PartnerRegistry
    partner_clients: PartnerClients | None = None  # the partners' HTTP clients (handover)


def event_consumers() -> list[EventConsumer]:
    """Who the outbox relay hands events to (each idempotent through its inbox)."""
    return [DailyActivityConsumer(), WebhookFanOut(), HandoverConsumer()]


def load_operator_network(settings: Settings) -> Network:
    """The operator's network: POSTBRIDGE_NETWORK_DIR, or the demo network shipped inside."""
    if settings.network_dir is None:
        return demo_network()
    return load_network(settings.network_dir)


def partner_registry(usps: UspsSettings | None = None) -> PartnerRegistry:
    """The last-mile partners: USPS with its settings (``POSTBRIDGE_USPS_*``), and the UPU
    adapter for every other post, one per profile file (carriers/upu/profiles) and the default
    profile for posts without one."""
    posts, default_post = upu_adapters()
    return PartnerRegistry([UspsAdapter(usps or UspsSettings()), *posts], default=default_post)


def refuse_development_defaults(settings: Settings, usps: UspsSettings) -> None:
    """In production, refuse to start on a development secret, the demo mailer id or a
    loopback public URL: one line naming each setting."""
    if settings.env != "production":
        return
    problems = settings.development_defaults() + usps.development_defaults()
    if problems:
        raise UnsafeProductionSettings(
            "POSTBRIDGE_ENV=production refuses to start: " + "; ".join(problems)
        )


def build_platform(settings: Settings, *, partners: PartnerRegistry | None = None) -> Platform:
    refuse_development_defaults(settings, UspsSettings())
    metadata()
    database = Database(make_engine(settings.database_url))
    partners = partners or partner_registry()
    quoter = Quoter(
        load_operator_network(settings), partners=partners, disruptions=DisruptionFeed(database)
    )
    booking = BookingDeps(
        database=database,
        allocator=NumberAllocator(database, partner_schemes=partners.number_schemes()),
        planner=quoter,
        cn22_threshold_sdr=settings.cn22_threshold_sdr,
    )
    return Platform(
        settings=settings, database=database, booking=booking, quoter=quoter, partners=partners,
        partner_clients=partner_clients(settings, partners),
    )  # fmt: skip


def partner_clients(settings: Settings, partners: PartnerRegistry) -> PartnerClients:
    """The partners' HTTP clients from the partners file (POSTBRIDGE_PARTNERS_FILE, or the
    shipped one pointing at the sandbox) and the post profiles; the registry's adapters speak
    the partners' own APIs."""
    return PartnerClients(
        load_partners_file(settings.partners_file), load_profiles(), registry=partners
    )
