"""The read side of one tracker (issue 13): Core statements built once, on a bare connection
(``Database.reading``), no ORM session and no ORM objects.

A tracker read is two queries, three or four for a booked parcel:

1. ``_TRACKERS_OF_NUMBER``: every tracker of the number (on its tracking or its partner
   number) with its booking promise; each number column is looked up on its own index and the
   lookups joined by UNION ALL (the OR over the two columns and the siblings' own query were
   two thirds of the ORM read's time, BENCHMARKS.md). When those trackers carry another
   number (a partner's beside ours), ``_TRACKERS_OF_NUMBERS`` adds every tracker sharing one
   of their numbers (their siblings, whose bookings close each other's windows under a
   recycled number).
2. ``_EVENTS_OF_NUMBERS``: the stored events of the chosen tracker's numbers.
3. ``_ESTIMATES_OF_TRACKER``: the estimate history, only for a booked tracker
   (``estimate_history.record_estimates`` writes estimates for booked trackers only).

The caller picks the tracker among the rows: the scoping rules stay in one place
(``tracking.reading``), and a merchant's read costs the same query as an operator's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Connection, Row, Table, bindparam, select, union_all

from postbridge.shipments.models import Shipment
from postbridge.tracking.estimate_history import EstimateEntry
from postbridge.tracking.model import TrackingEvent
from postbridge.tracking.models import Tracker, TrackerEstimate, TrackingEventRow
from postbridge.tracking.repository import EVENT_COLUMNS, ShipmentLink, event_from_values

_trackers = cast(Table, Tracker.__table__)
_events = cast(Table, TrackingEventRow.__table__)
_estimates = cast(Table, TrackerEstimate.__table__)
_shipments = cast(Table, Shipment.__table__)

# The columns of ``reading.TrackerRecord`` and the booking's promise.
TRACKER_COLUMNS = (
    "id", "tracking_number", "partner_tracking_number", "merchant_id", "shipment_id", "carrier",
    "partner", "window_starts_at", "status", "reason", "action", "milestone", "last_event_at",
    "delivered_at", "returned_at", "event_count", "unmapped_events", "excluded_events",
    "created_at", "updated_at",
)  # fmt: skip


def _trackers_where(number_matches: Any) -> Any:
    """Trackers (TRACKER_COLUMNS and the booking's promise) whose tracking number or partner
    number matches: each number column on its own index, joined by UNION ALL (an OR over the
    two columns read neither index well)."""
    columns = [_trackers.c[name] for name in TRACKER_COLUMNS]
    promise = (_shipments.c.promised_p50, _shipments.c.promised_p90)
    with_promise = _trackers.outerjoin(_shipments, _shipments.c.id == _trackers.c.shipment_id)
    # A tracker matching on both columns comes back twice: the caller keeps one row per id.
    return union_all(
        select(*columns, *promise)
        .select_from(with_promise)
        .where(number_matches(_trackers.c.tracking_number)),
        select(*columns, *promise)
        .select_from(with_promise)
        .where(number_matches(_trackers.c.partner_tracking_number)),
    )


# The numbers are bound values, not a subquery: a subquery's rows are a guess to the planner,
# which on a freshly loaded table (no statistics yet) chose to scan every tracker (14 ms per
# read at 20k trackers right after bench/ingest.py's import); bound values are index lookups
# whatever the statistics say.
_TRACKERS_OF_NUMBER = _trackers_where(lambda column: column == bindparam("number"))
_TRACKERS_OF_NUMBERS = _trackers_where(
    lambda column: column.in_(bindparam("numbers", expanding=True))
)
_EVENTS_OF_NUMBERS = select(*(_events.c[name] for name in EVENT_COLUMNS[:13])).where(
    _events.c.tracking_number.in_(bindparam("numbers", expanding=True))
)
_ESTIMATES_OF_TRACKER = (
    select(
        _estimates.c.computed_at,
        _estimates.c.source,
        _estimates.c.basis_milestone,
        _estimates.c.basis_event_at,
        _estimates.c.p50,
        _estimates.c.p90,
    )  # fmt: skip
    .where(_estimates.c.tracker_id == bindparam("tracker_id"))
    .order_by(_estimates.c.computed_at, _estimates.c.id)
)
_SHIPMENT_LINK_COLUMNS = (
    _shipments.c.id, _shipments.c.merchant_id, _shipments.c.tracking_number,
    _shipments.c.partner_tracking_number, _shipments.c.partner, _shipments.c.status,
    _shipments.c.created_at, _shipments.c.promised_p50, _shipments.c.promised_p90,
)  # fmt: skip
_SHIPMENTS_OF_NUMBER = union_all(
    select(*_SHIPMENT_LINK_COLUMNS).where(_shipments.c.tracking_number == bindparam("number")),
    select(*_SHIPMENT_LINK_COLUMNS).where(
        _shipments.c.partner_tracking_number == bindparam("number")
    ),
)


class TrackerReader:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def trackers_of_number(self, number: str) -> list[Row[Any]]:
        """The trackers of ``number`` and their siblings, one row each (TRACKER_COLUMNS, then
        ``promised_p50`` and ``promised_p90``), in id order. The siblings share a number with
        one of the trackers found; a second query looks them up only when those trackers
        carry a number other than ``number`` (a partner's number beside ours)."""
        unique = {row.id: row for row in self.connection.execute(
            _TRACKERS_OF_NUMBER, {"number": number}
        )}  # fmt: skip
        numbers = {
            found for row in unique.values()
            for found in (row.tracking_number, row.partner_tracking_number) if found
        }  # fmt: skip
        if numbers - {number}:
            siblings = self.connection.execute(_TRACKERS_OF_NUMBERS, {"numbers": sorted(numbers)})
            unique.update((row.id, row) for row in siblings)
        return [unique[key] for key in sorted(unique)]

    def events_of_numbers(self, numbers: Sequence[str]) -> dict[str, list[TrackingEvent]]:
        """The stored events of ``numbers``, by number, codes mapped through today's tables."""
        found: dict[str, list[TrackingEvent]] = {}
        result = self.connection.execute(_EVENTS_OF_NUMBERS, {"numbers": list(numbers)})
        for row in result.all():
            found.setdefault(row.tracking_number, []).append(event_from_values(row))
        return found

    def estimates_of_tracker(self, tracker_id: str) -> list[EstimateEntry]:
        """The tracker's estimates, oldest first."""
        result = self.connection.execute(_ESTIMATES_OF_TRACKER, {"tracker_id": tracker_id})
        return [EstimateEntry(*row) for row in result.all()]

    def shipments_of_number(self, number: str) -> list[ShipmentLink]:
        """The shipments whose tracking number or partner tracking number is ``number``."""
        result = self.connection.execute(_SHIPMENTS_OF_NUMBER, {"number": number})
        unique = {row.id: ShipmentLink(*row) for row in result.all()}
        return list(unique.values())
