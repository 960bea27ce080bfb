"""Duties and taxes as route planning needs them: what a duties-paid (DDP) price adds to the
transport price of a basket, and the one declared line a rate request stands for.

DDP means the merchant pays every import charge: we remit them at import and invoice them with
the transport, so the buyer pays nothing at the door. Any product can be sold DDP; a product
whose incoterm is DDP (a commercial import, cleared by our broker) is sold only DDP. The charges
are estimated on the goods and the transport price (the customs value of most destinations
includes the carriage), exactly as the booked shipment's stored estimate is, so the price and
the estimate agree to the cent. A DDP price is only given on a complete estimate: on a partial
one it would tell the merchant it pays less than it will.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from postbridge.customs import (
    CustomsItem,
    DutyEstimate,
    EstimateStatus,
    Incoterm,
    estimate_duties_and_taxes,
)
from postbridge.customs.fx import convert
from postbridge.errors import InvalidInput
from postbridge.kit.memo import MISSING, IdentityMemo
from postbridge.kit.money import Money

# Keyed on the basket's identity (see kit.memo) and (destination, transport, date, origin).
_estimates: IdentityMemo[DutyEstimate] = IdentityMemo(limit=16_384)


@dataclass(frozen=True, slots=True)
class DdpCharges:
    """What a DDP price adds: the estimate's total in the product's currency, or why not."""

    amount: Money | None  # None: the estimate is not complete, DDP cannot be priced
    estimate: DutyEstimate

    @property
    def refusal(self) -> str:
        """Why DDP cannot be priced (for the problem the API answers)."""
        rule = self.estimate.rules[0].summary if self.estimate.rules else self.estimate.note
        return (
            f"import charges to {self.estimate.destination_country} on "
            f"{self.estimate.on_date.isoformat()} cannot be estimated completely ({rule}); a "
            "duties-paid price would understate what the merchant pays: quote or book DDU"
        )


def ddp_charges(
    destination: str,
    items: tuple[CustomsItem, ...],
    transport: Money,
    on_date: date,
    origin: str,
) -> DdpCharges:
    """The import charges the merchant pays on a DDP parcel whose transport costs ``transport``,
    in the transport's currency. Memoised: bookings pass the validated (memoised) declaration's
    items, and the same baskets ship all day at the same few prices."""
    key = (destination, transport.currency, transport.minor, on_date, origin)
    estimate = _estimates.get(items, key)
    if estimate is MISSING:
        estimate = _estimates.put(
            items,
            key,
            estimate_duties_and_taxes(
                destination_country=destination,
                items=items,
                shipping_cost=transport,
                incoterm=Incoterm.DDP,
                on_date=on_date,
                origin_country=origin,
            ),  # fmt: skip
        )
    if estimate.status is not EstimateStatus.COMPLETE:
        return DdpCharges(None, estimate)
    total = estimate.total
    if total.currency != transport.currency:
        total = convert(total, transport.currency, on_date)[0]
    return DdpCharges(total, estimate)


def ddp_amount_or_refuse(charges: DdpCharges, *, field: str = "incoterm") -> Money:
    if charges.amount is None:
        raise InvalidInput.for_field(
            field, charges.refusal, code="not_estimable", error_code="duties_not_estimable"
        )
    return charges.amount


def declared_goods(value: Money, weight_g: int, origin: str) -> tuple[CustomsItem, ...]:
    """A rate request declares only a value: one line of goods, HS chapter unknown (999999)."""
    return (CustomsItem("declared goods", 1, value, "999999", origin, max(weight_g, 1)),)
