"""A post holds an item that reaches it without accepted advance data, until the data comes.

The check is made when the clock passes the item's arrival at the last-mile partner (with the
advance data held at that moment of the clock): with none accepted, the post scans EDA (held
at inward office of exchange, reason ``no_advance_data``) and the rest of the story waits. When
accepted data arrives, customs and the last mile are drawn again from that moment
(``timeline.resume_after_hold``). USPS has no code for the hold in the reference list: a USPS
parcel just shows nothing after "USPS in possession of item".
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import and_, delete, insert, select, update

from postbridge.sandbox import store
from postbridge.sandbox.emission import report_rows
from postbridge.sandbox.parcels import ParcelPlan
from postbridge.sandbox.reality import Reality
from postbridge.sandbox.rendering import USPS_PARTNER, upu_event
from postbridge.sandbox.rules import Rules
from postbridge.sandbox.timeline import Scan, Step, resume_after_hold

NO_ADVANCE_DATA = "no_advance_data"
# The post notices at the arrival scan's sort; the hold scan is reported minutes later.
HOLD_AFTER = timedelta(minutes=40)
HOLD_REPORTED_AFTER = timedelta(minutes=10)


def _accepted(connection: Any, partner: str, item_id: str) -> bool:
    row = connection.execute(
        select(store.advance_data.c.result).where(
            store.advance_data.c.partner == partner, store.advance_data.c.item_id == item_id
        )
    ).first()
    return row is not None and row.result.get("status") == "accepted"


def hold_arrivals_without_data(
    connection: Any, now_s: int, *, rules: Rules, reality: Reality
) -> None:
    parcels = store.parcels
    arrived = connection.execute(
        select(
            parcels.c.tracking_number, parcels.c.partner, parcels.c.plan, parcels.c.handover_s
        ).where(parcels.c.hold == "none", parcels.c.handover_s <= now_s)
    ).all()
    for parcel in arrived:
        number = parcel.tracking_number
        if not rules.post(parcel.partner).hold_without_advance_data or _accepted(
            connection, parcel.partner, number
        ):
            state = "checked"
        else:
            state = "held"
            connection.execute(
                update(store.scans)
                .where(
                    and_(
                        store.scans.c.tracking_number == number,
                        store.scans.c.occurred_s > parcel.handover_s,
                        store.scans.c.feed_seq.is_(None),
                    )
                )
                .values(held=True)
            )
            if parcel.partner != USPS_PARTNER:
                connection.execute(insert(store.scans).values(**_hold_row(parcel, reality)))
        connection.execute(
            update(parcels).where(parcels.c.tracking_number == number).values(hold=state)
        )


def _hold_row(parcel: Any, reality: Reality) -> dict[str, Any]:
    plan = ParcelPlan.from_json(parcel.plan)
    place = reality.facility(plan.legs[-1].destination)
    at = store.from_seconds(parcel.handover_s) + HOLD_AFTER
    event_id = f"evt-{plan.tracking_number}-hold"
    scan = Scan(Step.HELD_AT_EXCHANGE, at, place, NO_ADVANCE_DATA)
    return {
        "event_id": event_id,
        "tracking_number": plan.tracking_number,
        "partner": plan.partner,
        "partner_number": plan.partner_number,
        "occurred_s": store.to_seconds(at),
        "reported_s": store.to_seconds(at + HOLD_REPORTED_AFTER),
        "upu": upu_event(event_id, plan.tracking_number, scan),
        "usps": None,
        "feed_seq": None,
        "held": False,
    }


def release_held(
    connection: Any, partner: str, item_id: str, now_s: int, *, reality: Reality, seed: int
) -> None:
    """Accepted advance data for a held item: the rest of its story from now."""
    parcels = store.parcels
    row = connection.execute(
        select(parcels.c.plan).where(
            parcels.c.tracking_number == item_id,
            parcels.c.partner == partner,
            parcels.c.hold == "held",
        )
    ).first()
    if row is None:
        return
    plan = ParcelPlan.from_json(row.plan)
    story = resume_after_hold(plan, reality, seed=seed, released_at=store.from_seconds(now_s))
    connection.execute(
        delete(store.scans).where(
            store.scans.c.tracking_number == item_id, store.scans.c.held.is_(True)
        )
    )
    connection.execute(
        insert(store.scans), report_rows(plan, story, reality, seed=seed, id_prefix="r")
    )
    connection.execute(
        update(parcels)
        .where(parcels.c.tracking_number == item_id)
        .values(hold="released", fate=story.fate.value)
    )
