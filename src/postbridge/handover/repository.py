"""Every query of the hand-over context."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, String, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from postbridge.handover.models import AdvanceDataStatus, PartnerFeedCursor, ShipmentHandover
from postbridge.shipments.models import Shipment

# The columns of an ``advance_data`` block (``advance_data.advance_data_view``).
_ADVANCE_COLUMNS = (
    ShipmentHandover.shipment_id,
    ShipmentHandover.advance_status,
    ShipmentHandover.partner,
    ShipmentHandover.advance_checked_by,
    ShipmentHandover.advance_reasons,
    ShipmentHandover.advance_sent_at,
    ShipmentHandover.advance_answered_at,
)

# Statements built once (their compiled form is then found at once). On PostgreSQL one array
# parameter: an IN list of a page's 50 ids is re-rendered, a bind cast per id, every time.
_ADVANCE_BY_ID_ARRAY = select(*_ADVANCE_COLUMNS).where(
    ShipmentHandover.shipment_id == any_(bindparam("ids", type_=ARRAY(String)))
)
_ADVANCE_BY_IDS = select(*_ADVANCE_COLUMNS).where(
    ShipmentHandover.shipment_id.in_(bindparam("ids", expanding=True))
)


class HandoverReader:
    """The API's read path (issue 16), as ``shipments.repository.ShipmentReader``: Core rows
    on a bare connection. A Session and ORM instances cost a list page of 50 shipments about
    2 ms on PostgreSQL for a block of seven values each (bench/lookups.py)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def advance_rows(self, shipment_ids: Iterable[str]) -> dict[str, Row[Any]]:
        ids = list(shipment_ids)
        if not ids:
            return {}
        postgresql = self.connection.dialect.name == "postgresql"
        statement = _ADVANCE_BY_ID_ARRAY if postgresql else _ADVANCE_BY_IDS
        rows = self.connection.execute(statement, {"ids": ids}).all()
        return {row.shipment_id: row for row in rows}


class HandoverRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def shipment(self, shipment_id: str) -> Shipment | None:
        return self.session.get(Shipment, shipment_id)

    def get(self, shipment_id: str) -> ShipmentHandover | None:
        return self.session.get(ShipmentHandover, shipment_id)

    def get_or_add(self, shipment_id: str, *, partner: str, now: datetime) -> ShipmentHandover:
        record = self.get(shipment_id)
        if record is None:
            record = ShipmentHandover(
                shipment_id=shipment_id,
                partner=partner,
                advance_status=AdvanceDataStatus.PENDING,
                advance_reasons=[],
                created_at=now,
                updated_at=now,
            )
            self.session.add(record)
            self.session.flush()
        return record

    def for_shipments(self, shipment_ids: Iterable[str]) -> dict[str, ShipmentHandover]:
        ids = list(shipment_ids)
        if not ids:
            return {}
        query = select(ShipmentHandover).where(ShipmentHandover.shipment_id.in_(ids))
        return {row.shipment_id: row for row in self.session.scalars(query)}

    def accepted_tracking_numbers(
        self, partner: str, *, statuses: Iterable[str], after: str | None, limit: int
    ) -> list[tuple[str, str]]:
        """(shipment id, tracking number: the partner's own, else the S10) of ``partner``'s
        parcels whose advance data was accepted and whose shipment is in one of ``statuses``,
        by shipment id after ``after``: what is worth asking the partner about, a page at a
        time."""
        query = (
            select(Shipment.id, Shipment.partner_tracking_number, Shipment.tracking_number)
            .join(ShipmentHandover, ShipmentHandover.shipment_id == Shipment.id)
            .where(
                ShipmentHandover.partner == partner,
                ShipmentHandover.advance_status == AdvanceDataStatus.ACCEPTED,
                Shipment.status.in_(sorted(statuses)),
            )
            .order_by(Shipment.id)
            .limit(limit)
        )
        if after is not None:
            query = query.where(Shipment.id > after)
        return [(i, own or s10) for i, own, s10 in self.session.execute(query)]

    def feed_cursor(self, partner: str) -> str | None:
        row = self.session.get(PartnerFeedCursor, partner)
        return None if row is None else row.cursor

    def set_feed_cursor(self, partner: str, cursor: str | None, *, now: datetime) -> None:
        row = self.session.get(PartnerFeedCursor, partner)
        if row is None:
            self.session.add(PartnerFeedCursor(partner=partner, cursor=cursor, pulled_at=now))
        else:
            row.cursor = cursor
            row.pulled_at = now
