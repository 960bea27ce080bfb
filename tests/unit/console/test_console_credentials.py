"""Console credentials, pure: the password policy and Argon2id hashing, session and CSRF
tokens, and the sign-in rate limit's window."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from postbridge.console.passwords import (
    MAX_LENGTH,
    check_new_password,
    hash_password,
    needs_rehash,
    password_matches,
)
from postbridge.console.throttle import WINDOW, retry_after
from postbridge.console.tokens import (
    login_form_token,
    login_form_token_matches,
    new_token,
    throttle_subject,
    token_digest,
    tokens_match,
)
from postbridge.errors import InvalidInput

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
GOOD = "correct horse battery"


def test_a_password_hash_is_argon2id_salted_and_verifies_only_its_password() -> None:
    first, second = hash_password(GOOD), hash_password(GOOD)
    assert first.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert first != second  # a salt per hash
    assert GOOD not in first
    assert password_matches(GOOD, first) is True
    assert password_matches(GOOD + " ", first) is False
    assert password_matches("", first) is False
    assert needs_rehash(first) is False


def test_a_hash_under_weaker_parameters_still_verifies_and_asks_for_a_rehash() -> None:
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(GOOD)
    assert password_matches(GOOD, weak) is True
    assert needs_rehash(weak) is True


def test_no_stored_hash_or_a_broken_one_never_matches() -> None:
    assert password_matches("postbridge-no-such-user", None) is False
    assert password_matches(GOOD, None) is False
    assert password_matches(GOOD, "not-a-hash") is False
    assert password_matches("x" * (MAX_LENGTH + 1), hash_password(GOOD)) is False


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short pass1", "password: must be at least 12 characters"),
        ("x" * 257, "password: must be at most 256 characters"),
        (" " * 12, "password: must not be only spaces"),
        ("Ana@Example.com", "password: must not be the e-mail address"),
    ],
)
def test_a_new_password_is_refused_with_the_reason(password: str, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_new_password(password, email="ana@example.com")
    assert refused.value.detail == message
    assert refused.value.problems[0].field == "password"


def test_a_twelve_character_password_is_accepted() -> None:
    check_new_password("twelve chars", email="ana@example.com")


def test_session_tokens_are_random_and_stored_as_their_sha256() -> None:
    token = new_token()
    assert len(token) == 43  # 32 bytes, base64url without padding
    assert new_token() != token
    assert token_digest(token) == hashlib.sha256(token.encode()).hexdigest()
    assert len(token_digest(token)) == 64


def test_tokens_match_only_equal_non_empty_tokens() -> None:
    assert tokens_match("abc", "abc") is True
    assert tokens_match("abc", "abd") is False
    assert tokens_match("abc", None) is False
    assert tokens_match(None, None) is False
    assert tokens_match("", "") is False


def test_the_login_form_token_is_bound_to_its_nonce_and_the_server_secret() -> None:
    token = login_form_token("nonce-1", secret="server-secret-1")
    assert len(token) == 64
    assert login_form_token_matches("nonce-1", token, secret="server-secret-1") is True
    assert login_form_token_matches("nonce-2", token, secret="server-secret-1") is False
    assert login_form_token_matches("nonce-1", token, secret="server-secret-2") is False
    assert login_form_token_matches(None, token, secret="server-secret-1") is False
    assert login_form_token_matches("nonce-1", None, secret="server-secret-1") is False


def test_throttle_subjects_are_hashes_that_keep_no_email_or_address() -> None:
    subject = throttle_subject("account", "ana@example.com", "203.0.113.9")
    assert subject == hashlib.sha256(b"account\x1fana@example.com\x1f203.0.113.9").hexdigest()
    assert subject != throttle_subject("account", "ana@example.com", "203.0.113.10")
    assert subject != throttle_subject("account", "ana@example.com203.0.113.9")


def test_under_the_limit_an_attempt_goes_ahead() -> None:
    failures = [T0 - timedelta(minutes=m) for m in (1, 2, 3, 4)]
    assert retry_after(failures, limit=5, now=T0) is None


def test_at_the_limit_the_wait_runs_until_the_oldest_counted_failure_leaves_the_window() -> None:
    failures = [T0 - timedelta(minutes=m) for m in (10, 8, 6, 4, 2)]
    assert retry_after(failures, limit=5, now=T0) == WINDOW - timedelta(minutes=10)
    # Six failures: once the oldest leaves, five remain; the second oldest decides.
    six = [*failures, T0 - timedelta(minutes=12)]
    assert retry_after(six, limit=5, now=T0) == WINDOW - timedelta(minutes=10)


def test_failures_outside_the_window_do_not_count() -> None:
    failures = [T0 - WINDOW - timedelta(seconds=1), *[T0 - timedelta(minutes=1)] * 4]
    assert retry_after(failures, limit=5, now=T0) is None


def test_the_wait_is_never_under_a_second() -> None:
    failures = [T0 - WINDOW + timedelta(milliseconds=10)] * 5
    assert retry_after(failures, limit=5, now=T0) == timedelta(seconds=1)
