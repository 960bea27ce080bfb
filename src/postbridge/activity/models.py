"""The daily activity projection's table: one row per merchant, UTC day and destination."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from postbridge.storage.base import Base


class DailyActivity(Base):
    __tablename__ = "merchant_daily_activity"

    merchant_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    destination_country: Mapped[str] = mapped_column(String(2), primary_key=True)
    booked: Mapped[int] = mapped_column(Integer, default=0)
    labelled: Mapped[int] = mapped_column(Integer, default=0)
    cancelled: Mapped[int] = mapped_column(Integer, default=0)
