"""Composition root: settings, database and the registry of every context's tables."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import MetaData

from postbridge.config import Settings
from postbridge.storage.base import Base
from postbridge.storage.engine import make_engine
from postbridge.storage.unit_of_work import Database


def metadata() -> MetaData:
    """Import every context's models so their tables register on the shared metadata."""
    import postbridge.merchants.models  # noqa: F401

    return Base.metadata


@dataclass
class Platform:
    settings: Settings
    database: Database


def build_platform(settings: Settings) -> Platform:
    metadata()
    return Platform(settings=settings, database=Database(make_engine(settings.database_url)))
