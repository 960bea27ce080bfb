"""Console tables: users, their sessions, and the failed sign-ins the rate limit counts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from postbridge.storage.base import Base, UTCDateTime


class ConsoleUser(Base):
    """A person who signs in to the console: a merchant's user (sees that merchant only) or an
    operator (sees every merchant, belongs to none). Machines use API keys instead."""

    __tablename__ = "console_users"
    __table_args__ = (
        CheckConstraint(
            "(role = 'merchant' AND merchant_id IS NOT NULL)"
            " OR (role = 'operator' AND merchant_id IS NULL)",
            name="role_merchant",
        ),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # normalised: lower case
    password_hash: Mapped[str] = mapped_column(String(200))  # Argon2id, with its parameters
    role: Mapped[str] = mapped_column(String(20))
    merchant_id: Mapped[str | None] = mapped_column(ForeignKey("merchants.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ConsoleSession(Base):
    """A signed-in browser. The cookie holds the token; this row only its SHA-256."""

    __tablename__ = "console_sessions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("console_users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))  # put in every form, checked on POST
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LoginFailure(Base):
    """One failed sign-in under one rate-limit subject (a hash: no e-mail or address in clear);
    rows older than the window are deleted as new ones come."""

    __tablename__ = "console_login_failures"
    __table_args__ = (
        Index("ix_console_login_failures_subject_failed", "subject", "failed_at"),
        Index("ix_console_login_failures_failed_at", "failed_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    subject: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime())
