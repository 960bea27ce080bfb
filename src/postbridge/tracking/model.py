"""The tracking status model: one vocabulary for every partner's events.

``TrackingStatus`` is the lifecycle stage (the 13 statuses of tracking-and-eta.md §1.2).
``Reason`` says why an event has that status (customs hold, refused, address issue, ...),
``ActionRequired`` who must act now, and ``Milestone`` how far along the route the parcel is.
The four are independent axes: a parcel can be ``in_transit`` with reason ``customs_hold`` and
nobody to act, or ``delivery_attempted`` at the ``with_last_mile`` milestone with the recipient
to act. Alerts such as "stuck" or "late against the promise" are derived elsewhere from the
state and the clock; they are not statuses.

Everything here is a frozen value; datetimes are aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class TrackingStatus(StrEnum):
    PENDING = "pending"  # registered with us, no partner data yet
    INFO_RECEIVED = "info_received"  # manifest or label data, partner not yet in possession
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    AVAILABLE_FOR_PICKUP = "available_for_pickup"
    DELIVERY_ATTEMPTED = "delivery_attempted"
    DELIVERED = "delivered"
    EXCEPTION = "exception"
    RETURNING_TO_SENDER = "returning_to_sender"
    RETURNED_TO_SENDER = "returned_to_sender"
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # tracking stopped without a terminal event (derived from silence)
    UNKNOWN = "unknown"  # a partner code we have no mapping for: an operator must map it


class Reason(StrEnum):
    """Controlled vocabulary of why; extend it when a partner code needs a new word."""

    # customs and border
    CUSTOMS_HOLD = "customs_hold"
    EXPORT_HOLD = "export_hold"
    EXPORT_CANCELLED = "export_cancelled"
    IMPORT_TERMINATED = "import_terminated"
    DUTIES_UNPAID = "duties_unpaid"
    DOCUMENTS_MISSING = "documents_missing"
    PROHIBITED = "prohibited"
    SECURITY = "security"
    # the address or the recipient
    ADDRESS_ISSUE = "address_issue"
    RECIPIENT_MOVED = "recipient_moved"
    RECIPIENT_UNKNOWN = "recipient_unknown"
    RECIPIENT_DECEASED = "recipient_deceased"
    NO_ACCESS = "no_access"
    BUSINESS_CLOSED = "business_closed"
    NOTICE_LEFT = "notice_left"
    REFUSED = "refused"
    UNCLAIMED = "unclaimed"
    # the network
    HELD = "held"
    MISSENT = "missent"
    FORWARDED = "forwarded"
    RESCHEDULED = "rescheduled"
    DELAYED = "delayed"
    WEATHER = "weather"
    DAMAGED = "damaged"
    LOST = "lost"
    UNDELIVERABLE = "undeliverable"
    DELIVERY_UNCONFIRMED = "delivery_unconfirmed"
    SENDER_RECALL = "sender_recall"
    # how a delivery happened
    PICKED_UP_BY_RECIPIENT = "picked_up_by_recipient"
    PICKED_UP_BY_AGENT = "picked_up_by_agent"
    OTHER = "other"


class ActionRequired(StrEnum):
    NONE = "none"
    RECIPIENT = "recipient"  # collect, pay duties, fix the address, rearrange delivery
    SENDER = "sender"  # the merchant: documents, decide on a refused or returned parcel
    OPERATOR = "operator"  # postbridge operations: chase a partner, claim, map a code


class Milestone(StrEnum):
    """Stages of the route in the order a parcel reaches them (``rank``)."""

    ACCEPTED_AT_ORIGIN = "accepted_at_origin"
    DEPARTED_ORIGIN_COUNTRY = "departed_origin_country"
    ARRIVED_DESTINATION_COUNTRY = "arrived_destination_country"
    CUSTOMS = "customs"  # import customs of the destination country
    WITH_LAST_MILE = "with_last_mile"
    DELIVERED = "delivered"

    @property
    def rank(self) -> int:
        return _MILESTONE_ORDER.index(self)


_MILESTONE_ORDER = tuple(Milestone)


@dataclass(frozen=True, slots=True)
class Location:
    """Where a partner says the event happened; every part is optional and free text."""

    facility: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2 when the partner gives one


@dataclass(frozen=True, slots=True)
class MappedCode:
    """What a partner code means in our vocabulary (``is_mapped`` is False for unknown codes)."""

    scheme: str
    code: str
    status: TrackingStatus
    reason: Reason | None
    milestone: Milestone | None
    action: ActionRequired
    is_mapped: bool


@dataclass(frozen=True, slots=True)
class TrackingEvent:
    """One partner event, normalised: raw code and text kept, time in UTC plus the zone given.

    ``occurred_zone`` is the IANA zone name (``America/Los_Angeles``) when the partner gave
    local wall-clock time in a known zone, the offset (``+08:00``) when it gave an offset, or
    ``UTC`` for a ``Z`` suffix, so that the local time can be shown as the partner meant it.
    """

    tracking_number: str
    partner: str
    code_scheme: str
    raw_code: str
    raw_text: str
    occurred_at: datetime
    occurred_zone: str
    location: Location
    status: TrackingStatus
    reason: Reason | None
    milestone: Milestone | None
    action: ActionRequired
    is_mapped: bool

    def __post_init__(self) -> None:
        offset = self.occurred_at.utcoffset()
        if offset is None or offset.total_seconds() != 0:
            raise ValueError(f"occurred_at must be aware UTC, got {self.occurred_at!r}")


@dataclass(frozen=True, slots=True)
class MilestoneReached:
    milestone: Milestone
    at: datetime  # event time of the first event that reached it


@dataclass(frozen=True, slots=True)
class TrackingState:
    """The state of one parcel recomputed from its events (see ``tracking.state``)."""

    status: TrackingStatus
    reason: Reason | None
    action: ActionRequired
    milestone: Milestone | None  # the furthest milestone of the outbound journey
    milestones: tuple[MilestoneReached, ...]  # in route order, each with its first time
    last_event: TrackingEvent | None  # the latest event in time that belongs to the parcel
    delivered_at: datetime | None
    returned_at: datetime | None  # when the return reached the sender
    event_count: int  # distinct events of the parcel after deduplication
    excluded_count: int  # events outside the parcel's booking window (a recycled number)
    unmapped_codes: tuple[tuple[str, str], ...]  # sorted distinct (scheme, code) pairs
    unmapped_event_count: int = 0  # the parcel's events whose code no table maps
