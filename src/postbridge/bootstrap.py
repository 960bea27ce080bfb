"""Composition root: settings, database, the registry of every context's tables, and the
collaborators each use case needs (number allocator, route planner)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import MetaData

from postbridge.config import Settings
from postbridge.network import demo_network, load_network
from postbridge.network.model import Network
from postbridge.numbering.allocator import NumberAllocator
from postbridge.quotes.service import Quoter
from postbridge.shipments.booking import BookingDeps
from postbridge.storage.base import Base
from postbridge.storage.engine import make_engine
from postbridge.storage.unit_of_work import Database


def metadata() -> MetaData:
    """Import every context's models so their tables register on the shared metadata."""
    import postbridge.bulk.models  # noqa: F401
    import postbridge.capacity.models  # noqa: F401
    import postbridge.merchants.models  # noqa: F401
    import postbridge.numbering.models  # noqa: F401
    import postbridge.shipments.models  # noqa: F401

    return Base.metadata


@dataclass
class Platform:
    settings: Settings
    database: Database
    booking: BookingDeps
    quoter: Quoter


def load_operator_network(settings: Settings) -> Network:
    """The operator's network: POSTBRIDGE_NETWORK_DIR, or the demo network shipped inside."""
    if settings.network_dir is None:
        return demo_network()
    return load_network(settings.network_dir)


def build_platform(settings: Settings) -> Platform:
    metadata()
    database = Database(make_engine(settings.database_url))
    quoter = Quoter(load_operator_network(settings))
    booking = BookingDeps(
        database=database,
        allocator=NumberAllocator(
            database.session_factory,
            usps_mailer_id=settings.usps_mailer_id,
            usps_service_type_code=settings.usps_service_type_code,
        ),
        planner=quoter,
        cn22_threshold_sdr=settings.cn22_threshold_sdr,
    )
    return Platform(settings=settings, database=database, booking=booking, quoter=quoter)
