"""The partners of a platform: one adapter per network partner code, and a default for the rest.

Built once by the composition root from configuration (``bootstrap.partner_registry``) and
handed to the quoter, the number allocator and label production, which ask it by partner code.
"""

from __future__ import annotations

from collections.abc import Iterable

from postbridge.carriers.adapter import Capability, PartnerAdapter, PartnerNumberScheme
from postbridge.labels import PartnerBarcode


class PartnerRegistry:
    def __init__(self, adapters: Iterable[PartnerAdapter], *, default: PartnerAdapter) -> None:
        """``default`` serves every partner code no adapter names (posts that need only the
        S10 and the UPU exchanges)."""
        self._adapters: dict[str, PartnerAdapter] = {}
        for adapter in adapters:
            if adapter.partner in self._adapters:
                raise ValueError(f"two adapters serve partner {adapter.partner!r}")
            self._adapters[adapter.partner] = adapter
        self._default = default
        self._schemes: dict[str, PartnerNumberScheme] = {}
        for adapter in (*self._adapters.values(), default):
            for scheme in adapter.all_number_schemes:
                known = self._schemes.setdefault(scheme.name, scheme)
                if known.counter != scheme.counter:
                    raise ValueError(f"partner number scheme {scheme.name!r} has two counters")

    def adapter(self, partner: str) -> PartnerAdapter:
        return self._adapters.get(partner, self._default)

    @property
    def partners(self) -> tuple[str, ...]:
        """The partner codes with an adapter of their own (the default serves the others)."""
        return tuple(sorted(self._adapters))

    def code_scheme(self, partner: str) -> str:
        """The code table a partner's scan events are read with (the default post's for a
        partner without an adapter of its own)."""
        return self.adapter(partner.strip().upper()).tracking_code_scheme

    def supports(self, partner: str, capability: Capability) -> bool:
        return capability in self.adapter(partner).capabilities

    def number_scheme(
        self, partner: str, last_mile_service: str | None = None
    ) -> PartnerNumberScheme | None:
        """The partner's scheme for a product of ``last_mile_service`` (its default scheme
        without one)."""
        adapter = self.adapter(partner)
        if last_mile_service is None:
            return adapter.number_scheme
        return adapter.number_scheme_for(last_mile_service)

    def number_schemes(self) -> dict[str, PartnerNumberScheme]:
        """Every scheme by name: what the number allocator issues from."""
        return dict(self._schemes)

    def label_barcode(
        self, partner: str, partner_number: str, *, postal_code: str
    ) -> PartnerBarcode | None:
        return self.adapter(partner).label_barcode(partner_number, postal_code=postal_code)
