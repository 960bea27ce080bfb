from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from postbridge.carriers.usps import ImpbScheme
from postbridge.errors import Conflict
from postbridge.identifiers.impb import is_valid_impb
from postbridge.identifiers.s10 import is_valid_s10
from postbridge.numbering.allocator import NumberAllocator
from postbridge.numbering.models import NumberRange
from postbridge.shipments.booking import BookingDeps, book_shipment
from postbridge.storage.unit_of_work import Database
from tests.builders import shipment_input
from tests.conftest import make_merchant


def deps_for(db: Database) -> BookingDeps:
    return BookingDeps(database=db, allocator=NumberAllocator(db), planner=None)


def test_concurrent_bookings_get_distinct_valid_numbers(db: Database) -> None:
    deps = deps_for(db)
    merchant = make_merchant(db)
    count = 200 if db.dialect == "postgresql" else 40

    def one(index: int) -> str:
        result = book_shipment(
            deps=deps,
            merchant_id=merchant.merchant_id,
            shipment=shipment_input(reference=f"C-{index}"),
        )
        return result.shipment.tracking_number

    with ThreadPoolExecutor(max_workers=16) as pool:
        numbers = list(pool.map(one, range(count)))
    assert len(set(numbers)) == count
    assert all(is_valid_s10(number) for number in numbers)


def test_concurrent_same_idempotency_key_books_once(db: Database) -> None:
    deps = deps_for(db)
    merchant = make_merchant(db)
    shipment = shipment_input(reference="IDEM-RACE")

    def one(_: int) -> str:
        return book_shipment(
            deps=deps,
            merchant_id=merchant.merchant_id,
            shipment=shipment,
            idempotency_key="race-key",
            request_hash="same",
        ).shipment.id

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = set(pool.map(one, range(16)))
    assert len(ids) == 1


def test_exhausted_range_moves_on_then_refuses(db: Database) -> None:
    with db.unit_of_work() as uow:
        uow.session.add(
            NumberRange(
                partner="tiny-partner",
                service_indicator="RR",
                issuer="CN",
                first_serial=500,
                last_serial=502,
                next_serial=500,
            )
        )
        uow.commit()
    allocator = NumberAllocator(db)
    numbers = allocator.allocate(partner="tiny-partner", service_indicator="RR", count=2)
    assert [n[2:10] for n in numbers] == ["00000500", "00000501"]
    assert [
        n[2:10] for n in allocator.allocate(partner="tiny-partner", service_indicator="RR")
    ] == ["00000502"]
    with pytest.raises(Conflict, match="no S10 serials left"):
        allocator.allocate(partner="tiny-partner", service_indicator="RR")


def test_concurrent_impb_allocation_never_collides(db: Database) -> None:
    impb = ImpbScheme(mailer_id="901234", service_type_code="001")
    allocator = NumberAllocator(db, partner_schemes={impb.name: impb})
    with ThreadPoolExecutor(max_workers=16) as pool:
        blocks = list(
            pool.map(lambda _: allocator.allocate_partner_numbers(impb.name, 5), range(40))
        )
    numbers = [number for block in blocks for number in block]
    assert len(numbers) == 200
    assert len(set(numbers)) == 200
    assert all(is_valid_impb(number) and number.startswith("93001901234") for number in numbers)
