"""Feed rows: a story's reports rendered in the partner's format, and their emission.

A row is *emitted* (given the next feed position) once the clock passes its reported time,
unless its partner holds the parcel (``holds``). Positions follow emission order, so a late
event is emitted after the ones reported before it and a cursor never skips it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, func, select, update

from postbridge.sandbox import store
from postbridge.sandbox.parcels import ParcelPlan
from postbridge.sandbox.reality import Reality
from postbridge.sandbox.rendering import USPS_PARTNER, upu_event, usps_event
from postbridge.sandbox.timeline import Story, report_times


def report_rows(
    plan: ParcelPlan, story: Story, reality: Reality, *, seed: int, id_prefix: str = ""
) -> list[dict[str, Any]]:
    """One row per report of a scan. Event ids are stable (``evt-<number>-<scan>``): a repeated
    report carries the id of the scan it repeats."""
    rows = []
    number, usps = plan.tracking_number, plan.partner == USPS_PARTNER
    for report in report_times(story, reality, seed=seed):
        scan = story.scans[report.scan_index]
        event_id = f"evt-{number}-{id_prefix}{report.scan_index:02d}"
        body_usps = usps_event(scan) if usps else None
        if usps and body_usps is None:
            continue  # a step USPS has no code for: nothing shows in USPS tracking
        rows.append(
            {
                "event_id": event_id,
                "tracking_number": number,
                "partner": plan.partner,
                "partner_number": plan.partner_number,
                "occurred_s": store.to_seconds(scan.at),
                "reported_s": store.to_seconds(report.reported_at),
                "upu": None if usps else upu_event(event_id, number, scan),
                "usps": body_usps,
                "feed_seq": None,
                "held": False,
            }
        )
    return rows


def emit_due(connection: Any, now_s: int) -> int:
    """Give feed positions to every row whose time has come; answer how many."""
    table = store.scans
    due = (
        connection.execute(
            select(table.c.id)
            .where(table.c.feed_seq.is_(None), table.c.held.is_(False), table.c.reported_s <= now_s)
            .order_by(table.c.reported_s, table.c.id)
        )
        .scalars()
        .all()
    )
    if not due:
        return 0
    last = connection.execute(select(func.max(table.c.feed_seq))).scalar() or 0
    connection.execute(
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values(feed_seq=bindparam("position")),
        [{"row_id": row_id, "position": position} for position, row_id in enumerate(due, last + 1)],
    )
    return len(due)


def plan_json(plan: ParcelPlan) -> dict[str, Any]:
    """The plan as stored (the pre-alert's own shape), so a story can be drawn again."""
    return {
        "tracking_number": plan.tracking_number,
        "partner": plan.partner,
        "partner_tracking_number": plan.partner_tracking_number,
        "destination_country": plan.destination_country,
        "destination_postal_code": plan.destination_postal_code,
        "weight_g": plan.weight_g,
        "booked_at": plan.booked_at.isoformat(),
        "route": {
            "legs": [
                {"leg": leg.leg, "from": leg.origin, "to": leg.destination, "mode": leg.mode,
                 "departs": leg.departs.isoformat(), "arrives": leg.arrives.isoformat()}
                for leg in plan.legs
            ]
        },
    }  # fmt: skip
