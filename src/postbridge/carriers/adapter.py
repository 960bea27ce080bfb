"""What a last-mile partner adapter is: the capabilities it declares and the calls the core makes.

The core (quotes, booking, bulk capture, labels) asks a partner only through this protocol, by
the partner's network code, so a post is added by configuring an adapter, never by editing the
core. An adapter answers which number of its own a parcel needs (a ``PartnerNumberScheme``,
allocated next to the S10), what the label prints for it (a ``PartnerBarcode`` block), and
serves the partner-exchange calls on its partner's own API: label registration and tracking
pulls by number. It builds that API's client from the partner's ``api`` entry in the partners
file, through ``PartnerApis`` (the process's partner clients, which keep it for the process's
life); the hand-over asks by partner code and never names a partner.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from postbridge.carriers.partners_file import Connection, LabelRegistration
from postbridge.labels import PartnerBarcode

ApiT = TypeVar("ApiT")


class Capability(StrEnum):
    PARTNER_NUMBERS = "partner_numbers"  # the partner's own tracking number, issued by us
    LABEL_BLOCK = "label_block"  # a block of its own printed on the label
    ADVANCE_DATA = "advance_data"  # item data sent before the parcel flies (ITMATT, STOP Act)
    REGISTRATION = "registration"  # labels or identifiers registered in the partner's system
    TRACKING_PULL = "tracking_pull"  # we poll the partner for scan events
    TRACKING_PUSH = "tracking_push"  # the partner sends scan events to us
    RATES = "rates"  # the partner quotes its last-mile price


class PartnerNumberScheme(Protocol):
    """A family of partner numbers issued from one serial counter (e.g. one mailer id)."""

    @property
    def name(self) -> str:
        """What a booking asks for (``PlannedRoute.partner_scheme``), unique in a registry."""
        ...

    @property
    def counter(self) -> str:
        """The serial counter's name in storage: serials under it are never issued twice."""
        ...

    def numbers(self, first_serial: int, count: int) -> list[str]:
        """The numbers of ``count`` consecutive serials from ``first_serial``."""
        ...


class PartnerAdapter(Protocol):
    @property
    def partner(self) -> str:
        """The network's code of the partner this adapter serves."""
        ...

    @property
    def capabilities(self) -> frozenset[Capability]: ...

    @property
    def number_scheme(self) -> PartnerNumberScheme | None:
        """The number a parcel for this partner needs besides its S10; None: the S10 alone."""
        ...

    def number_scheme_for(self, last_mile_service: str) -> PartnerNumberScheme | None:
        """``number_scheme`` for a product of this last-mile service (its mail class)."""
        ...

    @property
    def all_number_schemes(self) -> Sequence[PartnerNumberScheme]:
        """Every scheme it may ask numbers of (what the number allocator must know)."""
        ...

    def label_barcode(self, partner_number: str, *, postal_code: str) -> PartnerBarcode | None:
        """The label block for a parcel that carries ``partner_number``; None: no block."""
        ...

    @property
    def tracking_code_scheme(self) -> str:
        """The code table its scan events are read with (``tracking/data/code_tables``)."""
        ...

    # The partner exchange on the partner's own API (its ``api`` entry in the partners file).

    def tracking_numbers_per_pull(self, apis: PartnerApis) -> int | None:
        """How many tracking numbers one pull asks the partner about (``pull_tracking``);
        None: the partner is pulled through its UPU-style event feed instead."""
        ...

    def pull_tracking(self, apis: PartnerApis, numbers: Sequence[str]) -> TrackingPull:
        """Every scan event the partner has for ``numbers``."""
        ...

    def register_label(
        self,
        apis: PartnerApis,
        parcel: LabelParcel,
        registration: LabelRegistration,
        *,
        mailing_date: date,
    ) -> str:
        """Register the parcel's label with the partner; the tracking number it allocated."""
        ...

    # Tracking pushed by the partner (Capability.TRACKING_PUSH).

    def subscribe_tracking(self, apis: PartnerApis, *, listener_url: str) -> str:
        """Ask the partner to push our parcels' scans to ``listener_url``; its subscription id."""
        ...

    def receive_tracking_push(
        self, body: bytes, headers: Mapping[str, str]
    ) -> tuple[PartnerScan, ...]:
        """The scans of one pushed notification, once its signature is checked (``headers``
        keyed in lower case); an error with its own HTTP status otherwise."""
        ...


@dataclass(frozen=True, slots=True)
class Party:
    """A name and address as a partner's label takes it."""

    name: str
    company: str
    street_lines: tuple[str, ...]
    city: str
    region: str
    postal_code: str
    phone: str
    email: str


@dataclass(frozen=True, slots=True)
class LabelParcel:
    """The stored parcel whose label is registered with its last-mile partner."""

    reference: str
    tracking_number: str  # our S10
    partner_tracking_number: str | None  # the partner's number we printed, if any
    recipient: Party
    weight_g: int
    length_mm: int
    width_mm: int
    height_mm: int


@dataclass(frozen=True, slots=True)
class PartnerScan:
    """One scan event as a partner reports it, before the tracking context reads its code
    (through the adapter's ``tracking_code_scheme``) and normalises it."""

    tracking_number: str
    code: str
    text: str
    occurred_at: datetime  # aware UTC
    utc_offset_minutes: int | None  # where it was scanned; None: the partner gives UTC only
    facility: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None


@dataclass(frozen=True, slots=True)
class TrackingPull:
    events: tuple[PartnerScan, ...]
    calls: int  # partner calls made (pages, in the pull counts)


class PartnerApis(Protocol):
    """The partners' own API clients, one per partner for the life of the process."""

    def api(self, partner: str, connect: Callable[[Connection, Any], ApiT]) -> ApiT | None:
        """``partner``'s client, built once by ``connect`` from its ``api`` entry in the
        partners file and a ``carriers.http.PartnerHttp`` for it (typed ``Any`` here: this
        module is read by pure cores, which must not import httpx); None when the entry has no
        ``api`` connection."""
        ...
