"""USPS as a last-mile partner: each parcel carries an IMpb (its USPS tracking number, issued
under our mailer id next to the S10) and the label prints the IMpb block under a
"USPS TRACKING #" banner (postal-standards.md §4, USPS Pub 199). Over USPS's own APIs (the
partner's ``api`` entry in the partners file) it registers labels and pulls tracking by
number (``usps.exchange``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from postbridge.carriers.adapter import (
    Capability,
    LabelParcel,
    PartnerApis,
    PartnerScan,
    TrackingPull,
)
from postbridge.carriers.partners_file import LabelRegistration, Secret
from postbridge.carriers.usps import exchange
from postbridge.carriers.usps.client import UspsClient
from postbridge.carriers.usps.service_types import service_type_codes
from postbridge.carriers.usps.settings import UspsSettings
from postbridge.carriers.usps.wire.notifications import parse_notification
from postbridge.errors import PartnerRejected
from postbridge.identifiers.impb import build_impb_barcode, build_impb_block
from postbridge.labels.model import PartnerBarcode

SCHEME = "impb"
BANNER = "USPS TRACKING #"


@dataclass(frozen=True, slots=True)
class ImpbScheme:
    """Package Identification Codes under one mailer id and service type code: one counter
    per pair, so a changed setting starts a fresh serial run instead of reusing one."""

    mailer_id: str
    service_type_code: str

    @property
    def name(self) -> str:
        # One scheme per service type code: products of different mail classes ask for
        # numbers of different schemes.
        return f"{SCHEME}:{self.service_type_code}"

    @property
    def counter(self) -> str:
        return f"impb:{self.mailer_id}:{self.service_type_code}"

    def numbers(self, first_serial: int, count: int) -> list[str]:
        return build_impb_block(
            service_type_code=self.service_type_code,
            mailer_id=self.mailer_id,
            first_serial=first_serial,
            count=count,
        )


def impb_label_barcode(partner_number: str, *, postal_code: str) -> PartnerBarcode:
    """The IMpb block: GS1-128 of ``420`` + the recipient's ZIP (routing) and the PIC, with the
    PIC in groups of four under the bars."""
    impb = build_impb_barcode(postal_code, partner_number)
    return PartnerBarcode(
        banner=BANNER,
        gs1_fields=impb.fnc1_fields(),
        human_readable=impb.tracking_number.grouped,
    )


TRACKING_CODE_SCHEME = "usps"


class UspsAdapter:
    # Advance data reaches USPS over the UPU-style exchange, as posts send it; tracking is
    # pulled from USPS's own tracking API (carriers.usps.client).
    capabilities = frozenset(
        {
            Capability.PARTNER_NUMBERS,
            Capability.LABEL_BLOCK,
            Capability.ADVANCE_DATA,
            Capability.TRACKING_PULL,
            Capability.TRACKING_PUSH,
        }
    )

    # Its own scan codes (Pub 199), from its tracking API and its subscriptions.
    tracking_code_scheme = TRACKING_CODE_SCHEME

    def __init__(self, settings: UspsSettings) -> None:
        self.settings = settings
        self.partner = self.settings.partner_code
        mailer_id = self.settings.mailer_id
        # Services without a code of their own (service_types) take the settings' default.
        self.number_scheme = ImpbScheme(mailer_id, self.settings.service_type_code)
        self._schemes = {
            service: ImpbScheme(mailer_id, code)
            for service, code in service_type_codes(self.settings.service_type_codes).items()
        }

    def number_scheme_for(self, last_mile_service: str) -> ImpbScheme:
        """The IMpb of the mail class the product's last-mile service names."""
        return self._schemes.get(last_mile_service, self.number_scheme)

    @property
    def all_number_schemes(self) -> tuple[ImpbScheme, ...]:
        return (self.number_scheme, *self._schemes.values())

    def label_barcode(self, partner_number: str, *, postal_code: str) -> PartnerBarcode:
        return impb_label_barcode(partner_number, postal_code=postal_code)

    # -- the partner exchange, on USPS's own APIs -----------------------------------------

    def _client(self, apis: PartnerApis) -> UspsClient | None:
        return apis.api(self.partner, exchange.connect)

    def tracking_numbers_per_pull(self, apis: PartnerApis) -> int | None:
        # Pulled by number from its tracking API when the partner has an ``api`` entry.
        return exchange.NUMBERS_PER_PULL if self._client(apis) is not None else None

    def pull_tracking(self, apis: PartnerApis, numbers: Sequence[str]) -> TrackingPull:
        return exchange.pull_tracking(self._connected(apis, "tracking pulls"), numbers)

    def register_label(
        self,
        apis: PartnerApis,
        parcel: LabelParcel,
        registration: LabelRegistration,
        *,
        mailing_date: date,
    ) -> str:
        request = exchange.label_request(parcel, registration, mailing_date=mailing_date)
        return self._connected(apis, "label_registration").register_label(request).tracking_number

    def subscribe_tracking(self, apis: PartnerApis, *, listener_url: str) -> str:
        """A subscription to every scan of our mailer id's parcels (one per mailer id and
        listener), signed with the subscription secret."""
        client = self._connected(apis, "tracking subscriptions")
        subscription = client.subscribe(
            listener_url=listener_url, secret=Secret(self.settings.subscription_secret),
            admin_email=self.settings.subscription_admin_email,
            mailer_id=self.settings.mailer_id,
        )  # fmt: skip
        return subscription.subscription_id

    def receive_tracking_push(
        self, body: bytes, headers: Mapping[str, str]
    ) -> tuple[PartnerScan, ...]:
        _subscription, parsed = parse_notification(
            body, headers, secret=self.settings.subscription_secret
        )
        return tuple(exchange.partner_scan(event) for event in parsed.events)

    def _connected(self, apis: PartnerApis, what: str) -> UspsClient:
        client = self._client(apis)
        if client is None:
            raise PartnerRejected(f"{self.partner} has {what} but no api connection")
        return client
