"""Every query on shipments, their shared route and duty documents and idempotency keys, and
the row encoding that bulk capture inserts with."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from typing import Any, NamedTuple, cast

import orjson
from sqlalchemy import (
    JSON,
    Connection,
    Dialect,
    Integer,
    Row,
    Select,
    Table,
    bindparam,
    insert,
    select,
    tuple_,
    update,
)
from sqlalchemy.orm import Session

from postbridge.kit.text import storable
from postbridge.shipments.models import (
    IdempotencyKey,
    Shipment,
    ShipmentDocument,
)

# Column order of an encoded shipment row (what ``insert_encoded`` takes).
SHIPMENT_COLUMNS: tuple[str, ...] = tuple(column.name for column in Shipment.__table__.columns)
JSON_COLUMNS = frozenset(
    column.name for column in Shipment.__table__.columns if isinstance(column.type, JSON)
)


def encode_document(value: Any) -> str:
    """A JSON column's text, byte for byte what the engine's serializer writes (see
    storage.engine): bulk capture encodes in worker processes, off the writer's path."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def document_digest(text: str) -> str:
    """The name of a shared document: BLAKE2b-128 of its JSON text, in hex (32 characters)."""
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


class EncodedDocument(NamedTuple):
    """A route or duty estimate ready for ``shipment_documents``. A tuple: bulk capture sends
    thousands between processes, and tuples unpickle several times faster than dataclasses."""

    digest: str
    kind: str  # "route" or "duties"
    text: str

    @classmethod
    def of(cls, kind: str, value: Any) -> EncodedDocument:
        text = encode_document(value)
        return cls(document_digest(text), kind, text)


SHARED_DOCUMENTS = {"route": "route_digest", "duties": "duties_digest"}


def encode_shipment_row(row: dict[str, Any]) -> tuple[list[Any], list[EncodedDocument]]:
    """A ``shipment_row`` dict as an encoded row (values in SHIPMENT_COLUMNS order, JSON as
    text, route and duties as digests) and the shared documents it points to."""
    values = dict(row)
    documents = []
    for kind, column in SHARED_DOCUMENTS.items():
        document = values.pop(kind)
        values[column] = None
        if document is not None:
            encoded = EncodedDocument.of(kind, document)
            documents.append(encoded)
            values[column] = encoded.digest
    encoded_row = [
        encode_document(values[name]) if name in JSON_COLUMNS else values[name]
        for name in SHIPMENT_COLUMNS
    ]
    return encoded_row, documents


@lru_cache(maxsize=8)
def _document_insert(dialect: Dialect) -> str:
    marker = {"qmark": "?", "format": "%s", "pyformat": "%s"}.get(dialect.paramstyle)
    if marker is None:
        raise NotImplementedError(f"parameter style {dialect.paramstyle!r}")
    # A digest names exactly one text, so a document already stored is left as it is.
    return (
        f"INSERT INTO {ShipmentDocument.__tablename__} (digest, kind, body) "
        f"VALUES ({marker}, {marker}, {marker}) ON CONFLICT (digest) DO NOTHING"
    )


@lru_cache(maxsize=8)
def _insert_plan(dialect: Dialect) -> tuple[str, tuple[tuple[int, Callable[[Any], Any]], ...]]:
    """The INSERT statement in the driver's parameter style, and the bind processors (dates and
    UTC datetimes) of the non-JSON columns, applied exactly as SQLAlchemy would apply them."""
    marker = {"qmark": "?", "format": "%s", "pyformat": "%s"}.get(dialect.paramstyle)
    if marker is None:
        raise NotImplementedError(f"parameter style {dialect.paramstyle!r}")
    columns = Shipment.__table__.columns
    sql = (
        f"INSERT INTO {Shipment.__tablename__} ({', '.join(SHIPMENT_COLUMNS)}) "
        f"VALUES ({', '.join([marker] * len(SHIPMENT_COLUMNS))})"
    )
    processors = []
    for position, column in enumerate(columns):
        if column.name in JSON_COLUMNS:
            continue
        processor = column.type._cached_bind_processor(dialect)
        if processor is not None:
            processors.append((position, processor))
    return sql, tuple(processors)


