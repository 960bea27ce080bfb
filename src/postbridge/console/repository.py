"""Every query of the console context."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from postbridge.console.models import ConsoleSession, ConsoleUser, LoginFailure


class ConsoleRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add_user(self, user: ConsoleUser) -> None:
        self.session.add(user)

    def user(self, user_id: str) -> ConsoleUser | None:
        return self.session.get(ConsoleUser, user_id)

    def user_by_email(self, email: str) -> ConsoleUser | None:
        return self.session.scalars(select(ConsoleUser).where(ConsoleUser.email == email)).first()

    def users(self) -> Sequence[ConsoleUser]:
        return self.session.scalars(select(ConsoleUser).order_by(ConsoleUser.email)).all()

    def add_session(self, console_session: ConsoleSession) -> None:
        self.session.add(console_session)

    def live_session(
        self, token_hash: str, *, now: datetime
    ) -> tuple[ConsoleSession, ConsoleUser] | None:
        """The session with this token hash and its user, unless revoked or expired."""
        row = self.session.execute(
            select(ConsoleSession, ConsoleUser)
            .join(ConsoleUser, ConsoleUser.id == ConsoleSession.user_id)
            .where(
                ConsoleSession.token_hash == token_hash,
                ConsoleSession.revoked_at.is_(None),
                ConsoleSession.expires_at > now,
            )
        ).first()
        return None if row is None else (row[0], row[1])

    def revoke_session(self, token_hash: str, *, now: datetime) -> int:
        result = self.session.execute(
            update(ConsoleSession)
            .where(ConsoleSession.token_hash == token_hash, ConsoleSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    def revoke_sessions_of(self, user_id: str, *, now: datetime) -> int:
        result = self.session.execute(
            update(ConsoleSession)
            .where(ConsoleSession.user_id == user_id, ConsoleSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    def add_failure(self, failure: LoginFailure) -> None:
        self.session.add(failure)

    def failures_since(self, subject: str, since: datetime) -> list[datetime]:
        return list(
            self.session.scalars(
                select(LoginFailure.failed_at)
                .where(LoginFailure.subject == subject, LoginFailure.failed_at > since)
                .order_by(LoginFailure.failed_at)
            )
        )

    def clear_failures(self, subject: str) -> None:
        self.session.execute(delete(LoginFailure).where(LoginFailure.subject == subject))

    def purge_failures(self, before: datetime) -> None:
        self.session.execute(delete(LoginFailure).where(LoginFailure.failed_at <= before))
