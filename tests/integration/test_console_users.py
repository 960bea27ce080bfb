"""Console users, sessions and the sign-in rate limit on both databases."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from postbridge.console.errors import SignInRefused, TooManySignInAttempts
from postbridge.console.models import ConsoleSession, ConsoleUser, LoginFailure
from postbridge.console.repository import ConsoleRepository
from postbridge.console.service import (
    SESSION_LIFETIME,
    create_user,
    identity_for,
    sign_in,
    sign_out,
    sign_out_everywhere,
)
from postbridge.console.throttle import MAX_FAILURES_PER_ADDRESS, WINDOW
from postbridge.console.tokens import throttle_subject, token_digest
from postbridge.errors import InvalidInput, NotFound
from postbridge.kit.clock import utc_now
from postbridge.kit.ids import new_id
from postbridge.merchants.models import Role
from postbridge.storage.engine import make_engine
from postbridge.storage.unit_of_work import Database
from tests.conftest import make_merchant

PASSWORD = "a long enough password"


def _email() -> str:
    return f"user-{uuid.uuid4().hex[:10]}@example.com"


def _address() -> str:
    return f"198.51.100.{uuid.uuid4().int % 250}-{uuid.uuid4().hex[:6]}"


def test_a_user_is_stored_with_a_normalised_email_and_an_argon2_hash(db: Database) -> None:
    merchant = make_merchant(db)
    email = _email()
    user = create_user(
        database=db, email=f"  {email.upper()} ", password=PASSWORD, role=Role.MERCHANT,
        merchant_id=merchant.merchant_id,
    )  # fmt: skip
    assert (user.email, user.role, user.merchant_id) == (email, Role.MERCHANT, merchant.merchant_id)
    with db.unit_of_work() as uow:
        row = ConsoleRepository(uow.session).user_by_email(email)
        assert row is not None
        assert row.id == user.id
        assert row.password_hash.startswith("$argon2id$")
        assert PASSWORD not in row.password_hash


def test_creating_users_refuses_duplicates_unknown_merchants_and_mixed_roles(db: Database) -> None:
    merchant = make_merchant(db)
    email = _email()
    create_user(database=db, email=email, password=PASSWORD, role=Role.OPERATOR)
    with pytest.raises(InvalidInput) as duplicate:
        create_user(database=db, email=email.upper(), password=PASSWORD, role=Role.OPERATOR)
    assert duplicate.value.detail == f"email: a user with e-mail {email} exists already"
    with pytest.raises(NotFound) as unknown:
        create_user(
            database=db, email=_email(), password=PASSWORD, role=Role.MERCHANT,
            merchant_id="mch_missing",
        )  # fmt: skip
    assert unknown.value.detail == "merchant mch_missing does not exist"
    with pytest.raises(InvalidInput) as operator_with_merchant:
        create_user(
            database=db, email=_email(), password=PASSWORD, role=Role.OPERATOR,
            merchant_id=merchant.merchant_id,
        )  # fmt: skip
    assert operator_with_merchant.value.detail == "merchant_id: an operator belongs to no merchant"
    with pytest.raises(InvalidInput) as bad_email:
        create_user(database=db, email="ana at example", password=PASSWORD, role=Role.OPERATOR)
    assert bad_email.value.problems[0].field == "email"


def test_the_table_refuses_an_operator_with_a_merchant(db: Database) -> None:
    merchant = make_merchant(db)
    with db.unit_of_work() as uow:
        ConsoleRepository(uow.session).add_user(
            ConsoleUser(
                id=new_id("usr"),
                email=_email(),
                password_hash="x",
                role="operator",
                merchant_id=merchant.merchant_id,
                created_at=utc_now(),
            )  # fmt: skip
        )
        with pytest.raises(IntegrityError):
            uow.session.flush()


def test_signing_in_stores_only_the_token_hash_and_finds_the_identity(db: Database) -> None:
    merchant = make_merchant(db)
    email = _email()
    create_user(
        database=db, email=email, password=PASSWORD, role=Role.MERCHANT,
        merchant_id=merchant.merchant_id,
    )  # fmt: skip
    signed = sign_in(database=db, email=email.upper(), password=PASSWORD, client_address=_address())
    identity = identity_for(database=db, token=signed.token)
    assert identity == signed.identity
    assert identity is not None
    assert (identity.email, identity.role, identity.merchant_id, identity.merchant_name) == (
        email, Role.MERCHANT, merchant.merchant_id, merchant.name,
    )  # fmt: skip
    assert identity.scope == merchant.merchant_id
    with db.unit_of_work() as uow:
        row = uow.session.get(ConsoleSession, identity.session_id)
        assert row is not None
        assert row.token_hash == token_digest(signed.token)
        assert signed.token not in (row.token_hash, row.csrf_token)
        assert row.csrf_token == identity.csrf_token
        assert row.expires_at - row.created_at == SESSION_LIFETIME
    assert identity_for(database=db, token=signed.token + "x") is None
    assert identity_for(database=db, token=None) is None


def test_an_operator_signs_in_with_no_merchant_and_sees_every_one(db: Database) -> None:
    email = _email()
    create_user(database=db, email=email, password=PASSWORD, role=Role.OPERATOR)
    identity = sign_in(
        database=db, email=email, password=PASSWORD, client_address=_address()
    ).identity
    assert (identity.role, identity.merchant_id, identity.merchant_name) == (
        Role.OPERATOR, None, None,
    )  # fmt: skip
    assert identity.is_operator is True
    assert identity.scope is None


def test_a_session_ends_when_it_expires_or_is_signed_out(db: Database) -> None:
    email = _email()
    create_user(database=db, email=email, password=PASSWORD, role=Role.OPERATOR)
    first = sign_in(database=db, email=email, password=PASSWORD, client_address=_address())
    second = sign_in(database=db, email=email, password=PASSWORD, client_address=_address())
    later = utc_now() + SESSION_LIFETIME + timedelta(seconds=1)
    assert identity_for(database=db, token=first.token, now=later) is None
    assert sign_out(database=db, token=first.token) is True
    assert sign_out(database=db, token=first.token) is False
    assert identity_for(database=db, token=first.token) is None
    assert identity_for(database=db, token=second.token) is not None
    assert sign_out_everywhere(database=db, email=email) == 1
    assert identity_for(database=db, token=second.token) is None


def test_a_wrong_password_and_an_unknown_email_are_refused_alike(db: Database) -> None:
    email = _email()
    create_user(database=db, email=email, password=PASSWORD, role=Role.OPERATOR)
    address = _address()
    with pytest.raises(SignInRefused) as wrong_password:
        sign_in(database=db, email=email, password=PASSWORD + "!", client_address=address)
    with pytest.raises(SignInRefused) as unknown:
        sign_in(database=db, email=_email(), password=PASSWORD, client_address=address)
    assert (
        wrong_password.value.detail
        == unknown.value.detail
        == ("the e-mail address or the password is not right")
    )


def test_five_failures_lock_the_email_from_that_address_only_and_persist(
    db: Database, database_url: str
) -> None:
    email = _email()
    create_user(database=db, email=email, password=PASSWORD, role=Role.OPERATOR)
    address = _address()
    for _ in range(5):
        with pytest.raises(SignInRefused):
            sign_in(database=db, email=email, password="wrong password!", client_address=address)
    # The right password no longer helps from this address, for about the window.
    with pytest.raises(TooManySignInAttempts) as locked:
        sign_in(database=db, email=email, password=PASSWORD, client_address=address)
    assert WINDOW - timedelta(seconds=30) < locked.value.retry_after <= WINDOW
    assert locked.value.detail == "too many failed sign-ins: try again in 15 minutes"
    # Another process (a restart, a second worker) sees the same failures.
    restarted = Database(make_engine(database_url))
    try:
        with pytest.raises(TooManySignInAttempts):
            sign_in(database=restarted, email=email, password=PASSWORD, client_address=address)
    finally:
        restarted.dispose()
    # Another address is not locked out, and its success clears only its own failures.
    assert sign_in(database=db, email=email, password=PASSWORD, client_address=_address())
    after_window = utc_now() + WINDOW + timedelta(seconds=1)
    assert sign_in(
        database=db, email=email, password=PASSWORD, client_address=address, now=after_window
    )
    with db.unit_of_work() as uow:
        left = uow.session.scalar(
            select(func.count()).where(
                LoginFailure.subject == throttle_subject("account", email, address)
            )
        )
    assert left == 0


def test_failures_are_stored_under_hashed_subjects(db: Database) -> None:
    address = _address()
    email = _email()
    with pytest.raises(SignInRefused):
        sign_in(database=db, email=email, password="whatever password", client_address=address)
    with db.unit_of_work() as uow:
        subjects = set(
            uow.session.scalars(
                select(LoginFailure.subject).where(
                    LoginFailure.subject.in_(
                        [throttle_subject("account", email, address),
                         throttle_subject("address", address)]
                    )
                )
            )
        )  # fmt: skip
    assert subjects == {
        throttle_subject("account", email, address),
        throttle_subject("address", address),
    }
    assert all(email not in s and address not in s for s in subjects)


def test_an_address_with_too_many_failures_is_locked_out_for_every_email(db: Database) -> None:
    email = _email()
    create_user(database=db, email=email, password=PASSWORD, role=Role.OPERATOR)
    address = _address()
    now = utc_now()
    with db.unit_of_work() as uow:
        repository = ConsoleRepository(uow.session)
        for n in range(MAX_FAILURES_PER_ADDRESS):
            repository.add_failure(
                LoginFailure(
                    id=new_id("lgf"),
                    subject=throttle_subject("address", address),
                    failed_at=now - timedelta(seconds=n + 1),
                )  # fmt: skip
            )
        uow.commit()
    with pytest.raises(TooManySignInAttempts):
        sign_in(database=db, email=email, password=PASSWORD, client_address=address)


def test_a_hash_under_old_parameters_is_upgraded_at_sign_in(db: Database) -> None:
    email = _email()
    user = create_user(database=db, email=email, password=PASSWORD, role=Role.OPERATOR)
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with db.unit_of_work() as uow:
        row = ConsoleRepository(uow.session).user(user.id)
        assert row is not None
        row.password_hash = weak
        uow.commit()
    sign_in(database=db, email=email, password=PASSWORD, client_address=_address())
    with db.unit_of_work() as uow:
        row = ConsoleRepository(uow.session).user(user.id)
        assert row is not None
        assert row.password_hash != weak
        assert row.password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
