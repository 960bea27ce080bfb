"""``postbridge plan --date D`` and ``postbridge departures list|cancel|delay``."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import typer
from rich import box
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from postbridge.cli.common import one_line_errors, platform, stdout
from postbridge.errors import InvalidInput
from postbridge.kit.clock import utc_now

if TYPE_CHECKING:
    from postbridge.capacity.summary import DepartureLoad, PlanSummary

departures_app = typer.Typer(
    help="Dated departures: capacity, planned load, cancellations and delays.",
    no_args_is_help=True,
)
# The planner pulls in OR-Tools (~0.25 s): commands import it when they run, so the other
# commands of the CLI start no slower.
# A plan may redo yesterday (a UTC day still running in the Americas); earlier days have flown.
PLAN_DAYS_BACK = 1
STAGE_LABELS = {
    "departures": "materialising departures",
    "shipments": "reading booked shipments",
    "solve": "solving the min-cost flow",
    "write": "writing loads and moves",
}


@one_line_errors
def plan(
    date: str = typer.Option(..., "--date", help="The day to plan, YYYY-MM-DD (UTC)."),
    top: int = typer.Option(10, "--top", help="How many of the busiest departures to show."),
) -> None:
    """Plan a day's departures (and roll-over days) for every booked, not yet flown parcel."""
    from postbridge import capacity

    if top < 1:
        raise InvalidInput.for_field("top", f"expected a whole number of at least 1, not {top}")
    plan_date = capacity.parse_plan_date(date)
    earliest = utc_now().date() - timedelta(days=PLAN_DAYS_BACK)
    if plan_date < earliest:
        raise InvalidInput.for_field(
            "date",
            f"{plan_date.isoformat()} is in the past: the departures of days before "
            f"{earliest.isoformat()} have left; plan yesterday, today or a later day",
        )
    plat = platform()
    progress = Progress(
        TextColumn("{task.description:<28}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    with progress:
        task = progress.add_task(STAGE_LABELS["departures"], total=len(STAGE_LABELS))
        started: list[str] = []

        def on_stage(stage: str) -> None:
            if started:
                progress.advance(task)
            started.append(stage)
            progress.update(task, description=STAGE_LABELS.get(stage, stage))

        summary = capacity.plan_day(
            database=plat.database,
            network=plat.quoter.network,
            plan_date=plan_date,
            on_stage=on_stage,
        )
        progress.update(task, completed=len(STAGE_LABELS))
    _print_loads(
        list(summary.busiest)[:top], title="busiest departures (by share of capacity used)"
    )
    stdout.print(_one_line(summary), soft_wrap=True)


@departures_app.command("list")
@one_line_errors
def list_departures(
    date: str = typer.Option(..., "--date", help="YYYY-MM-DD (UTC)."),
    lane: str | None = typer.Option(None, "--lane", help="Only this leg, e.g. HKG-HUB>LAX-ISC."),
) -> None:
    """List a day's departures with capacity and planned load (after a plan of that day)."""
    from postbridge import capacity

    on_date = capacity.parse_plan_date(date)
    plat = platform()
    if lane is not None:
        _check_lane(lane, {leg.id for leg in plat.quoter.network.legs})
    loads = capacity.list_departures(database=plat.database, on_date=on_date, leg_id=lane)
    _print_loads(loads, title=f"departures on {on_date.isoformat()}")


@departures_app.command("cancel")
@one_line_errors
def cancel(
    departure_id: str = typer.Argument(..., help="e.g. HKG-HUB>LAX-ISC@2026-11-26T15:00Z"),
) -> None:
    """Cancel a departure and re-plan its lane."""
    from postbridge import capacity

    plat = platform()
    summary = capacity.cancel_departure(
        database=plat.database, network=plat.quoter.network, departure_id=departure_id
    )
    stdout.print(_one_line(summary), soft_wrap=True)


@departures_app.command("delay")
@one_line_errors
def delay(
    departure_id: str = typer.Argument(..., help="e.g. HKG-HUB>LAX-ISC@2026-11-26T15:00Z"),
    minutes: int = typer.Option(..., "--minutes", help="Delay from the schedule; 0 undoes it."),
) -> None:
    """Delay a departure and re-plan its lane."""
    from postbridge import capacity

    plat = platform()
    summary = capacity.delay_departure(
        database=plat.database,
        network=plat.quoter.network,
        departure_id=departure_id,
        minutes=minutes,
    )
    stdout.print(_one_line(summary), soft_wrap=True)


def _check_lane(lane: str, lanes: set[str]) -> None:
    if lane not in lanes:
        examples = ", ".join(sorted(lanes)[:2])
        raise InvalidInput.for_field(
            "lane",
            f"no lane {lane!r} in the network; expected a leg id such as {examples} "
            f"({len(lanes)} lanes)",
        )


def _print_loads(loads: list[DepartureLoad], *, title: str) -> None:
    # The id names leg and scheduled time; a delay shows in the status column.
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("departure", no_wrap=True)
    table.add_column("status", no_wrap=True)
    for column in ("parcels", "kg", "max items", "max kg", "used"):
        table.add_column(column, justify="right", no_wrap=True)
    for load in loads:
        table.add_row(
            load.id,
            load.status.value + (f" +{load.delay_minutes}m" if load.delay_minutes else ""),
            f"{load.planned_parcels:,}",
            f"{load.planned_grams / 1000:,.1f}",
            "-" if load.capacity_items is None else f"{load.capacity_items:,}",
            "-" if load.capacity_grams is None else f"{load.capacity_grams / 1000:,.0f}",
            _share(load),
        )
    # Piped output (logs, tests) would otherwise be cut at 80 columns.
    console = stdout if stdout.is_terminal else Console(highlight=False, width=120)
    console.print(table)


def _share(load: DepartureLoad) -> str:
    """The share of the binding capacity in use, precise enough to show why the rows are in
    their order (they are sorted by it): a demo day fills a 20-tonne freighter to 0.3 %."""
    if load.capacity_items is None and load.capacity_grams is None:
        return "no limit"
    used = load.utilisation
    if 0 < used < 0.001:
        return "<0.1%"
    return f"{used:.1%}"


def _one_line(summary: PlanSummary) -> str:
    return (
        f"plan {summary.plan_id} for {summary.plan_date.isoformat()} ({summary.trigger}): "
        f"{summary.parcels:,} parcels on {summary.departures_used:,} of "
        f"{summary.departures:,} departures; moved {summary.moved:,}; "
        f"at risk {summary.at_risk:,}; unplanned {summary.unplanned:,}; "
        f"{summary.seconds:.2f} s"
    )
