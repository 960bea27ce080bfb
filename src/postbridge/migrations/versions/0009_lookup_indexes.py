"""lookup indexes: a merchant's shipments by reference, status and destination, newest first

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 03:00:00

``GET /v1/shipments`` filters one merchant's shipments and pages them newest first, by
``(created_at, id)``. An index on the filter alone makes the planner choose between finding the
rows and reading them in order: without statistics SQLite took ``(merchant_id, created_at, id)``
and walked all of a merchant's rows for a reference (800 ms at 665k shipments). Each index
below ends with the page order, so the filter and the order are one range of one index:
``(merchant_id, reference, created_at, id)`` replaces ``(merchant_id, reference)``;
``(merchant_id, status, created_at, id)`` and ``(merchant_id, destination_country, created_at,
id)`` are new. A created range alone is served by ``(merchant_id, created_at, id)``. Plans and
timings: ``bench/lookups.py`` and BENCHMARKS.md.

The single-column ``destination_country`` index goes: the composite one serves a merchant's
lookups, an operator's listing across merchants is rare, and every index costs bulk capture
(seven per inserted row before this revision) its share of the insert.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("shipments") as batch_op:
        batch_op.drop_index("ix_shipments_destination_country")
        batch_op.drop_index("ix_shipments_merchant_reference")
        batch_op.create_index(
            "ix_shipments_merchant_reference",
            ["merchant_id", "reference", "created_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_shipments_merchant_status",
            ["merchant_id", "status", "created_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_shipments_merchant_destination",
            ["merchant_id", "destination_country", "created_at", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("shipments") as batch_op:
        batch_op.drop_index("ix_shipments_merchant_destination")
        batch_op.drop_index("ix_shipments_merchant_status")
        batch_op.drop_index("ix_shipments_merchant_reference")
        batch_op.create_index(
            "ix_shipments_merchant_reference", ["merchant_id", "reference"], unique=False
        )
        batch_op.create_index(
            "ix_shipments_destination_country", ["destination_country"], unique=False
        )
