"""The history of a tracker's delivery estimates: its queries, and recording a new estimate in
the ingest's unit of work (the pure computation is ``tracking.estimates``).

A booked tracker's history starts with the booking promise. After each recomputation the
remaining-route estimate is appended when it differs from the latest row (dates or basis);
the estimate is a function of the recomputed state, which depends only on the set of events,
so a replay (or the same events in another order) appends nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from postbridge.kit.ids import new_ids
from postbridge.quotes.route_document import RouteDocument
from postbridge.shipments.models import Shipment, ShipmentDocument
from postbridge.tracking.estimates import (
    DeliveryEstimate,
    RoutePlan,
    booking_estimate,
    remaining_route_estimate,
    route_plan,
)
from postbridge.tracking.model import TrackingState
from postbridge.tracking.models import TrackerEstimate

_estimates = cast(Table, TrackerEstimate.__table__)
_shipments = cast(Table, Shipment.__table__)
_documents = cast(Table, ShipmentDocument.__table__)


@dataclass(frozen=True, slots=True)
class EstimateEntry:
    computed_at: datetime
    source: str
    basis_milestone: str | None
    basis_event_at: datetime | None
    p50: date
    p90: date

    def same_estimate(self, estimate: DeliveryEstimate) -> bool:
        # A later scan at the same milestone that leaves the dates alone is no new estimate:
        # the history shows what the merchant was told, not every scan.
        milestone = estimate.basis_milestone.value if estimate.basis_milestone else None
        return (self.p50, self.p90, self.source, self.basis_milestone) == (
            estimate.p50, estimate.p90, estimate.source.value, milestone,
        )  # fmt: skip


class EstimateRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def route_plans(self, shipment_ids: Iterable[str]) -> dict[str, RoutePlan]:
        """The milestone plan of each shipment's stored route (shipments without one: absent)."""
        wanted = sorted(set(shipment_ids))
        if not wanted:
            return {}
        query = (
            select(
                _shipments.c.id,
                _documents.c.body,
                _shipments.c.promised_p50,
                _shipments.c.promised_p90,
            )  # fmt: skip
            .join(_documents, _documents.c.digest == _shipments.c.route_digest)
            .where(_shipments.c.id.in_(wanted))
        )
        plans = {}
        for shipment_id, body, promised_p50, promised_p90 in self.session.execute(query):
            route = RouteDocument.from_json(body)
            plan = route_plan(route.legs, route.promise)
            if promised_p50 and promised_p90:
                # The dates the merchant was given win over the route's own (capacity
                # planning may have re-timed the route since).
                plan = replace(plan, promise_p50=promised_p50, promise_p90=promised_p90)
            plans[shipment_id] = plan
        return plans

    def history(self, tracker_ids: Sequence[str]) -> dict[str, list[EstimateEntry]]:
        """Each tracker's estimates, oldest first."""
        if not tracker_ids:
            return {}
        query = (
            select(_estimates)
            .where(_estimates.c.tracker_id.in_(list(tracker_ids)))
            .order_by(_estimates.c.tracker_id, _estimates.c.computed_at, _estimates.c.id)
        )
        found: dict[str, list[EstimateEntry]] = {}
        for row in self.session.execute(query):
            found.setdefault(row.tracker_id, []).append(_entry(row))
        return found

    def latest(self, tracker_ids: Sequence[str]) -> dict[str, EstimateEntry]:
        # Histories are a handful of rows per parcel: reading them whole is one cheap query.
        return {key: rows[-1] for key, rows in self.history(tracker_ids).items()}

    def append(self, rows: Sequence[Mapping[str, Any]]) -> None:
        if rows:
            self.session.execute(insert(_estimates), list(rows))


def record_estimates(
    session: Session,
    recomputed: Sequence[tuple[Any, TrackingState]],
    *,
    now: datetime,
) -> int:
    """Append the booked trackers' new estimates; how many rows were written."""
    booked = [(t, s) for t, s in recomputed if t.shipment_id]
    if not booked:
        return 0
    repo = EstimateRepository(session)
    plans = repo.route_plans(t.shipment_id for t, _ in booked)
    latest = repo.latest([t.id for t, _ in booked if t.shipment_id in plans])
    rows: list[dict[str, Any]] = []
    for tracker, state in booked:
        plan = plans.get(tracker.shipment_id)
        if plan is None:
            continue
        previous = latest.get(tracker.id)
        if previous is None:
            rows.append(_row(tracker.id, booking_estimate(plan), tracker.window_starts_at or now))
        estimate = estimate_for_state(plan, state)
        last = previous or _entry_of(booking_estimate(plan), now)
        if not last.same_estimate(estimate):
            rows.append(_row(tracker.id, estimate, now))
    for row, row_id in zip(rows, new_ids("est", len(rows)), strict=True):
        row["id"] = row_id
    repo.append(rows)
    return len(rows)


def estimate_for_state(plan: RoutePlan, state: TrackingState) -> DeliveryEstimate:
    reached = {m.milestone: m.at for m in state.milestones}
    last = state.last_event.occurred_at if state.last_event else None
    return remaining_route_estimate(
        plan,
        milestone=state.milestone,
        milestone_at=reached.get(state.milestone) if state.milestone else None,
        last_event_at=last,
        delivered_at=state.delivered_at,
    )


def _row(tracker_id: str, estimate: DeliveryEstimate, at: datetime) -> dict[str, Any]:
    return {
        "tracker_id": tracker_id,
        "computed_at": at,
        "source": estimate.source.value,
        "basis_milestone": estimate.basis_milestone.value if estimate.basis_milestone else None,
        "basis_event_at": estimate.basis_event_at,
        "p50": estimate.p50,
        "p90": estimate.p90,
    }


def _entry_of(estimate: DeliveryEstimate, at: datetime) -> EstimateEntry:
    milestone = estimate.basis_milestone.value if estimate.basis_milestone else None
    return EstimateEntry(
        at, estimate.source.value, milestone, estimate.basis_event_at, estimate.p50, estimate.p90
    )


def _entry(row: Any) -> EstimateEntry:
    return EstimateEntry(
        row.computed_at, row.source, row.basis_milestone, row.basis_event_at, row.p50, row.p90
    )
