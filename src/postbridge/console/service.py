"""Use cases: create console users, sign in (rate-limited), find the session behind a cookie,
sign out (one session, or every session of a user)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from postbridge.console.errors import SignInRefused, TooManySignInAttempts
from postbridge.console.models import ConsoleSession, ConsoleUser, LoginFailure
from postbridge.console.passwords import (
    check_new_password,
    hash_password,
    needs_rehash,
    password_matches,
)
from postbridge.console.repository import ConsoleRepository
from postbridge.console.throttle import (
    MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS,
    MAX_FAILURES_PER_ADDRESS,
    WINDOW,
    Limit,
    retry_after,
)
from postbridge.console.tokens import new_token, throttle_subject, token_digest
from postbridge.errors import InvalidInput, NotFound
from postbridge.kit.clock import utc_now
from postbridge.kit.ids import new_id
from postbridge.merchants.models import Role
from postbridge.merchants.repository import MerchantRepository
from postbridge.storage.unit_of_work import Database

# Absolute lifetime: a session ends 12 hours after sign-in, used or not (a working day).
SESSION_LIFETIME = timedelta(hours=12)
MAX_EMAIL_LENGTH = 254


@dataclass(frozen=True, slots=True)
class UserView:
    id: str
    email: str
    role: Role
    merchant_id: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ConsoleIdentity:
    """Who a console request is from: the signed-in user, its merchant, and its session."""

    user_id: str
    email: str
    role: Role
    merchant_id: str | None
    merchant_name: str | None
    session_id: str
    csrf_token: str
    expires_at: datetime

    @property
    def is_operator(self) -> bool:
        return self.role is Role.OPERATOR

    @property
    def scope(self) -> str | None:
        """The merchant id every read is restricted to; None lets an operator see them all."""
        return None if self.is_operator else self.merchant_id


@dataclass(frozen=True, slots=True)
class SignedIn:
    token: str  # for the cookie, once; only its hash is stored
    identity: ConsoleIdentity


def normalized_email(email: str, *, field: str = "email") -> str:
    """Trimmed and lower-cased; one ``@`` with text on both sides, no spaces or controls."""
    clean = email.strip().lower()
    local, at, domain = clean.partition("@")
    if (
        not at
        or not local
        or "." not in domain.strip(".")
        or "@" in domain
        or len(clean) > MAX_EMAIL_LENGTH
        or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in clean)
    ):
        raise InvalidInput.for_field(field, "must be an e-mail address such as ana@example.com")
    return clean


def create_user(
    *, database: Database, email: str, password: str, role: Role, merchant_id: str | None = None
) -> UserView:
    clean = normalized_email(email)
    if role is Role.MERCHANT and not merchant_id:
        raise InvalidInput.for_field("merchant_id", "a merchant user needs its merchant")
    if role is Role.OPERATOR and merchant_id:
        raise InvalidInput.for_field("merchant_id", "an operator belongs to no merchant")
    check_new_password(password, email=clean)
    password_hash = hash_password(password)
    with database.unit_of_work() as uow:
        repository = ConsoleRepository(uow.session)
        if merchant_id and MerchantRepository(uow.session).get(merchant_id) is None:
            raise NotFound(f"merchant {merchant_id} does not exist")
        if repository.user_by_email(clean) is not None:
            raise InvalidInput.for_field("email", f"a user with e-mail {clean} exists already")
        user = ConsoleUser(
            id=new_id("usr"), email=clean, password_hash=password_hash, role=role.value,
            merchant_id=merchant_id, created_at=utc_now(),
        )  # fmt: skip
        repository.add_user(user)
        uow.commit()
    return UserView(user.id, user.email, role, user.merchant_id, user.created_at)


def list_users(*, database: Database) -> list[UserView]:
    with database.unit_of_work() as uow:
        return [
            UserView(u.id, u.email, Role(u.role), u.merchant_id, u.created_at)
            for u in ConsoleRepository(uow.session).users()
        ]


def sign_in(
    *,
    database: Database,
    email: str,
    password: str,
    client_address: str,
    now: datetime | None = None,
) -> SignedIn:
    """A new session for the user, or ``SignInRefused`` (the same for an unknown e-mail and a
    wrong password, and as slow), or ``TooManySignInAttempts`` before any check once the
    address, or this e-mail from this address, has failed too often in the window."""
    now = now or utc_now()
    clean = email.strip().lower()[: MAX_EMAIL_LENGTH + 1]
    limits = (
        Limit(throttle_subject("account", clean, client_address), MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS),
        Limit(throttle_subject("address", client_address), MAX_FAILURES_PER_ADDRESS),
    )  # fmt: skip
    with database.unit_of_work() as uow:
        repository = ConsoleRepository(uow.session)
        for limit in limits:
            failures = repository.failures_since(limit.subject, now - WINDOW)
            wait = retry_after(failures, limit=limit.max_failures, now=now)
            if wait is not None:
                raise TooManySignInAttempts(wait)
        user = repository.user_by_email(clean)
        stored_hash = None if user is None else user.password_hash
    # Argon2 takes tens of milliseconds: outside any transaction.
    if not password_matches(password, stored_hash) or user is None:
        _record_failure(database, limits, now)
        raise SignInRefused("the e-mail address or the password is not right")
    token = new_token()
    with database.unit_of_work() as uow:
        repository = ConsoleRepository(uow.session)
        repository.clear_failures(limits[0].subject)
        if needs_rehash(user.password_hash):
            stored = repository.user(user.id)
            if stored is not None:
                stored.password_hash = hash_password(password)
        console_session = ConsoleSession(
            id=new_id("ses"), token_hash=token_digest(token), user_id=user.id,
            csrf_token=new_token(), created_at=now, expires_at=now + SESSION_LIFETIME,
        )  # fmt: skip
        repository.add_session(console_session)
        merchant_name = _merchant_name(uow.session, user.merchant_id)
        uow.commit()
    return SignedIn(token, _identity(console_session, user, merchant_name))


def _record_failure(database: Database, limits: tuple[Limit, ...], now: datetime) -> None:
    with database.unit_of_work() as uow:
        repository = ConsoleRepository(uow.session)
        repository.purge_failures(now - WINDOW)
        for limit in limits:
            repository.add_failure(
                LoginFailure(id=new_id("lgf"), subject=limit.subject, failed_at=now)
            )
        uow.commit()


def identity_for(
    *, database: Database, token: str | None, now: datetime | None = None
) -> ConsoleIdentity | None:
    """The identity behind a session cookie; None when absent, unknown, expired or revoked."""
    if not token:
        return None
    with database.unit_of_work() as uow:
        found = ConsoleRepository(uow.session).live_session(
            token_digest(token), now=now or utc_now()
        )
        if found is None:
            return None
        console_session, user = found
        return _identity(console_session, user, _merchant_name(uow.session, user.merchant_id))


def sign_out(*, database: Database, token: str | None) -> bool:
    """Revoke the session behind ``token``; whether there was a live one."""
    if not token:
        return False
    with database.unit_of_work() as uow:
        revoked = ConsoleRepository(uow.session).revoke_session(token_digest(token), now=utc_now())
        uow.commit()
    return revoked > 0


def sign_out_everywhere(*, database: Database, email: str) -> int:
    """Revoke every session of the user (a lost laptop, a changed password); how many."""
    clean = normalized_email(email)
    with database.unit_of_work() as uow:
        repository = ConsoleRepository(uow.session)
        user = repository.user_by_email(clean)
        if user is None:
            raise NotFound(f"no console user with e-mail {clean}")
        revoked = repository.revoke_sessions_of(user.id, now=utc_now())
        uow.commit()
    return revoked


def _merchant_name(session: Session, merchant_id: str | None) -> str | None:
    if merchant_id is None:
        return None
    merchant = MerchantRepository(session).get(merchant_id)
    return None if merchant is None else merchant.name


def _identity(
    console_session: ConsoleSession, user: ConsoleUser, merchant_name: str | None
) -> ConsoleIdentity:
    return ConsoleIdentity(
        user_id=user.id, email=user.email, role=Role(user.role), merchant_id=user.merchant_id,
        merchant_name=merchant_name, session_id=console_session.id,
        csrf_token=console_session.csrf_token, expires_at=console_session.expires_at,
    )  # fmt: skip
