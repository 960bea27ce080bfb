"""shared shipment documents: routes and duty estimates stored once, named by digest

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 12:36:35.624737

A route is shared by every parcel of a lane, delivery region and booking minute, a duty
estimate by every parcel of a basket and price: stored on each shipment they were 60 % of its
row. They move to ``shipment_documents`` (digest, kind, body); shipments keep the digests.
Existing shipments are moved in pages, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import orjson
import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PAGE = 2000

_shipments = sa.table(
    "shipments",
    sa.column("id", sa.String),
    sa.column("route", sa.JSON),
    sa.column("duties", sa.JSON),
    sa.column("route_digest", sa.String),
    sa.column("duties_digest", sa.String),
)
_documents = sa.table(
    "shipment_documents",
    sa.column("digest", sa.String),
    sa.column("kind", sa.String),
    sa.column("body", sa.JSON),
)


def _digest(document: Any) -> str:
    # Frozen copy of shipments.repository.document_digest over encode_document's text.
    text = orjson.dumps(document, option=orjson.OPT_NON_STR_KEYS)
    return hashlib.blake2b(text, digest_size=16).hexdigest()


def upgrade() -> None:
    op.create_table(
        "shipment_documents",
        sa.Column("digest", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_shipment_documents")),
    )
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("duties_digest", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("route_digest", sa.String(length=32), nullable=True))
    _move_documents_out()
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.alter_column("duties_digest", existing_type=sa.String(length=32), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_shipments_duties_digest_shipment_documents"),
            "shipment_documents",
            ["duties_digest"],
            ["digest"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_shipments_route_digest_shipment_documents"),
            "shipment_documents",
            ["route_digest"],
            ["digest"],
        )
        batch_op.drop_column("route")
        batch_op.drop_column("duties")


def _move_documents_out() -> None:
    bind = op.get_bind()
    stored: set[str] = set()
    after = ""
    while True:
        page = bind.execute(
            sa.select(_shipments.c.id, _shipments.c.route, _shipments.c.duties)
            .where(_shipments.c.id > after)
            .order_by(_shipments.c.id)
            .limit(PAGE)
        ).all()
        if not page:
            return
        new_documents = []
        updates = []
        for shipment_id, route, duties in page:
            digests: dict[str, str | None] = {"route": None, "duties": None}
            for kind, body in (("route", route), ("duties", duties)):
                if body is None:
                    continue
                digest = digests[kind] = _digest(body)
                if digest not in stored:
                    stored.add(digest)
                    new_documents.append({"digest": digest, "kind": kind, "body": body})
            updates.append(
                {
                    "shipment_id": shipment_id,
                    "new_route": digests["route"],
                    "new_duties": digests["duties"],
                }
            )
        if new_documents:
            bind.execute(_documents.insert(), new_documents)
        bind.execute(
            _shipments.update()
            .where(_shipments.c.id == sa.bindparam("shipment_id"))
            .values(
                route_digest=sa.bindparam("new_route"), duties_digest=sa.bindparam("new_duties")
            ),
            updates,
        )
        after = page[-1][0]


def downgrade() -> None:
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("duties", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("route", sa.JSON(), nullable=True))
    bind = op.get_bind()
    for kind in ("route", "duties"):
        digest_column = _shipments.c[f"{kind}_digest"]
        body = (
            sa.select(_documents.c.body)
            .where(_documents.c.digest == digest_column)
            .scalar_subquery()
        )
        bind.execute(_shipments.update().values({kind: body}))
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.alter_column("duties", existing_type=sa.JSON(), nullable=False)
        batch_op.drop_constraint(
            batch_op.f("fk_shipments_route_digest_shipment_documents"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_shipments_duties_digest_shipment_documents"), type_="foreignkey"
        )
        batch_op.drop_column("route_digest")
        batch_op.drop_column("duties_digest")
    op.drop_table("shipment_documents")
