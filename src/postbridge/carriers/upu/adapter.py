"""The UPU adapter: any post we exchange with by the UPU standards, one instance per post
profile. Its parcels carry their S10 alone and the label prints no block of the post's own."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from postbridge.carriers.adapter import (
    Capability,
    LabelParcel,
    PartnerApis,
    PartnerScan,
    TrackingPull,
)
from postbridge.carriers.partners_file import LabelRegistration
from postbridge.carriers.upu.profiles import DEFAULT_PARTNER, PostProfile, load_profiles
from postbridge.errors import PartnerRejected
from postbridge.labels import PartnerBarcode

# Item events of the UPU-style exchange carry UPU event codes (EMA, EMC, EDA, ...); a post's
# own additions are translated by its profile (``event_codes``).
TRACKING_CODE_SCHEME = "upu"


class UpuAdapter:
    number_scheme = None
    all_number_schemes = ()
    tracking_code_scheme = TRACKING_CODE_SCHEME

    def __init__(self, profile: PostProfile) -> None:
        self.profile = profile
        self.partner = profile.partner
        self.capabilities: frozenset[Capability] = profile.capabilities

    def number_scheme_for(self, last_mile_service: str) -> None:
        return None

    def label_barcode(self, partner_number: str, *, postal_code: str) -> PartnerBarcode | None:
        return None

    # A profiled post is reached through the UPU-style exchange alone: its events come from
    # the exchange's feed, and it registers no labels.
    def tracking_numbers_per_pull(self, apis: PartnerApis) -> int | None:
        return None

    def pull_tracking(self, apis: PartnerApis, numbers: Sequence[str]) -> TrackingPull:
        raise PartnerRejected(f"{self.partner} is tracked through the exchange's event feed")

    def register_label(
        self,
        apis: PartnerApis,
        parcel: LabelParcel,
        registration: LabelRegistration,
        *,
        mailing_date: date,
    ) -> str:
        raise PartnerRejected(f"{self.partner} has label_registration but registers no labels")

    def subscribe_tracking(self, apis: PartnerApis, *, listener_url: str) -> str:
        raise PartnerRejected(f"{self.partner} is tracked through the exchange's event feed")

    def receive_tracking_push(
        self, body: bytes, headers: Mapping[str, str]
    ) -> tuple[PartnerScan, ...]:
        raise PartnerRejected(f"{self.partner} pushes no tracking notifications")


def upu_adapters(
    profiles: dict[str, PostProfile] | None = None,
) -> tuple[list[UpuAdapter], UpuAdapter]:
    """One adapter per profiled post (default: the shipped profiles), and the default profile's
    adapter for every other post."""
    loaded = load_profiles() if profiles is None else profiles
    adapters = [UpuAdapter(p) for code, p in sorted(loaded.items()) if code != DEFAULT_PARTNER]
    return adapters, UpuAdapter(loaded[DEFAULT_PARTNER])
