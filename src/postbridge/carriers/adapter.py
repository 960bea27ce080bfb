"""What a last-mile partner adapter is: the capabilities it declares and the calls the core makes.

The core (quotes, booking, bulk capture, labels) asks a partner only through this protocol, by
the partner's network code, so a post is added by configuring an adapter, never by editing the
core. Today an adapter answers two questions: which number of its own a parcel needs (a
``PartnerNumberScheme``, allocated next to the S10) and what the label prints for it (a
``PartnerBarcode`` block). The other capabilities are declared now so that the registry can be
asked about them; the calls that serve them arrive with the partner integration.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from postbridge.labels import PartnerBarcode


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

    def label_barcode(self, partner_number: str, *, postal_code: str) -> PartnerBarcode | None:
        """The label block for a parcel that carries ``partner_number``; None: no block."""
        ...

    @property
    def tracking_code_scheme(self) -> str:
        """The code table its scan events are read with (``tracking/data/code_tables``)."""
        ...
