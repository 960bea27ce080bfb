"""tracking estimates: the history of a tracker's delivery estimates (issue 13 §4)

Revision ID: 0011_tracking_estimates
Revises: 0010_console_users
Create Date: 2026-12-02 20:30:00

``tracking_estimates`` keeps every p50/p90 a booked parcel was given: the booking promise
first (source ``booking``), then one row each time the remaining route from a new milestone or
a later event moved the estimate (source ``scan``). Rows are only appended, and only when the
estimate differs from the latest one, so replaying events adds none.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from postbridge.storage.base import UTCDateTime

revision: str = "0011_tracking_estimates"
down_revision: str | None = "0010_console_users"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tracking_estimates",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("tracker_id", sa.String(length=40), nullable=False),
        sa.Column("computed_at", UTCDateTime(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("basis_milestone", sa.String(length=30), nullable=True),
        sa.Column("basis_event_at", UTCDateTime(), nullable=True),
        sa.Column("p50", sa.Date(), nullable=False),
        sa.Column("p90", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tracker_id"],
            ["trackers.id"],
            name=op.f("fk_tracking_estimates_tracker_id_trackers"),
            ondelete="CASCADE",
        ),  # fmt: skip
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracking_estimates")),
    )
    op.create_index(
        "ix_tracking_estimates_tracker_computed",
        "tracking_estimates",
        ["tracker_id", "computed_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_tracking_estimates_tracker_computed", table_name="tracking_estimates")
    op.drop_table("tracking_estimates")
