"""Migrations that move data, run on a database of their own (SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import make_url

from postbridge.migrations import alembic_config
from postbridge.shipments.models import Shipment, ShipmentDocument
from postbridge.shipments.repository import document_digest, encode_document
from postbridge.storage.engine import make_engine, normalize_url
from postbridge.storage.unit_of_work import Database
from tests.conftest import BACKENDS, _postgres_admin_url, make_merchant

ROUTE = {"product": "CN-US-STANDARD", "legs": [{"leg": "SZX-SC>HKG-AIR"}], "sort_code": "LAX-787"}
DUTIES = {"status": "complete", "total": {"amount": "8.27", "currency": "USD"}, "note": "DDU."}
OTHER_DUTIES = {"status": "partial", "total": {"amount": "0.00", "currency": "USD"}, "note": "US."}


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    admin = _postgres_admin_url()
    if admin is None:
        pytest.skip("PostgreSQL tier: set POSTBRIDGE_TEST_POSTGRES_URL (scripts/test.sh does)")
    name = f"postbridge_migration_{uuid.uuid4().hex[:12]}"
    conninfo = make_url(normalize_url(admin)).set(drivername="postgresql")
    with psycopg.connect(conninfo.render_as_string(hide_password=False), autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    try:
        yield normalize_url(conninfo.set(database=name).render_as_string(hide_password=False))
    finally:
        with psycopg.connect(conninfo.render_as_string(hide_password=False), autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_shipments_0003 = sa.table(
    "shipments",
    *(
        sa.column(name)
        for name in (
            "id",
            "merchant_id",
            "reference",
            "status",
            "service",
            "incoterm",
            "tracking_number",
            "origin_country",
            "destination_country",
            "destination_postal_code",
            "weight_g",
            "length_mm",
            "width_mm",
            "height_mm",
            "customs_form",
            "created_at",
            "updated_at",
        )
    ),  # fmt: skip
    *(sa.column(name, sa.JSON) for name in ("sender", "recipient", "customs", "route", "duties")),
)


def shipment_0003(number: int, merchant_id: str, route: Any, duties: Any) -> dict[str, Any]:
    return {
        "id": f"shp_{number}", "merchant_id": merchant_id, "reference": f"ORDER-{number}",
        "status": "booked", "service": "standard", "incoterm": "DDU",
        "tracking_number": f"LX0000000{number}5CN", "origin_country": "CN",
        "destination_country": "US", "destination_postal_code": "78701", "weight_g": 450,
        "length_mm": 200, "width_mm": 150, "height_mm": 50, "customs_form": "CN22",
        "created_at": "2026-11-25 09:30:00.000000", "updated_at": "2026-11-25 09:30:00.000000",
        "sender": {"name": "Li Wei"}, "recipient": {"name": "Jane Doe"},
        "customs": {"category": "gift", "items": []}, "route": route, "duties": duties,
    }  # fmt: skip


def test_routes_and_duty_estimates_move_to_shared_documents_and_back(empty_url: str) -> None:
    config = alembic_config(empty_url)
    command.upgrade(config, "0003")
    database = Database(make_engine(empty_url))
    try:
        merchant = make_merchant(database)
        rows = [
            shipment_0003(1, merchant.merchant_id, ROUTE, DUTIES),
            shipment_0003(2, merchant.merchant_id, ROUTE, DUTIES),
            shipment_0003(3, merchant.merchant_id, None, OTHER_DUTIES),
        ]
        if empty_url.startswith("postgresql"):
            for row in rows:
                row["created_at"] = row["updated_at"] = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
        with database.engine.begin() as connection:
            connection.execute(_shipments_0003.insert(), rows)

        command.upgrade(config, "0004")
        with database.unit_of_work() as uow:
            documents = {
                d.digest: (d.kind, d.body) for d in uow.session.scalars(sa.select(ShipmentDocument))
            }
            moved = {
                s.id: (s.route_document.body if s.route_document else None, s.duties_document.body)
                for s in uow.session.scalars(sa.select(Shipment))
            }  # the bodies as moved: these fragments are no whole documents to parse
        assert documents == {
            document_digest(encode_document(ROUTE)): ("route", ROUTE),
            document_digest(encode_document(DUTIES)): ("duties", DUTIES),
            document_digest(encode_document(OTHER_DUTIES)): ("duties", OTHER_DUTIES),
        }
        assert moved == {
            "shp_1": (ROUTE, DUTIES),
            "shp_2": (ROUTE, DUTIES),
            "shp_3": (None, OTHER_DUTIES),
        }

        command.downgrade(config, "0003")
        with database.engine.connect() as connection:
            back = connection.execute(
                sa.select(
                    _shipments_0003.c.id, _shipments_0003.c.route, _shipments_0003.c.duties
                ).order_by(_shipments_0003.c.id)
            ).all()
            tables = sa.inspect(connection).get_table_names()
        assert [tuple(row) for row in back] == [
            ("shp_1", ROUTE, DUTIES),
            ("shp_2", ROUTE, DUTIES),
            ("shp_3", None, OTHER_DUTIES),
        ]
        assert "shipment_documents" not in tables
    finally:
        database.dispose()