# The columns the API's read model renders (views.shipment_json), read by Core without the ORM.
_table = cast(Table, Shipment.__table__)
READ_COLUMNS = tuple(
    _table.c[name]
    for name in (
        "id", "reference", "status", "service", "incoterm", "tracking_number",
        "partner_tracking_number", "sender", "recipient", "weight_g", "length_mm", "width_mm",
        "height_mm", "customs", "customs_form", "duties_digest", "product", "partner",
        "route_digest", "price_minor", "price_currency", "promised_p50", "promised_p90",
        "created_at",
    )
)  # fmt: skip
_documents = cast(Table, ShipmentDocument.__table__)
_idempotency = cast(Table, IdempotencyKey.__table__)
# Built once with bound parameters: a statement object keeps its cache key, so a hot read
# skips building the select, its coercions and the key (profiled: ~15 % of a single read).
_READ_ONE = select(*READ_COLUMNS).where(_table.c.id == bindparam("shipment_id"))
_READ_ONE_OF = _READ_ONE.where(_table.c.merchant_id == bindparam("merchant_id"))
_IDEMPOTENCY_ANSWER = select(_idempotency.c.request_hash, _idempotency.c.shipment_id).where(
    _idempotency.c.merchant_id == bindparam("merchant_id"), _idempotency.c.key == bindparam("key")
)


@dataclass(frozen=True, slots=True)
class ShipmentFilter:
    merchant_id: str | None  # None: an operator reading every merchant's shipments
    status: str | None = None
    destination: str | None = None
    reference: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    reference_prefix: str | None = None  # references that start with it
    tracking_number: str | None = None


def prefix_bound(prefix: str) -> str | None:
    """The least string above every string that starts with ``prefix`` (its last character
    moved one code point up), or None when there is none. ``prefix <= reference < bound`` is a
    prefix match that stays one range of the ``(merchant_id, reference, ...)`` index, which
    ``LIKE 'x%'`` is not on either database (and it would read ``%`` and ``_`` as wildcards).
    It needs code point order: SQLite's BINARY collation, and the ``C.UTF-8`` collation the
    PostgreSQL databases are created with; under a locale collation (en_US) the range could
    miss references and would need ``COLLATE "C"`` and an index of its own."""
    kept = prefix
    while kept:
        following = ord(kept[-1]) + 1
        if 0xD800 <= following <= 0xDFFF:  # surrogates are no characters: skip past them
            following = 0xE000
        if following <= 0x10FFFF:
            return kept[:-1] + chr(following)
        kept = kept[:-1]
    return None


STREAM_ROWS = 2000


def _page_statement(
    spec: ShipmentFilter, after: tuple[datetime, str] | None, limit: int, *, rows: bool
) -> tuple[Select[Any], dict[str, Any]]:
    """A page of ``spec``, newest first after the cursor ``after``: the statement of its
    filter shape, built once, and the values to bind. ``rows``: READ_COLUMNS (the API's read
    path, ShipmentReader); otherwise ``Shipment`` objects.

    Building the select and its cache key anew for every request cost about as much CPU as
    PostgreSQL's part of a 50-row page (bench/lookups.py); a statement kept per shape is
    built once and its compiled form found at once."""
    values: dict[str, Any] = {
        "merchant_id": spec.merchant_id, "status": spec.status or None,
        "destination": spec.destination or None, "reference": spec.reference or None,
        "created_from": spec.created_from, "created_to": spec.created_to,
        "tracking_number": spec.tracking_number or None,
        "reference_from": spec.reference_prefix or None,
        "reference_before": prefix_bound(spec.reference_prefix) if spec.reference_prefix else None,
    }  # fmt: skip
    if after is not None:
        values["after_created"], values["after_id"] = after
    shape = tuple(sorted(name for name, value in values.items() if value is not None))
    parameters = {name: values[name] for name in shape}
    parameters["limit"] = limit
    return _page_statement_for(shape, rows=rows), parameters


