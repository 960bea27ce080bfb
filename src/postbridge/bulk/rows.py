"""Bulk capture, worker side: a chunk's good parcels as encoded shipment rows.

Rows hold everything ``pricing.shipment_row`` gives, in SHIPMENT_COLUMNS order, with JSON
already encoded and shared documents (routes, duty estimates) named by digest; the writer only
adds tracking numbers and booking times (see bulk_pipeline and batches).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import Any

from postbridge.customs import DutyEstimate
from postbridge.kit.memo import MISSING, IdentityMemo
from postbridge.numbering.allocator import numbering_config
from postbridge.quotes.route_document import RouteDocument
from postbridge.shipments.capture import ValidShipment
from postbridge.shipments.documents import address_document, customs_document
from postbridge.shipments.lifecycle import ShipmentStatus
from postbridge.shipments.pricing import Priced
from postbridge.shipments.repository import SHIPMENT_COLUMNS, EncodedDocument, encode_document

_in_column_order = itemgetter(*SHIPMENT_COLUMNS)


@dataclass(frozen=True, slots=True)
class NumberRequest:
    """Which tracking numbers a prepared row needs: an S10 of (partner, indicator), and a
    partner number of ``partner_scheme`` when its last mile numbers parcels itself."""

    partner: str
    service_indicator: str
    partner_scheme: str | None


def number_request(shipment: ValidShipment, priced: Priced) -> NumberRequest:
    planned = priced.planned
    indicator = (planned.service_indicator if planned else None) or numbering_config(
    ).indicator_for(shipment.service)  # fmt: skip
    return _interned_request(
        planned.partner if planned else "*",
        indicator,
        planned.partner_scheme if planned else None,
    )


@lru_cache(maxsize=1024)
def _interned_request(
    partner: str, service_indicator: str, partner_scheme: str | None
) -> NumberRequest:
    """One object per distinct request: a chunk's thousand requests then pickle as a handful
    of objects and references to them (unpickling a dataclass per row cost the writer ~5 %)."""
    return NumberRequest(partner, service_indicator, partner_scheme)


# Senders and declarations, a few hundred per file: their JSON text.
_json_memo: IdentityMemo[str] = IdentityMemo(limit=4096)
# Routes and duty estimates, tens of thousands per file: only their digest (the text is needed
# once per run, for the chunk that sends it).
_digest_memo: IdentityMemo[str] = IdentityMemo(limit=65_536)
_SENT_LIMIT = 100_000
# (run id, digests sent with an earlier chunk of that run by this process)
_sent: tuple[str, set[str]] = ("", set())


class RowBuilder:
    """Builds encoded rows with the values ``pricing.shipment_row`` gives.

    Documents that repeat are encoded once: a sender, a declaration, a route and a duty
    estimate come back as the same memoised objects row after row, so they are remembered by
    identity (holding the object, so that its id stays its own). A route or duty estimate is
    sent to the writer with the first chunk of the run that names it, and named by digest after.
    """

    def __init__(self, merchant_id: str, batch_id: str, run_id: str) -> None:
        global _sent
        self.merchant_id, self.batch_id = merchant_id, batch_id
        self.documents: list[EncodedDocument] = []
        if _sent[0] != run_id or len(_sent[1]) > _SENT_LIMIT:
            _sent = (run_id, set())
        self._sent = _sent[1]

    def _json(self, value: Any, document: Callable[[Any], Any]) -> str:
        found = _json_memo.get(value)
        if found is not MISSING:
            return found
        return _json_memo.put(value, None, encode_document(document(value)))

    def _shared(self, kind: str, value: RouteDocument | DutyEstimate) -> str:
        """The digest naming ``value``'s stored text; its JSON is built once per object."""
        digest = _digest_memo.get(value)
        if digest is not MISSING and digest in self._sent:
            return digest
        encoded = EncodedDocument.of(kind, value.to_json())
        _digest_memo.put(value, None, encoded.digest)
        if encoded.digest not in self._sent:
            self._sent.add(encoded.digest)
            self.documents.append(encoded)
        return encoded.digest

    def row(
        self, shipment_id: str, batch_row: int, shipment: ValidShipment, priced: Priced
    ) -> list[Any]:
        planned = priced.planned
        values = {
            "id": shipment_id,
            "merchant_id": self.merchant_id,
            "reference": shipment.reference,
            "status": ShipmentStatus.BOOKED.value,
            "service": shipment.service,
            "incoterm": shipment.incoterm,
            "tracking_number": None,
            "partner_tracking_number": None,
            "origin_country": shipment.sender.country,
            "destination_country": shipment.recipient.country,
            "destination_postal_code": shipment.recipient.postal_code,
            "sender": self._json(shipment.sender, address_document),
            "recipient": encode_document(address_document(shipment.recipient)),
            "weight_g": shipment.weight_g,
            "length_mm": shipment.length_mm,
            "width_mm": shipment.width_mm,
            "height_mm": shipment.height_mm,
            "customs": self._json(shipment.declaration, lambda _: customs_document(shipment)),
            "customs_form": shipment.form.value,
            "duties_digest": self._shared("duties", priced.duties),
            "product": planned.product if planned else None,
            "partner": planned.partner if planned else None,
            "route_digest": self._shared("route", planned.route) if planned else None,
            "price_minor": planned.price.minor if planned else None,
            "price_currency": planned.price.currency if planned else None,
            "promised_p50": planned.promise_p50 if planned else None,
            "promised_p90": planned.promise_p90 if planned else None,
            "batch_id": self.batch_id,
            "batch_row": batch_row,
            # Filled in by the writer (``fill_booking_times``): one datetime per row costs more
            # to send between processes than the rest of the row's scalars together.
            "created_at": None,
            "updated_at": None,
        }
        return list(_in_column_order(values))
