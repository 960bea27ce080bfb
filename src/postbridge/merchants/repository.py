from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from postbridge.merchants.models import ApiKey, Merchant


class MerchantRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, merchant: Merchant) -> None:
        self.session.add(merchant)

    def get(self, merchant_id: str) -> Merchant | None:
        return self.session.get(Merchant, merchant_id)

    def get_by_name(self, name: str) -> Merchant | None:
        return self.session.scalars(select(Merchant).where(Merchant.name == name)).first()

    def list(self) -> Sequence[Merchant]:
        return self.session.scalars(select(Merchant).order_by(Merchant.created_at)).all()

    def add_key(self, key: ApiKey) -> None:
        self.session.add(key)

    def key_by_prefix(self, prefix: str) -> ApiKey | None:
        return self.session.scalars(select(ApiKey).where(ApiKey.prefix == prefix)).first()

    def keys(self, merchant_id: str | None = None) -> Sequence[ApiKey]:
        query = select(ApiKey).order_by(ApiKey.created_at)
        if merchant_id is not None:
            query = query.where(ApiKey.merchant_id == merchant_id)
        return self.session.scalars(query).all()
