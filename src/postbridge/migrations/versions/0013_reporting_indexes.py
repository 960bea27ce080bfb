"""reporting indexes: the console dashboard's windows and the partner health page (issue 15)

Revision ID: 0013_reporting_indexes
Revises: 0011_tracking_estimates
Create Date: 2026-12-03 13:00:00

The dashboard counts shipments booked in a window (today, this week, 30 days) by status, by
destination and by day, for one merchant or, for an operator, for all of them. A merchant's
window is a range of ``ix_shipments_merchant_created``; across merchants no index began with
the booking time, so ``(created_at, status, destination_country)`` is added: the operator's
three counts read only that index. Punctuality counts parcels delivered in the last 30 days:
``ix_trackers_delivered`` on ``(delivered_at, merchant_id, shipment_id)`` holds the window, the
scope and the key of the join to the promise, so only the shipments are read besides it (a
delivery time is written once: the index costs ingestion next to nothing). Advance-data
answers of the last 30 days per partner: ``(created_at, partner, advance_status)`` on the
hand-over rows, read alone. Partner health wants each partner's last event
and its events of the last 24 hours out of millions: ``(partner, received_at)`` on the event
store makes both a seek and a short range (and the list of partners a skip scan).

Each index costs writes their share (the event store had two, it has three): the numbers are
in the report of this change, measured at 100k shipments and 1M events.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0013_reporting_indexes"
down_revision: str | None = "0011_tracking_estimates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_shipments_created_status_destination",
        "shipments",
        ["created_at", "status", "destination_country"],
    )
    op.create_index(
        "ix_trackers_delivered", "trackers", ["delivered_at", "merchant_id", "shipment_id"]
    )
    op.create_index(
        "ix_shipment_handover_created",
        "shipment_handover",
        ["created_at", "partner", "advance_status"],
    )
    op.create_index(
        "ix_tracking_events_partner_received", "tracking_events", ["partner", "received_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_tracking_events_partner_received", table_name="tracking_events")
    op.drop_index("ix_shipment_handover_created", table_name="shipment_handover")
    op.drop_index("ix_trackers_delivered", table_name="trackers")
    op.drop_index("ix_shipments_created_status_destination", table_name="shipments")
