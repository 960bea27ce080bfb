"""The hand-over's worker jobs: kinds, attempts, and their handlers.

A partner that is down (``PartnerUnavailable``: network, timeout, 408/429/5xx once the client's
own attempts are spent) fails the attempt and the worker retries the job with exponential
backoff; ``PARTNER_JOB_ATTEMPTS`` keeps a job alive through about three hours of outage, so
nothing is lost. A terminal answer (the partner refusing our
credentials or our request, a payload that is not its format, a partner missing from the
partners file) cannot be helped by retrying: the job goes dead for an operator at once.
A refused *parcel* is not a failure at all: it is held, and the job is done.

The tracking pull is periodic: one job per five-minute slot (dedupe key per slot), queued by
the consumer when parcels are booked and by each pull, once done, for the next slot.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from postbridge.carriers import Capability, PartnerRegistry
from postbridge.carriers.clients import PartnerClients
from postbridge.errors import PartnerError
from postbridge.handover.advance_data import send_advance_data
from postbridge.handover.job_kinds import (
    ADVANCE_DATA_JOB,
    PARTNER_JOB_ATTEMPTS,
    PREALERT_JOB,
    REGISTER_LABEL_JOB,
    TRACKING_PULL_JOB,
    TRACKING_SUBSCRIPTION_JOB,
    tracking_pull_slot,
)
from postbridge.handover.prealert import send_prealerts
from postbridge.handover.registration import register_label
from postbridge.handover.tracking_pull import pull_tracking
from postbridge.handover.tracking_push import subscribe
from postbridge.jobs.repository import ClaimedJob, JobRepository
from postbridge.jobs.runner import JobContext, JobHandler, PermanentFailure
from postbridge.kit.clock import utc_now
from postbridge.storage.unit_of_work import Database


def tracking_pull_partners(registry: PartnerRegistry) -> list[str]:
    """The partners with an adapter of their own whose events are pulled."""
    return [p for p in registry.partners if registry.supports(p, Capability.TRACKING_PULL)]


def _terminal(run: Callable[[], object]) -> None:
    try:
        run()
    except PartnerError as exc:
        if exc.retryable:
            raise
        raise PermanentFailure(f"{type(exc).__name__}: {exc.detail}") from exc


def job_handlers(
    *,
    database: Database,
    clients: PartnerClients,
    registry: PartnerRegistry,
    clock: Callable[[], datetime] = utc_now,
) -> dict[str, JobHandler]:
    """Handlers bound to the platform's database and partner clients (worker.handlers)."""
    tracking_partners = tracking_pull_partners(registry)

    def advance_data(job: ClaimedJob, context: JobContext) -> None:
        _terminal(
            lambda: send_advance_data(
                database=database,
                clients=clients,
                shipment_id=job.payload["shipment_id"],
                clock=clock,
            )  # fmt: skip
        )

    def prealert(job: ClaimedJob, context: JobContext) -> None:
        _terminal(
            lambda: send_prealerts(
                database=database,
                clients=clients,
                shipment_ids=job.payload["shipment_ids"],
                clock=clock,
            )  # fmt: skip
        )

    def registration(job: ClaimedJob, context: JobContext) -> None:
        _terminal(
            lambda: register_label(
                database=database,
                clients=clients,
                shipment_id=job.payload["shipment_id"],
                clock=clock,
            )  # fmt: skip
        )

    def tracking_pull(job: ClaimedJob, context: JobContext) -> None:
        _terminal(
            lambda: pull_tracking(
                database=database, clients=clients, partners=tracking_partners, clock=clock
            )
        )
        slot, run_after = tracking_pull_slot(clock())
        with database.unit_of_work() as uow:
            JobRepository(uow.session).enqueue(
                kind=TRACKING_PULL_JOB, payload={"slot": slot}, now=clock(),
                dedupe_key=f"tracking-pull:{slot}", run_after=run_after,
                max_attempts=PARTNER_JOB_ATTEMPTS,
            )  # fmt: skip
            uow.commit()

    def tracking_subscription(job: ClaimedJob, context: JobContext) -> None:
        _terminal(
            lambda: subscribe(
                clients=clients,
                partner=job.payload["partner"],
                listener_url=job.payload["listener_url"],
            )  # fmt: skip
        )

    return {
        TRACKING_SUBSCRIPTION_JOB: tracking_subscription,
        ADVANCE_DATA_JOB: advance_data,
        PREALERT_JOB: prealert,
        REGISTER_LABEL_JOB: registration,
        TRACKING_PULL_JOB: tracking_pull,
    }
