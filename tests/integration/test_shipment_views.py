"""The API's read model (rows rendered straight to JSON) writes the bytes the pydantic path wrote:
ShipmentRead validated and serialised from ``shipment_read`` of the ORM shipment."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from pydantic import TypeAdapter

from postbridge.bootstrap import Platform, build_platform
from postbridge.handover.advance_data import advance_data_views
from postbridge.handover.models import ShipmentHandover
from postbridge.shipments import reading
from postbridge.shipments.booking import book, book_shipment
from postbridge.shipments.repository import ShipmentFilter
from postbridge.shipments.schemas import ShipmentCreate, ShipmentPage, ShipmentRead
from postbridge.shipments.views import dumps, shipment_input, shipment_json, shipment_read
from tests.builders import RECIPIENT_BR, shipment_body
from tests.conftest import make_merchant, settings_for


@pytest.fixture
def platform(database_url: str) -> Iterator[Platform]:
    plat = build_platform(settings_for(database_url))
    yield plat
    plat.database.dispose()


def _book(platform: Platform, merchant_id: str, **overrides: object) -> str:
    body = ShipmentCreate.model_validate(shipment_body(**overrides))  # type: ignore[arg-type]
    booked = book(deps=platform.booking, merchant_id=merchant_id, shipment=shipment_input(body))
    return booked.shipment_id


def test_read_model_bytes_equal_the_validated_response(platform: Platform) -> None:
    database = platform.database
    merchant = make_merchant(database).merchant_id
    ids = [
        _book(platform, merchant),
        _book(platform, merchant, recipient=RECIPIENT_BR),
        _book(platform, merchant, recipient=RECIPIENT_BR, incoterm="DDP"),
        _book(platform, merchant, service="economy"),
    ]
    with database.unit_of_work() as uow:
        uow.session.add(
            ShipmentHandover(
                shipment_id=ids[1],
                partner="BR",
                advance_status="held",
                # Another key order and a key the API does not show: the model's order wins.
                advance_reasons=[
                    {
                        "message": "missing",
                        "field": "items[0].hs_code",
                        "code": "hs_missing",
                        "extra": 1,
                    },
                ],  # fmt: skip
                advance_checked_by="platform",
                advance_sent_at=datetime(2026, 12, 2, 4, 5, 6, 789000, tzinfo=UTC),
                advance_answered_at=datetime(2026, 12, 2, 4, 5, 7, tzinfo=UTC),
            )
        )
        uow.commit()
    blocks = advance_data_views(database=database, shipment_ids=ids)
    one = TypeAdapter(ShipmentRead)
    for shipment_id in ids:
        orm = reading.get_shipment(database=database, shipment_id=shipment_id, merchant_id=None)
        expected = one.dump_json(
            one.validate_python(shipment_read(orm, advance_data=blocks[shipment_id]))
        )
        found = reading.shipment_rows(
            database=database, shipment_id=shipment_id, merchant_id=merchant
        )
        rendered = shipment_json(found.rows[0], found.documents, advance_data=blocks[shipment_id])
        assert dumps(rendered) == expected

    page = TypeAdapter(ShipmentPage)
    spec = ShipmentFilter(merchant_id=merchant)
    listing = reading.list_shipments(database=database, spec=spec, cursor=None, limit=3)
    expected_page = page.dump_json(
        page.validate_python(
            {
                "items": [shipment_read(s, advance_data=blocks[s.id]) for s in listing.items],
                "next_cursor": listing.next_cursor,
            }
        )
    )
    rows = reading.page_rows(database=database, spec=spec, cursor=None, limit=3)
    assert rows.next_cursor == listing.next_cursor
    items = [shipment_json(r, rows.documents, advance_data=blocks[r.id]) for r in rows.rows]
    assert dumps({"items": items, "next_cursor": rows.next_cursor}) == expected_page


def test_book_and_book_shipment_agree_on_replays(platform: Platform) -> None:
    merchant = make_merchant(platform.database).merchant_id
    shipment = shipment_input(ShipmentCreate.model_validate(shipment_body()))
    first = book(
        deps=platform.booking, merchant_id=merchant, shipment=shipment,
        idempotency_key="views-key", request_hash="h",
    )  # fmt: skip
    again = book_shipment(
        deps=platform.booking, merchant_id=merchant, shipment=shipment,
        idempotency_key="views-key", request_hash="h",
    )  # fmt: skip
    assert (first.replayed, again.replayed, again.shipment.id) == (False, True, first.shipment_id)
