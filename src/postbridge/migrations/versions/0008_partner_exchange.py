"""partner exchange: each shipment's hand-over (advance data answer, pre-alert, registration)
and the cursor of each partner's event feed

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 04:00:00

``shipment_handover`` (one row per shipment once its hand-over started: the destination
post's answer to its advance data with the reasons, the status it was held from, when it was
pre-alerted and registered) and ``partner_feed_cursors`` (where the last pull of each
partner's event feed stopped).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from postbridge.storage.base import UTCDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "shipment_handover",
        sa.Column("shipment_id", sa.String(length=40), nullable=False),
        sa.Column("partner", sa.String(length=40), nullable=False),
        sa.Column("advance_status", sa.String(length=10), nullable=False),
        sa.Column("advance_reasons", sa.JSON(), nullable=False),
        sa.Column("advance_checked_by", sa.String(length=10), nullable=True),
        sa.Column("advance_sent_at", UTCDateTime(), nullable=True),
        sa.Column("advance_answered_at", UTCDateTime(), nullable=True),
        sa.Column("held_from_status", sa.String(length=20), nullable=True),
        sa.Column("registered_tracking_number", sa.String(length=34), nullable=True),
        sa.Column("registered_at", UTCDateTime(), nullable=True),
        sa.Column("prealerted_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"],
            name=op.f("fk_shipment_handover_shipment_id_shipments"),
        ),
        sa.PrimaryKeyConstraint("shipment_id", name=op.f("pk_shipment_handover")),
    )
    op.create_index(
        "ix_shipment_handover_partner_status", "shipment_handover", ["partner", "advance_status"]
    )
    op.create_table(
        "partner_feed_cursors",
        sa.Column("partner", sa.String(length=40), nullable=False),
        sa.Column("cursor", sa.String(length=200), nullable=True),
        sa.Column("pulled_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("partner", name=op.f("pk_partner_feed_cursors")),
    )


def downgrade() -> None:
    op.drop_table("partner_feed_cursors")
    op.drop_index("ix_shipment_handover_partner_status", table_name="shipment_handover")
    op.drop_table("shipment_handover")
