"""The console dashboard: a merchant's parcels (every merchant's, for an operator) in charts
drawn on the server: booked today and this week by status, exceptions to act on, promises
kept by lane and by partner, volume by destination and bookings per day."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from markupsafe import Markup

from postbridge.errors import PostbridgeError
from postbridge.kit.clock import utc_now
from postbridge.reporting.models import Dashboard, Punctuality
from postbridge.reporting.service import dashboard as dashboard_figures
from postbridge.shipments.lifecycle import ShipmentStatus
from postbridge.tracking.settings import silence_limits
from postbridge.web.charts import PALETTE, Bar, Series, bar_chart, line_chart, stacked_bar_chart
from postbridge.web.console_pages import (
    current_identity,
    message_page,
    platform_of,
    render,
    to_sign_in,
)

router = APIRouter(include_in_schema=False)
CHART_LANES = 12  # the busiest; the chart's table lists those, the page says how many more
_STATUS_ORDER = [status.value for status in ShipmentStatus]


@router.get("/dashboard")
def dashboard(request: Request) -> Response:
    identity = current_identity(request)
    if identity is None:
        return to_sign_in(request)
    try:
        figures = dashboard_figures(
            database=platform_of(request).database, scope=identity.scope, now=utc_now(),
            limits=silence_limits(),
        )  # fmt: skip
    except PostbridgeError as exc:
        return message_page(
            request, identity=identity, status_code=exc.http_status,
            title="The dashboard could not be drawn", message=exc.detail,
        )  # fmt: skip
    return render(
        request, "console/dashboard.html",
        {"active": "dashboard", "figures": figures, "charts": charts(figures),
         "exception_kinds": figures.exceptions.by_kind()},
        identity=identity,
    )  # fmt: skip


def charts(figures: Dashboard) -> dict[str, Markup]:
    statuses = sorted(
        figures.statuses,
        key=lambda s: _STATUS_ORDER.index(s.status) if s.status in _STATUS_ORDER else 99,
    )
    promises = figures.promises
    return {
        "statuses": stacked_bar_chart(
            chart_id="chart-statuses", title="Parcels booked, by current status",
            categories=["Today", "This week"],
            series=[Series(s.status.replace("_", " "), [s.today, s.week]) for s in statuses],
            empty="No parcels booked this week.",
        ),
        "lanes": _punctuality_chart("chart-lanes", "On time by lane", figures.by_lane),
        "partners": _punctuality_chart("chart-partners", "On time by partner", figures.by_partner),
        "promises": bar_chart(
            chart_id="chart-promises", title="Promises kept and missed", value_heading="Parcels",
            bars=[Bar("Kept", promises.kept, colour=PALETTE[0]),
                  Bar("Missed", promises.missed, colour=PALETTE[2]),
                  Bar("Overdue", promises.overdue, colour=PALETTE[3])],
            empty="No promise to count yet: nothing delivered in 30 days and nothing overdue.",
        ),
        "destinations": bar_chart(
            chart_id="chart-destinations", title="Parcels by destination country",
            value_heading="Parcels",
            bars=[Bar(d.country, d.parcels) for d in figures.destinations],
            empty="No parcels booked in the last 30 days.",
        ),
        "daily": line_chart(
            chart_id="chart-daily", title="Parcels booked per day", value_heading="Parcels",
            points=[Bar(d.day.strftime("%d %b"), d.parcels) for d in figures.daily],
            empty="No parcels booked in the last 30 days.",
        ),
    }  # fmt: skip


def _punctuality_chart(chart_id: str, title: str, rows: list[Punctuality]) -> Markup:
    busiest = sorted(rows, key=lambda row: (-row.delivered, row.label))[:CHART_LANES]
    return bar_chart(
        chart_id=chart_id, title=title, value_heading="Delivered by the promised day",
        bars=[Bar(row.label, row.rate_percent, f"{row.rate_percent:g} %") for row in busiest],
        empty="Nothing delivered against a promise in the last 30 days.", maximum=100,
        horizontal=True,
    )  # fmt: skip
