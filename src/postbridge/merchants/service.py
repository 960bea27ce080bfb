"""Use cases: create merchants, issue, list, revoke and check API keys."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from postbridge.errors import InvalidInput, NotAuthenticated, NotFound
from postbridge.kit.clock import utc_now
from postbridge.kit.ids import new_id
from postbridge.merchants.keys import (
    IssuedKey,
    hash_secret,
    issue_key,
    matching_pepper,
    split_token,
)
from postbridge.merchants.models import ApiKey, Merchant, Role
from postbridge.merchants.repository import MerchantRepository
from postbridge.storage.unit_of_work import Database


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the merchant behind the key, and whether it may see everything."""

    merchant_id: str
    merchant_name: str
    role: Role

    @property
    def is_operator(self) -> bool:
        return self.role is Role.OPERATOR

    @property
    def scope(self) -> str | None:
        """The merchant id queries are restricted to; None lets an operator see every merchant."""
        return None if self.is_operator else self.merchant_id


@dataclass(frozen=True, slots=True)
class CreatedMerchant:
    merchant_id: str
    name: str
    role: Role
    key_prefix: str
    token: str


@dataclass(frozen=True, slots=True)
class KeyListing:
    key_id: str
    prefix: str
    merchant_id: str
    merchant_name: str
    created_at: str
    revoked: bool


def create_merchant(*, database: Database, name: str, role: Role, pepper: str) -> CreatedMerchant:
    clean = name.strip()
    if not clean or len(clean) > 200:
        raise InvalidInput.for_field("name", "must be 1 to 200 characters")
    with database.unit_of_work() as uow:
        repo = MerchantRepository(uow.session)
        if repo.get_by_name(clean) is not None:
            raise InvalidInput.for_field("name", f"a merchant named {clean!r} exists already")
        merchant = Merchant(id=new_id("mch"), name=clean, role=role.value)
        repo.add(merchant)
        repo.session.flush()  # the key row references it; no ORM relationship orders inserts
        issued = _issue_for(repo, merchant.id, pepper=pepper)
        uow.commit()
    return CreatedMerchant(merchant.id, clean, role, issued.prefix, issued.token)


def create_key(*, database: Database, merchant_id: str, pepper: str) -> str:
    with database.unit_of_work() as uow:
        repo = MerchantRepository(uow.session)
        if repo.get(merchant_id) is None:
            raise NotFound(f"merchant {merchant_id} does not exist")
        issued = _issue_for(repo, merchant_id, pepper=pepper)
        uow.commit()
    return issued.token


def _issue_for(repo: MerchantRepository, merchant_id: str, *, pepper: str) -> IssuedKey:
    issued = issue_key()
    repo.add_key(
        ApiKey(
            id=new_id("key"),
            merchant_id=merchant_id,
            prefix=issued.prefix,
            secret_hash=hash_secret(issued.secret, pepper=pepper),
        )
    )
    # The token goes back to the caller once; only its hash is stored.
    return issued


def list_keys(*, database: Database, merchant_id: str | None = None) -> list[KeyListing]:
    with database.unit_of_work() as uow:
        repo = MerchantRepository(uow.session)
        names = {m.id: m.name for m in repo.list()}
        keys = list(repo.keys(merchant_id))
    return [
        KeyListing(
            key_id=key.id,
            prefix=key.prefix,
            merchant_id=key.merchant_id,
            merchant_name=names.get(key.merchant_id, "?"),
            created_at=key.created_at.isoformat(timespec="seconds"),
            revoked=key.revoked_at is not None,
        )
        for key in keys
    ]


def merchant_named(*, database: Database, name: str) -> Merchant | None:
    with database.unit_of_work() as uow:
        return MerchantRepository(uow.session).get_by_name(name.strip())


def list_merchants(*, database: Database) -> Sequence[Merchant]:
    with database.unit_of_work() as uow:
        return MerchantRepository(uow.session).list()


def revoke_key(*, database: Database, prefix: str) -> None:
    """Revoke by the key's prefix (the part shown in listings) or by the whole token."""
    split = split_token(prefix)
    lookup = split[0] if split else prefix.strip()
    with database.unit_of_work() as uow:
        key = MerchantRepository(uow.session).key_by_prefix(lookup)
        if key is None:
            raise NotFound(f"no API key with prefix {lookup!r}")
        if key.revoked_at is None:
            key.revoked_at = utc_now()
        uow.commit()


def authenticate(
    *, database: Database, token: str, pepper: str, previous_peppers: Sequence[str] = ()
) -> Principal:
    """The key's principal. A key hashed under a previous pepper (the server's secret before a
    rotation) is valid, and re-hashed under the current one, so the previous secret can be
    retired once every key has been used since."""
    split = split_token(token)
    if split is None:
        raise NotAuthenticated("the API key is malformed: expected 'pb_<prefix>_<secret>'")
    prefix, secret = split
    with database.unit_of_work() as uow:
        repo = MerchantRepository(uow.session)
        key = repo.key_by_prefix(prefix)
        matched = (
            None
            if key is None
            else matching_pepper(secret, key.secret_hash, peppers=(pepper, *previous_peppers))
        )
        if key is None or matched is None:
            raise NotAuthenticated("the API key is not valid")
        if key.revoked_at is not None:
            raise NotAuthenticated("the API key has been revoked")
        merchant = repo.get(key.merchant_id)
        if matched != pepper:
            key.secret_hash = hash_secret(secret, pepper=pepper)
            uow.commit()
    if merchant is None:
        raise NotAuthenticated("the API key's merchant no longer exists")
    return Principal(merchant.id, merchant.name, Role(merchant.role))
