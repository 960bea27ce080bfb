"""The hand-over's job kinds and schedules (no imports of the use cases, so both the consumer
and the use cases can queue them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

ADVANCE_DATA_JOB = "handover.advance_data"
PREALERT_JOB = "handover.prealert"
REGISTER_LABEL_JOB = "handover.register_label"
TRACKING_PULL_JOB = "handover.tracking_pull"
TRACKING_SUBSCRIPTION_JOB = "handover.tracking_subscription"
# With the runner's backoff (doubling from 2 s, capped at 15 minutes) 20 attempts keep a job
# alive through about three hours of partner outage.
PARTNER_JOB_ATTEMPTS = 20
TRACKING_PULL_INTERVAL = timedelta(minutes=5)
_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def tracking_pull_slot(now: datetime) -> tuple[int, datetime]:
    """The next pull slot after ``now`` and when it starts."""
    slot = int((now - _EPOCH) / TRACKING_PULL_INTERVAL) + 1
    return slot, _EPOCH + slot * TRACKING_PULL_INTERVAL
