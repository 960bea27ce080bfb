"""Plain array inputs of the capacity planner: departures, demand groups, parcels, costs.

Every table is a frozen dataclass of equally long NumPy columns, so the lead can fill it from
the network model or a database query without the planner knowing either. Times are UTC epoch
minutes (``int64``), weights grams, money integer minor units of one currency per plan.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from postbridge.errors import ProblemList

Int64Array = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

# A capacity column holds this to say "no limit in this dimension".
NO_LIMIT = -1


def _column(values: ArrayLike, dtype: type[np.generic]) -> NDArray[Any]:
    column = np.ascontiguousarray(values, dtype=dtype)
    if column.ndim != 1:
        raise ValueError("every planning column must be one-dimensional")
    column.setflags(write=False)
    return column


def _check_lengths(table: object, problems: ProblemList, prefix: str) -> int:
    lengths = {f.name: len(getattr(table, f.name)) for f in fields(table)}  # type: ignore[arg-type]
    expected = next(iter(lengths.values()))
    for name, length in lengths.items():
        if length != expected:
            problems.add(f"{prefix}.{name}", f"has {length} rows, expected {expected}")
    return expected


@dataclass(frozen=True, slots=True, eq=False)
class Departures:
    """Scheduled departures of lanes (a flight, a truck, a postal dispatch), one row each.

    ``capacity_parcels`` / ``capacity_grams`` hold :data:`NO_LIMIT` when that dimension is
    unlimited. ``delay_minutes`` shifts both departure and arrival; ``cancelled`` rows carry
    nothing.
    """

    departure_id: Int64Array
    lane_id: Int64Array
    departs_at: Int64Array
    arrives_at: Int64Array
    capacity_parcels: Int64Array
    capacity_grams: Int64Array
    cost_per_parcel: Int64Array
    cost_per_kg: Int64Array
    cancelled: BoolArray
    delay_minutes: Int64Array

    @classmethod
    def from_columns(
        cls,
        *,
        departure_id: ArrayLike,
        lane_id: ArrayLike,
        departs_at: ArrayLike,
        arrives_at: ArrayLike,
        capacity_parcels: ArrayLike,
        capacity_grams: ArrayLike,
        cost_per_parcel: ArrayLike,
        cost_per_kg: ArrayLike,
        cancelled: ArrayLike | None = None,
        delay_minutes: ArrayLike | None = None,
    ) -> Departures:
        """Build and validate; ``cancelled`` and ``delay_minutes`` default to none."""
        count = len(np.asarray(departure_id))
        table = cls(
            departure_id=_column(departure_id, np.int64),
            lane_id=_column(lane_id, np.int64),
            departs_at=_column(departs_at, np.int64),
            arrives_at=_column(arrives_at, np.int64),
            capacity_parcels=_column(capacity_parcels, np.int64),
            capacity_grams=_column(capacity_grams, np.int64),
            cost_per_parcel=_column(cost_per_parcel, np.int64),
            cost_per_kg=_column(cost_per_kg, np.int64),
            cancelled=_column(np.zeros(count) if cancelled is None else cancelled, np.bool_),
            delay_minutes=_column(
                np.zeros(count) if delay_minutes is None else delay_minutes, np.int64
            ),
        )
        table.validate()
        return table

    def __len__(self) -> int:
        return len(self.departure_id)

    @property
    def effective_departs_at(self) -> Int64Array:
        return self.departs_at + self.delay_minutes

    @property
    def effective_arrives_at(self) -> Int64Array:
        return self.arrives_at + self.delay_minutes

    def validate(self) -> None:
        problems = ProblemList()
        if _check_lengths(self, problems, "departures") == len(self) and len(self):
            if len(np.unique(self.departure_id)) != len(self):
                problems.add("departures.departure_id", "ids must be unique")
            if np.any(self.arrives_at < self.departs_at):
                problems.add("departures.arrives_at", "a departure cannot arrive before it leaves")
            for name in ("capacity_parcels", "capacity_grams"):
                if np.any(getattr(self, name) < NO_LIMIT):
                    problems.add(f"departures.{name}", "must be >= 0, or -1 for no limit")
            for name in ("cost_per_parcel", "cost_per_kg", "delay_minutes"):
                if np.any(getattr(self, name) < 0):
                    problems.add(f"departures.{name}", "must be >= 0")
        problems.raise_if_any("the departures table is invalid")

    def with_disruptions(
        self,
        *,
        cancelled_departure_ids: ArrayLike = (),
        delays: dict[int, int] | None = None,
    ) -> Departures:
        """Return a copy where the given departures are cancelled and/or delayed (minutes)."""
        cancelled = self.cancelled.copy()
        cancelled |= np.isin(self.departure_id, np.asarray(cancelled_departure_ids, np.int64))
        delay = self.delay_minutes.copy()
        if delays:
            ids = np.fromiter(delays.keys(), np.int64, len(delays))
            minutes = np.fromiter(delays.values(), np.int64, len(delays))
            position = self.index_of(ids)
            delay[position] = minutes
        return Departures.from_columns(
            departure_id=self.departure_id,
            lane_id=self.lane_id,
            departs_at=self.departs_at,
            arrives_at=self.arrives_at,
            capacity_parcels=self.capacity_parcels,
            capacity_grams=self.capacity_grams,
            cost_per_parcel=self.cost_per_parcel,
            cost_per_kg=self.cost_per_kg,
            cancelled=cancelled,
            delay_minutes=delay,
        )

    def index_of(self, departure_ids: ArrayLike) -> Int64Array:
        """Row positions of the given departure ids; unknown ids are an input error."""
        wanted = np.asarray(departure_ids, np.int64)
        order = np.argsort(self.departure_id, kind="stable")
        spot = np.searchsorted(self.departure_id, wanted, sorter=order)
        spot = np.minimum(spot, max(len(self) - 1, 0))
        found = order[spot] if len(self) else np.zeros(0, np.int64)
        if len(wanted) and (len(self) == 0 or np.any(self.departure_id[found] != wanted)):
            problems = ProblemList()
            problems.add("departure_id", "unknown departure id", "not_found")
            problems.raise_if_any()
        return found.astype(np.int64)


@dataclass(frozen=True, slots=True, eq=False)
class DemandGroups:
    """Booked, not yet departed parcels aggregated by lane and product.

    One row is ``parcels`` parcels with ``grams`` total weight, all ready for the lane's
    departures at or after ``ready_at`` and promised to have arrived by ``deadline``.
    ``product`` is an opaque small-integer code the caller maps to its product enum.
    """

    lane_id: Int64Array
    product: Int64Array
    ready_at: Int64Array
    deadline: Int64Array
    parcels: Int64Array
    grams: Int64Array

    @classmethod
    def from_columns(
        cls,
        *,
        lane_id: ArrayLike,
        product: ArrayLike,
        ready_at: ArrayLike,
        deadline: ArrayLike,
        parcels: ArrayLike,
        grams: ArrayLike,
    ) -> DemandGroups:
        table = cls(
            lane_id=_column(lane_id, np.int64),
            product=_column(product, np.int64),
            ready_at=_column(ready_at, np.int64),
            deadline=_column(deadline, np.int64),
            parcels=_column(parcels, np.int64),
            grams=_column(grams, np.int64),
        )
        table.validate()
        return table

    def __len__(self) -> int:
        return len(self.lane_id)

    def validate(self) -> None:
        problems = ProblemList()
        if _check_lengths(self, problems, "demand") == len(self) and len(self):
            if np.any(self.parcels <= 0):
                problems.add("demand.parcels", "every group needs at least one parcel")
            if np.any(self.grams < 0):
                problems.add("demand.grams", "must be >= 0")
        problems.raise_if_any("the demand table is invalid")


@dataclass(frozen=True, slots=True, eq=False)
class Parcels:
    """Individual booked parcels, the input of aggregation and the target of disaggregation."""

    parcel_id: Int64Array
    lane_id: Int64Array
    product: Int64Array
    ready_at: Int64Array
    deadline: Int64Array
    grams: Int64Array

    @classmethod
    def from_columns(
        cls,
        *,
        parcel_id: ArrayLike,
        lane_id: ArrayLike,
        product: ArrayLike,
        ready_at: ArrayLike,
        deadline: ArrayLike,
        grams: ArrayLike,
    ) -> Parcels:
        table = cls(
            parcel_id=_column(parcel_id, np.int64),
            lane_id=_column(lane_id, np.int64),
            product=_column(product, np.int64),
            ready_at=_column(ready_at, np.int64),
            deadline=_column(deadline, np.int64),
            grams=_column(grams, np.int64),
        )
        problems = ProblemList()
        lengths_agree = _check_lengths(table, problems, "parcels") == len(table)
        if lengths_agree and len(table) and np.any(table.grams < 0):
            problems.add("parcels.grams", "must be >= 0")
        problems.raise_if_any("the parcels table is invalid")
        return table

    def __len__(self) -> int:
        return len(self.parcel_id)


@dataclass(frozen=True, slots=True)
class PlanningCosts:
    """Penalties that turn service promises into costs, in minor units per parcel.

    ``rollover_per_parcel`` is charged each time a parcel waits for a later departure of its
    lane: a small storage cost that also makes the earlier of two equal departures win.
    ``overflow_per_parcel`` is charged for a parcel no departure in the horizon can take; the
    planner raises it above the dearest real option, so overflow is always the last resort.
    """

    currency: str = "USD"
    late_per_hour: int = 20
    late_once: int = 500
    rollover_per_parcel: int = 1
    overflow_per_parcel: int = 100_000

    def __post_init__(self) -> None:
        problems = ProblemList()
        for name in ("late_per_hour", "late_once", "rollover_per_parcel", "overflow_per_parcel"):
            if getattr(self, name) < 0:
                problems.add(f"costs.{name}", "must be >= 0")
        problems.raise_if_any("the planning costs are invalid")
