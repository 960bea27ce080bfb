"""The outbox consumer that starts the hand-over of every booked parcel (single bookings and
bulk chunks alike raise ``shipment.booked``): an advance-data job per shipment, once (dedupe
key per shipment), and one origin pre-alert job per relayed page of bookings."""

from __future__ import annotations

from collections.abc import Sequence

from postbridge.handover.job_kinds import (
    ADVANCE_DATA_JOB,
    PARTNER_JOB_ATTEMPTS,
    PREALERT_JOB,
    TRACKING_PULL_JOB,
    tracking_pull_slot,
)
from postbridge.jobs.repository import JobRepository, NewJob
from postbridge.kit.clock import utc_now
from postbridge.kit.events import EventEnvelope
from postbridge.storage.unit_of_work import UnitOfWork


class HandoverConsumer:
    name = "handover.booked"
    event_types = frozenset({"shipment.booked"})

    def apply(self, uow: UnitOfWork, events: Sequence[EventEnvelope]) -> None:
        if not events:
            return
        now = utc_now()
        shipment_ids = [str(event.payload["shipment_id"]) for event in events]
        slot, run_after = tracking_pull_slot(now)
        jobs = [
            NewJob(
                kind=ADVANCE_DATA_JOB,
                payload={"shipment_id": shipment_id},
                dedupe_key=f"advance-data:{shipment_id}",
                max_attempts=PARTNER_JOB_ATTEMPTS,
            )  # fmt: skip
            for shipment_id in shipment_ids
        ]
        jobs.append(
            NewJob(
                kind=PREALERT_JOB,
                payload={"shipment_ids": shipment_ids},
                dedupe_key=f"prealert:{events[0].event_id}",
                max_attempts=PARTNER_JOB_ATTEMPTS,
            )  # fmt: skip
        )
        # New parcels to track: make sure the periodic pull is scheduled.
        jobs.append(
            NewJob(
                kind=TRACKING_PULL_JOB,
                payload={"slot": slot},
                dedupe_key=f"tracking-pull:{slot}",
                run_after=run_after,
                max_attempts=PARTNER_JOB_ATTEMPTS,
            )  # fmt: skip
        )
        JobRepository(uow.session).enqueue_many(jobs, now=now)
