"""Dated departures of the capacity-limited legs, materialised from the network timetable."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np

from postbridge.capacity.models import DepartureStatus
from postbridge.capacity.routes import AIR, departure_id
from postbridge.network.model import Network
from postbridge.routing.timetable import build_timetable, from_minute, to_minute

# A daily plan for D covers the departures of D and the next three days: parcels that do not fit
# on D roll over to them, and three days is more than any lane in the network needs to find a
# free flight (the daily lanes have a departure every day, the thinnest two a week).
WINDOW_DAYS = 4


def plan_window(plan_date: date) -> tuple[datetime, datetime]:
    """[D 00:00Z, D+WINDOW_DAYS 00:00Z): the scheduled departures a plan for D shares out."""
    start = datetime.combine(plan_date, time(0), tzinfo=UTC)
    return start, start + timedelta(days=WINDOW_DAYS)


def departure_rows(
    network: Network,
    start: datetime,
    end: datetime,
    *,
    leg_ids: Iterable[str] | None = None,
    now: datetime,
) -> list[dict[str, Any]]:
    """One row per departure of an air leg scheduled in [start, end), at the leg's capacity."""
    wanted = None if leg_ids is None else set(leg_ids)
    # The timetable is indexed by drop-off; a day earlier catches departures whose cut-off
    # falls before ``start``.
    days = (end - start).days + 2
    timetable = build_timetable(network, start - timedelta(days=1), horizon_days=days)
    legs = network.legs
    air = np.array([leg.mode.value == AIR for leg in legs], dtype=np.bool_)
    first, last = to_minute(start), to_minute(end)
    keep = air[timetable.leg] & (timetable.departure >= first) & (timetable.departure < last)
    rows = []
    for position in np.flatnonzero(keep):
        leg = legs[int(timetable.leg[position])]
        if wanted is not None and leg.id not in wanted:
            continue
        departs = from_minute(int(timetable.departure[position]))
        rows.append(
            {
                "id": departure_id(leg.id, departs),
                "leg_id": leg.id,
                "origin": leg.origin,
                "destination": leg.destination,
                "mode": leg.mode.value,
                "departs_at": departs,
                "arrives_at": from_minute(int(timetable.arrival[position])),
                "capacity_grams": leg.capacity_kg * 1000 if leg.capacity_kg else None,
                "capacity_items": leg.capacity_items or None,
                "status": DepartureStatus.SCHEDULED.value,
                "delay_minutes": 0,
                "planned_parcels": 0,
                "planned_grams": 0,
                "last_plan_id": None,
                "updated_at": now,
            }
        )
    return rows
