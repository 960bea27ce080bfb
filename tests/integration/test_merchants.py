from __future__ import annotations

import pytest

from postbridge.errors import InvalidInput, NotAuthenticated
from postbridge.merchants.models import ApiKey, Role
from postbridge.merchants.repository import MerchantRepository
from postbridge.merchants.service import authenticate, list_keys, revoke_key
from postbridge.storage.unit_of_work import Database
from tests.conftest import TEST_PEPPER, make_merchant


def test_key_is_stored_hashed_and_authenticates(db: Database) -> None:
    created = make_merchant(db)
    _, prefix, secret = created.token.split("_")
    with db.unit_of_work() as uow:
        row = MerchantRepository(uow.session).key_by_prefix(prefix)
        assert isinstance(row, ApiKey)
        assert secret not in row.secret_hash
        assert len(row.secret_hash) == 64
    principal = authenticate(database=db, token=created.token, pepper=TEST_PEPPER)
    assert principal.merchant_id == created.merchant_id
    assert principal.role is Role.MERCHANT


def test_wrong_pepper_does_not_authenticate(db: Database) -> None:
    created = make_merchant(db)
    with pytest.raises(NotAuthenticated):
        authenticate(database=db, token=created.token, pepper="another-pepper-value")


def test_revoked_key_is_refused_and_listed_as_revoked(db: Database) -> None:
    created = make_merchant(db)
    revoke_key(database=db, prefix=created.key_prefix)
    with pytest.raises(NotAuthenticated, match="revoked"):
        authenticate(database=db, token=created.token, pepper=TEST_PEPPER)
    listing = list_keys(database=db, merchant_id=created.merchant_id)
    assert [(k.prefix, k.revoked) for k in listing] == [(created.key_prefix, True)]


def test_duplicate_merchant_name_names_the_field(db: Database) -> None:
    from postbridge.merchants.service import create_merchant

    created = make_merchant(db)
    with pytest.raises(InvalidInput) as caught:
        create_merchant(database=db, name=created.name, role=Role.MERCHANT, pepper=TEST_PEPPER)
    assert caught.value.problems[0].field == "name"


def test_uncommitted_work_is_rolled_back(db: Database) -> None:
    from postbridge.merchants.models import Merchant

    with db.unit_of_work() as uow:
        MerchantRepository(uow.session).add(Merchant(id="mch_rollback_probe", name="x"))
        uow.session.flush()
    with db.unit_of_work() as uow:
        assert MerchantRepository(uow.session).get("mch_rollback_probe") is None
