"""Rotating the server's secret (the API keys' pepper) invalidates no key: keys hashed under a
previous secret authenticate and are re-hashed under the current one when used; new keys are
hashed under the current one."""

from __future__ import annotations

import pytest

from postbridge.errors import NotAuthenticated
from postbridge.merchants.keys import hash_secret, split_token
from postbridge.merchants.models import Role
from postbridge.merchants.repository import MerchantRepository
from postbridge.merchants.service import authenticate, create_key, create_merchant
from postbridge.storage.unit_of_work import Database
from tests.conftest import make_merchant

OLD = "old-secret-0123456789-0123456789-ab"
NEW = "new-secret-0123456789-0123456789-cd"


def _stored_hash(db: Database, token: str) -> str:
    split = split_token(token)
    assert split is not None
    with db.unit_of_work() as uow:
        key = MerchantRepository(uow.session).key_by_prefix(split[0])
        assert key is not None
        return key.secret_hash


def test_a_key_of_the_previous_secret_authenticates_and_is_rehashed(db: Database) -> None:
    merchant = create_merchant(
        database=db, name=f"rotation-{OLD[-2:]}-{id(db)}", role=Role.MERCHANT, pepper=OLD
    )
    secret = merchant.token.split("_")[2]
    assert _stored_hash(db, merchant.token) == hash_secret(secret, pepper=OLD)

    principal = authenticate(database=db, token=merchant.token, pepper=NEW, previous_peppers=(OLD,))

    assert principal.merchant_id == merchant.merchant_id
    assert _stored_hash(db, merchant.token) == hash_secret(secret, pepper=NEW)
    # Re-hashed: the previous secret can now be retired for this key.
    assert (
        authenticate(database=db, token=merchant.token, pepper=NEW).merchant_id
        == merchant.merchant_id
    )
    with pytest.raises(NotAuthenticated, match="^the API key is not valid$"):
        authenticate(database=db, token=merchant.token, pepper=OLD)


def test_new_keys_are_hashed_under_the_current_secret(db: Database) -> None:
    merchant = make_merchant(db)
    token = create_key(database=db, merchant_id=merchant.merchant_id, pepper=NEW)
    assert _stored_hash(db, token) == hash_secret(token.split("_")[2], pepper=NEW)
    assert authenticate(
        database=db, token=token, pepper=NEW, previous_peppers=(OLD,)
    ).merchant_id == (merchant.merchant_id)


def test_a_secret_that_is_neither_current_nor_previous_is_refused(db: Database) -> None:
    merchant = create_merchant(
        database=db, name=f"rotation-x-{id(db)}", role=Role.MERCHANT, pepper=OLD
    )
    with pytest.raises(NotAuthenticated, match="^the API key is not valid$"):
        authenticate(
            database=db, token=merchant.token, pepper=NEW, previous_peppers=("other-secret",)
        )
    assert _stored_hash(db, merchant.token) == hash_secret(merchant.token.split("_")[2], pepper=OLD)
