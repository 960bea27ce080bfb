from __future__ import annotations

import base64
from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import psycopg

from postbridge.kit import ids
from postbridge.kit.ids import new_id, new_ids
from postbridge.shipments.repository import SHIPMENT_COLUMNS, _insert_plan, encode_document


def test_new_ids_are_unique_prefixed_and_share_one_time_part() -> None:
    batch = new_ids("shp", 5000)
    assert len(set(batch)) == 5000
    assert all(i.startswith("shp_") and len(i) == 30 for i in batch)
    assert {i[4:14] for i in batch} == {batch[0][4:14]}
    later = new_id("shp")
    assert later[4:14] >= batch[0][4:14]
    assert new_ids("shp", 0) == []


@given(st.binary(min_size=10, max_size=10))
def test_random_part_is_crockford_base32_of_the_80_bits(raw: bytes) -> None:
    translated = base64.b32encode(raw).translate(ids._RFC4648_TO_CROCKFORD).decode()
    assert translated == ids._encode(int.from_bytes(raw, "big"), 16)


def test_insert_statement_follows_each_driver_parameter_style() -> None:
    columns = ", ".join(SHIPMENT_COLUMNS)
    qmark, _ = _insert_plan(sqlite.dialect())
    pyformat, processors = _insert_plan(psycopg.dialect())
    marks = len(SHIPMENT_COLUMNS)
    assert qmark == f"INSERT INTO shipments ({columns}) VALUES ({', '.join(['?'] * marks)})"
    assert pyformat == f"INSERT INTO shipments ({columns}) VALUES ({', '.join(['%s'] * marks)})"
    assert sorted(SHIPMENT_COLUMNS[at] for at, _ in processors) == ["created_at", "updated_at"]


def test_sqlite_dates_and_times_are_stored_as_sqlalchemy_stores_them() -> None:
    _, processors = _insert_plan(sqlite.dialect())
    by_name = {SHIPMENT_COLUMNS[at]: process for at, process in processors}
    moment = datetime(2026, 11, 25, 9, 30, 1, 5, tzinfo=UTC)
    assert by_name["created_at"](moment) == "2026-11-25 09:30:01.000005"
    assert by_name["promised_p50"](date(2026, 12, 3)) == "2026-12-03"


def test_documents_encode_compactly_with_non_string_keys() -> None:
    assert encode_document({"a": [1, None], 2: "é"}) == '{"a":[1,null],"2":"é"}'
    assert encode_document(None) == "null"
