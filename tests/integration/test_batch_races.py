"""Uploads racing with one batch key answer as the idempotent call they are, on both databases."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

from postbridge.bulk import batches
from postbridge.bulk.repository import BatchRepository
from postbridge.storage.unit_of_work import Database
from tests.conftest import make_merchant


def test_concurrent_uploads_with_one_key_open_one_batch(db: Database) -> None:
    merchant = make_merchant(db)
    key = f"race-{uuid.uuid4().hex[:8]}"

    def upload(_: int) -> tuple[str, bool]:
        batch, created = batches.open_batch(
            database=db, merchant_id=merchant.merchant_id, batch_key=key,
            file_name="orders.csv", sha256="ab" * 32,
        )  # fmt: skip
        return batch.id, created

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(upload, range(20)))
    assert len({batch_id for batch_id, _ in outcomes}) == 1
    assert sum(created for _, created in outcomes) == 1
    with db.unit_of_work() as uow:
        stored = BatchRepository(uow.session).by_key(merchant.merchant_id, key)
    assert stored is not None
    assert stored.id == outcomes[0][0]
