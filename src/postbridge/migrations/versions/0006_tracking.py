"""tracking: the event store, trackers, unmapped-code counts

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 02:30:00

``tracking_events`` holds one row per distinct partner event, keyed by its dedup fingerprint,
with one secondary index (tracking number, event time) for recomputing and showing a parcel.
``trackers`` holds each tracked number's current state as columns; ``tracking_unmapped_codes``
counts the codes no table maps, per partner and code.

Not partitioned by time on PostgreSQL, deliberately, for now:

- The dedup contract is a unique fingerprint. A partitioned table's unique constraints must
  include the partition key, so the key would become (fingerprint, occurred_minute), with the
  event's minute as a stored column (the fingerprint hashes that minute, so the pair is as
  unique as the fingerprint) and lookups by fingerprint alone would scan every partition's
  index unless the minute is passed along.
- Declaring it means raw DDL (``PARTITION BY RANGE``, one ``CREATE TABLE ... PARTITION OF``
  per month plus a default partition) that SQLite does not have, a job creating partitions
  ahead of time, and a model the drift check (run on SQLite) cannot compare; migrations here
  stay portable.

The path when the store reaches the size where dropping old months beats deleting them: add
``occurred_minute``, create the partitioned table next to this one, copy month by month, swap.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from postbridge.storage.base import UTCDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tracking_events",
        sa.Column("fingerprint", sa.String(length=32), nullable=False),
        sa.Column("tracking_number", sa.String(length=40), nullable=False),
        sa.Column("partner", sa.String(length=40), nullable=False),
        sa.Column("code_scheme", sa.String(length=20), nullable=False),
        sa.Column("raw_code", sa.String(length=40), nullable=False),
        sa.Column("raw_text", sa.Text(), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("occurred_zone", sa.String(length=40), nullable=False),
        sa.Column("facility", sa.String(length=100), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("postal_code", sa.String(length=20), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("fingerprint", name=op.f("pk_tracking_events")),
    )
    op.create_index(
        "ix_tracking_events_number_time",
        "tracking_events",
        ["tracking_number", "occurred_at"],
        unique=False,
    )
    op.create_table(
        "trackers",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("tracking_number", sa.String(length=40), nullable=False),
        sa.Column("partner_tracking_number", sa.String(length=40), nullable=True),
        sa.Column("owner_key", sa.String(length=40), nullable=False),
        sa.Column("merchant_id", sa.String(length=40), nullable=True),
        sa.Column("shipment_id", sa.String(length=40), nullable=True),
        sa.Column("carrier", sa.String(length=20), nullable=True),
        sa.Column("partner", sa.String(length=40), nullable=True),
        sa.Column("window_starts_at", UTCDateTime(), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("reason", sa.String(length=30), nullable=True),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("milestone", sa.String(length=30), nullable=True),
        sa.Column("last_event_at", UTCDateTime(), nullable=True),
        sa.Column("delivered_at", UTCDateTime(), nullable=True),
        sa.Column("returned_at", UTCDateTime(), nullable=True),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("unmapped_events", sa.Integer(), nullable=False),
        sa.Column("excluded_events", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_trackers_merchant_id_merchants")
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name=op.f("fk_trackers_shipment_id_shipments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trackers")),
        sa.UniqueConstraint(
            "tracking_number", "owner_key", name=op.f("uq_trackers_tracking_number_owner_key")
        ),
    )
    op.create_index("ix_trackers_partner_tracking_number", "trackers", ["partner_tracking_number"])
    op.create_index("ix_trackers_merchant_updated", "trackers", ["merchant_id", "updated_at", "id"])
    op.create_index("ix_trackers_status_last_event", "trackers", ["status", "last_event_at"])
    op.create_table(
        "tracking_unmapped_codes",
        sa.Column("partner", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("code_scheme", sa.String(length=20), nullable=False),
        sa.Column("event_count", sa.BigInteger(), nullable=False),
        sa.Column("example_text", sa.String(length=200), nullable=False),
        sa.Column("first_seen_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("partner", "code", name=op.f("pk_tracking_unmapped_codes")),
    )


def downgrade() -> None:
    op.drop_table("tracking_unmapped_codes")
    op.drop_index("ix_trackers_status_last_event", table_name="trackers")
    op.drop_index("ix_trackers_merchant_updated", table_name="trackers")
    op.drop_index("ix_trackers_partner_tracking_number", table_name="trackers")
    op.drop_table("trackers")
    op.drop_index("ix_tracking_events_number_time", table_name="tracking_events")
    op.drop_table("tracking_events")
