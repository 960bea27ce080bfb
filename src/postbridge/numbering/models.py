"""Number tables: S10 serial ranges and named counters (IMpb serials)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from postbridge.storage.base import Base, UTCDateTime


class NumberRange(Base):
    """A block of S10 serials for one partner and service indicator.

    ``next_serial`` only ever grows, so a number is never issued twice; a range is retired when
    exhausted and may only be reopened by an operator once ``last_issued_at`` is 12 months old.
    """

    __tablename__ = "number_ranges"
    __table_args__ = (UniqueConstraint("partner", "service_indicator", "issuer", "first_serial"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partner: Mapped[str] = mapped_column(String(40))
    service_indicator: Mapped[str] = mapped_column(String(2))
    issuer: Mapped[str] = mapped_column(String(2))
    first_serial: Mapped[int] = mapped_column(Integer)
    last_serial: Mapped[int] = mapped_column(Integer)
    next_serial: Mapped[int] = mapped_column(Integer)
    last_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SerialCounter(Base):
    """A named, ever-increasing counter (IMpb serials per mailer id and service type code)."""

    __tablename__ = "serial_counters"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    next_value: Mapped[int] = mapped_column(BigInteger)
