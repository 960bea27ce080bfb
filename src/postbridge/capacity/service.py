"""Capacity use cases: the daily plan, departures for operators, and disruptions.

Each call is one unit of work: a disruption marks the departure and re-plans its lane in the
same transaction, so a departure is never left cancelled with parcels still planned on it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from postbridge.capacity.departures import plan_window
from postbridge.capacity.disruptions import departures_changed
from postbridge.capacity.models import DepartureStatus, ScheduledDeparture
from postbridge.capacity.plan_run import StageCallback, run_plan
from postbridge.capacity.repository import CapacityRepository
from postbridge.capacity.summary import DepartureLoad, PlanSummary
from postbridge.errors import Conflict, InvalidInput, NotFound
from postbridge.kit.clock import ensure_utc, utc_now
from postbridge.network.model import Network
from postbridge.storage.unit_of_work import Database

MAX_DELAY_MINUTES = 7 * 24 * 60
# The columns are 32-bit INTEGER on PostgreSQL (and SQLite refuses past 64 bits): bound here.
MAX_CAPACITY = 2**31 - 1


def parse_plan_date(text: str, *, field: str = "date") -> date:
    """A YYYY-MM-DD date, or InvalidInput naming ``field``."""
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput.for_field(field, f"expected YYYY-MM-DD, got {text!r}") from None


def plan_day(
    *,
    database: Database,
    network: Network,
    plan_date: date,
    now: datetime | None = None,
    on_stage: StageCallback | None = None,
) -> PlanSummary:
    """Plan every lane's departures of ``plan_date`` and the roll-over days after it."""
    moment = ensure_utc(now) if now else utc_now()
    with database.unit_of_work() as uow:
        summary = run_plan(
            CapacityRepository(uow.session),
            network,
            plan_date=plan_date,
            trigger="daily",
            now=moment,
            on_stage=on_stage,
        )
        uow.commit()
    return summary


def list_departures(
    *, database: Database, on_date: date, leg_id: str | None = None
) -> list[DepartureLoad]:
    """Stored departures scheduled on ``on_date`` (materialised by a plan), by leg and time."""
    start, _ = plan_window(on_date)
    end = start + timedelta(days=1)
    with database.unit_of_work() as uow:
        rows = CapacityRepository(uow.session).departures_between(
            start, end, leg_ids=None if leg_id is None else [leg_id]
        )
        return [DepartureLoad.of(row) for row in rows]


class _Unchanged:
    """A capacity the caller did not give: it keeps its value."""


UNCHANGED: Any = _Unchanged()


def set_departure_capacity(
    *,
    database: Database,
    departure_id: str,
    capacity_items: int | None = UNCHANGED,
    capacity_grams: int | None = UNCHANGED,
) -> DepartureLoad:
    """Change a departure's capacity (None: no limit; left out: unchanged); the next plan run
    uses it."""
    given = {
        field: value
        for field, value in (("capacity_items", capacity_items), ("capacity_grams", capacity_grams))
        if value is not UNCHANGED
    }
    if not given:
        raise InvalidInput.for_field(
            "capacity_items",
            "give capacity_items, capacity_grams or both (null: no limit); the body changes "
            "nothing",
            code="missing",
        )
    for field, value in given.items():
        if value is not None and value < 0:
            raise InvalidInput.for_field(field, "must be >= 0, or null for no limit")
        if value is not None and value > MAX_CAPACITY:
            raise InvalidInput.for_field(field, f"must be at most {MAX_CAPACITY}")
    with database.unit_of_work() as uow:
        departure = _departure(CapacityRepository(uow.session), departure_id)
        for field, value in given.items():
            setattr(departure, field, value)
        departure.updated_at = utc_now()
        load = DepartureLoad.of(departure)
        uow.commit()
    return load


def cancel_departure(
    *, database: Database, network: Network, departure_id: str, now: datetime | None = None
) -> PlanSummary:
    """Cancel a departure and re-plan its lane: its parcels move on or are flagged at risk."""
    moment = ensure_utc(now) if now else utc_now()
    with database.unit_of_work() as uow:
        repo = CapacityRepository(uow.session)
        departure = _departure(repo, departure_id, for_update=True)
        departure.status = DepartureStatus.CANCELLED.value
        departure.updated_at = moment
        summary = _replan_lane(repo, network, departure, f"cancel {departure_id}", moment)
        uow.commit()
    departures_changed()
    return summary


def delay_departure(
    *,
    database: Database,
    network: Network,
    departure_id: str,
    minutes: int,
    now: datetime | None = None,
) -> PlanSummary:
    """Delay a departure by ``minutes`` from its schedule (0 puts it back on time) and re-plan
    its lane: parcels it now brings in too late move to another departure or are flagged."""
    if not 0 <= minutes <= MAX_DELAY_MINUTES:
        raise InvalidInput.for_field("minutes", f"must be between 0 and {MAX_DELAY_MINUTES}")
    moment = ensure_utc(now) if now else utc_now()
    with database.unit_of_work() as uow:
        repo = CapacityRepository(uow.session)
        departure = _departure(repo, departure_id, for_update=True)
        if departure.status == DepartureStatus.CANCELLED.value:
            raise Conflict(f"departure {departure_id} is cancelled", code="departure_cancelled")
        departure.delay_minutes = minutes
        departure.status = (DepartureStatus.DELAYED if minutes else DepartureStatus.SCHEDULED).value
        departure.updated_at = moment
        trigger = f"delay {departure_id} {minutes}m"
        summary = _replan_lane(repo, network, departure, trigger, moment)
        uow.commit()
    departures_changed()
    return summary


def _replan_lane(
    repo: CapacityRepository,
    network: Network,
    departure: ScheduledDeparture,
    trigger: str,
    now: datetime,
) -> PlanSummary:
    """Re-plan the day of ``departure``'s lane after a change to it (flushed first, so the
    plan sees it)."""
    repo.session.flush()
    return run_plan(
        repo,
        network,
        plan_date=departure.departs_at.date(),
        trigger=trigger,
        now=now,
        leg_ids=[departure.leg_id],
    )


def _departure(
    repo: CapacityRepository, departure_id: str, *, for_update: bool = False
) -> ScheduledDeparture:
    departure = repo.get_departure(departure_id, for_update=for_update)
    if departure is None:
        raise NotFound(
            f"departure: no departure {departure_id!r} (plan its date first)",
            code="departure_not_found",
        )
    return departure
