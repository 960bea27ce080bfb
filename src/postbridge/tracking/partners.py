"""Which code table reads a partner's events: a small table kept in tracking.

The partner seam (``postbridge.carriers``) does not say yet which event-code scheme a partner
speaks (its adapters declare numbers and label blocks only), so the lookup lives here until
an adapter can answer it. USPS sends its own Pub 199 scan codes; every other post exchanges
UPU EMSEVT item events, so that is the default rather than an error: an unknown partner's
events are still read, and a code outside the UPU table is counted as unmapped.
"""

from __future__ import annotations

DEFAULT_SCHEME = "upu"
PARTNER_SCHEMES = {"usps": "usps"}


def code_scheme_for(partner: str) -> str:
    """The code scheme of a partner code (any case: ``USPS`` and ``usps`` are one partner)."""
    return PARTNER_SCHEMES.get(partner.strip().lower(), DEFAULT_SCHEME)
