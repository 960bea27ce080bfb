"""Daily capacity planning: put booked parcels on lane departures under capacity.

Pure core (NumPy + OR-Tools, no I/O). ``plan_parcels(parcels, departures)`` runs the whole
pipeline (with exact-kg repair rounds, :mod:`postbridge.planning.pipeline`); its steps::

    aggregate_parcels(parcels, departures) -> Aggregation(demand groups, group of each parcel)
    plan_capacity(PlanInput(departures, demand, costs, settings)) -> CapacityPlan
    disaggregate(plan, parcels, group_of_parcel) -> ParcelAssignment (departure, late, unplanned)
    replan(plan.input, cancelled_departure_ids=..., delays=..., previous=plan) -> Replan
    diff_assignments(before, after) -> ParcelMoves  (per-parcel moves and newly at risk)

Model (details in :mod:`postbridge.planning.network`):

* A lane's usable departures, sorted by effective departure time, form a chain. A demand
  group enters at the first departure it can catch (departs at or after ``ready_at``); it may
  take that departure or roll over to the next one through an explicit roll-over arc; past the
  last departure of the horizon an overflow arc to the sink keeps the problem feasible.
* Flow unit is the parcel, not weight: the plan moves whole parcels, item limits are exact
  and disaggregation needs no rounding. The price is that a kg limit cannot be exact in a
  single-commodity flow (it would weigh each group differently). It becomes a parcel limit
  through the lane's mean parcel weight; departures whose groups are heavier than that mean
  are tightened and their lanes re-solved (``PlanSettings.weight_repair_rounds``), and
  ``plan_parcels`` repeats this with the real parcel weights (``exact_weight_rounds``).
  Whatever is still over is listed in ``ParcelPlan.overweight_departures``.
* Lateness is per group (each group has its own promise), so each group owns its options;
  only departure capacity is shared. Within a group, disaggregation gives the earliest
  promise hour the earliest arrival and interleaves weights (see ``disaggregate``).
* Unit cost of a group on a departure: ``cost_per_parcel + cost_per_kg x mean weight`` plus,
  when it arrives after the group's deadline, ``late_once + late_per_hour x started hours
  late``, plus ``rollover_per_parcel`` per roll-over. Overflow costs more than any option.
* Lanes are independent: ``PlanSettings.lane_batches`` solves lane ranges apart (64 batches
  of the DIRECT graph were the fastest measured, see ``bench/plan.py --compare``); a re-plan
  after a disruption solves only the disrupted lanes and keeps the rest verbatim, so other
  lanes never see spurious moves between equally cheap optima.

Units: times are UTC epoch minutes, weights grams, money integer minor units of
``PlanningCosts.currency``.
"""

from postbridge.planning.aggregate import Aggregation, aggregate_parcels
from postbridge.planning.capacity_plan import (
    OVERFLOW,
    CapacityPlan,
    PlanInput,
    PlanSettings,
    plan_capacity,
)
from postbridge.planning.disaggregate import (
    ParcelAssignment,
    ParcelMoves,
    ParcelPlanStatus,
    diff_assignments,
    disaggregate,
)
from postbridge.planning.disruptions import PlanChanges, Replan, compare_plans, replan
from postbridge.planning.inputs import NO_LIMIT, DemandGroups, Departures, Parcels, PlanningCosts
from postbridge.planning.network import GraphShape, PlanningFailed
from postbridge.planning.pipeline import ParcelPlan, plan_parcels

__all__ = [
    "NO_LIMIT",
    "OVERFLOW",
    "Aggregation",
    "CapacityPlan",
    "DemandGroups",
    "Departures",
    "GraphShape",
    "ParcelAssignment",
    "ParcelMoves",
    "ParcelPlan",
    "ParcelPlanStatus",
    "Parcels",
    "PlanChanges",
    "PlanInput",
    "PlanSettings",
    "PlanningCosts",
    "PlanningFailed",
    "Replan",
    "aggregate_parcels",
    "compare_plans",
    "diff_assignments",
    "disaggregate",
    "plan_capacity",
    "plan_parcels",
    "replan",
]