@cache
def _page_statement_for(shape: tuple[str, ...], *, rows: bool) -> Select[Any]:
    query = select(*READ_COLUMNS) if rows else select(Shipment)
    matches = {
        "merchant_id": Shipment.merchant_id == bindparam("merchant_id"),
        "status": Shipment.status == bindparam("status"),
        "destination": Shipment.destination_country == bindparam("destination"),
        "reference": Shipment.reference == bindparam("reference"),
        "created_from": Shipment.created_at >= bindparam("created_from"),
        "created_to": Shipment.created_at < bindparam("created_to"),
        "tracking_number": Shipment.tracking_number == bindparam("tracking_number"),
        "reference_from": Shipment.reference >= bindparam("reference_from"),
        "reference_before": Shipment.reference < bindparam("reference_before"),
    }
    for name in shape:
        if name in matches:
            query = query.where(matches[name])
    if "after_created" in shape:
        after_created = bindparam("after_created", type_=Shipment.created_at.type)
        after = tuple_(after_created, bindparam("after_id", type_=Shipment.id.type))
        query = query.where(tuple_(Shipment.created_at, Shipment.id) < after)
    ordered = query.order_by(Shipment.created_at.desc(), Shipment.id.desc())
    return ordered.limit(bindparam("limit", type_=Integer))


class ShipmentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def insert_many(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert ``shipment_row`` dicts (single booking) through the bulk path."""
        encoded = [encode_shipment_row(row) for row in rows]
        self.put_documents([document for _, documents in encoded for document in documents])
        self.insert_encoded([row for row, _ in encoded])

    def put_documents(self, documents: Sequence[EncodedDocument]) -> None:
        """Store the shared documents that are not stored yet (before the rows naming them)."""
        if not documents:
            return
        connection = self.session.connection()
        connection.exec_driver_sql(
            _document_insert(connection.dialect),
            [(document.digest, document.kind, document.text) for document in documents],
        )

    def set_routes(self, routes: Mapping[str, dict[str, Any]], *, now: datetime) -> None:
        """Point each shipment (by id) at its new route document, stored if new: one insert of
        the documents and one executemany of the updates, without loading the shipments."""
        documents = {
            shipment_id: EncodedDocument.of("route", route) for shipment_id, route in routes.items()
        }
        self.put_documents(list({d.digest: d for d in documents.values()}.values()))
        if documents:
            table = cast(Table, Shipment.__table__)
            self.session.connection().execute(
                update(table)
                .where(table.c.id == bindparam("shipment_id"))
                .values(route_digest=bindparam("digest"), updated_at=now),
                [{"shipment_id": i, "digest": d.digest} for i, d in documents.items()],
            )

    def insert_encoded(self, rows: Sequence[list[Any]]) -> None:
        """One DBAPI executemany of encoded rows (see ``encode_shipment_row``).

        Core's per-row parameter processing cost more than SQLite's insert itself; here the only
        per-row work left is the few date and datetime columns, converted once per distinct
        value (a chunk shares one booking time). ``rows`` are updated in place.
        """
        if not rows:
            return
        connection = self.session.connection()
        sql, processors = _insert_plan(connection.dialect)
        for position, process in processors:
            converted: dict[Any, Any] = {}
            for row in rows:
                value = row[position]
                if value is not None:
                    found = converted.get(value)
                    if found is None:
                        found = converted[value] = process(value)
                    row[position] = found
        connection.exec_driver_sql(sql, [tuple(row) for row in rows])

    def get(self, shipment_id: str, *, merchant_id: str | None) -> Shipment | None:
        if not storable(shipment_id):  # no such id can exist; PostgreSQL would refuse the query
            return None
        query = select(Shipment).where(Shipment.id == shipment_id)
        if merchant_id is not None:
            query = query.where(Shipment.merchant_id == merchant_id)
        return self.session.scalars(query).first()

    def get_many(self, shipment_ids: Iterable[str], *, merchant_id: str | None) -> list[Shipment]:
        ids = list(shipment_ids)
        query = select(Shipment).where(Shipment.id.in_([i for i in ids if storable(i)]))
        if merchant_id is not None:
            query = query.where(Shipment.merchant_id == merchant_id)
        found = {s.id: s for s in self.session.scalars(query)}
        return [found[i] for i in ids if i in found]

    def page(
        self, spec: ShipmentFilter, *, after: tuple[datetime, str] | None, limit: int
    ) -> list[Shipment]:
        """Newest first; the cursor is the (created_at, id) of the last row already seen."""
        statement, parameters = _page_statement(spec, after, limit, rows=False)
        return list(self.session.scalars(statement, parameters))

    def insert_idempotency_key(
        self, *, merchant_id: str, key: str, request_hash: str, shipment_id: str, now: datetime
    ) -> None:
        """``add_idempotency_record`` without the ORM's flush machinery: one Core insert."""
        self.session.execute(
            insert(_idempotency).values(
                merchant_id=merchant_id, key=key, request_hash=request_hash,
                shipment_id=shipment_id, created_at=now,
            )
        )  # fmt: skip

    def idempotency_record(self, merchant_id: str, key: str) -> IdempotencyKey | None:
        return self.session.scalars(
            select(IdempotencyKey).where(
                IdempotencyKey.merchant_id == merchant_id, IdempotencyKey.key == key
            )
        ).first()

    def add_idempotency_record(self, record: IdempotencyKey) -> None:
        self.session.add(record)


class ShipmentReader:
    """The API's read path (issue 16): Core rows on a bare connection (``Database.reading``),
    no ORM objects. Building ORM instances (identity map, instance state, the joined-eager
    documents) cost most of a list page's CPU; the read model needs plain values, so these
    read READ_COLUMNS rows and leave the shared documents to ``documents``, which the views
    ask only for the digests they have not rendered yet."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def read_row(self, shipment_id: str, *, merchant_id: str | None) -> Row[Any] | None:
        """The READ_COLUMNS row of one shipment (of ``merchant_id`` unless None)."""
        if not storable(shipment_id):  # no such id can exist; PostgreSQL would refuse the query
            return None
        if merchant_id is None:
            result = self.connection.execute(_READ_ONE, {"shipment_id": shipment_id})
        else:
            parameters = {"shipment_id": shipment_id, "merchant_id": merchant_id}
            result = self.connection.execute(_READ_ONE_OF, parameters)
        return result.first()

    def page_rows(
        self, spec: ShipmentFilter, *, after: tuple[datetime, str] | None, limit: int
    ) -> list[Row[Any]]:
        """``page`` as READ_COLUMNS rows: the same query, order and cursor."""
        # .all() is one fetchall: iterating the result fetched the rows one call at a time.
        statement, parameters = _page_statement(spec, after, limit, rows=True)
        return list(self.connection.execute(statement, parameters).all())

    def documents(self, digests: Iterable[str]) -> dict[str, tuple[str, Any]]:
        """(kind, parsed body) of each shared document, by digest: one query."""
        wanted = list(digests)
        if not wanted:
            return {}
        query = select(_documents.c.digest, _documents.c.kind, _documents.c.body).where(
            _documents.c.digest.in_(wanted)
        )
        return {digest: (kind, body) for digest, kind, body in self.connection.execute(query)}

    def idempotency_answer(self, merchant_id: str, key: str) -> tuple[str, str] | None:
        """(request hash, shipment id) remembered for ``key``: Core, no ORM object."""
        parameters = {"merchant_id": merchant_id, "key": key}
        row = self.connection.execute(_IDEMPOTENCY_ANSWER, parameters).first()
        return None if row is None else (row[0], row[1])
