"""Duties and taxes as route planning needs them: what a duties-paid product adds to its
price for a basket, and the one declared line a rate request stands for."""

from __future__ import annotations

from datetime import date

from postbridge.customs import CustomsItem, EstimateStatus, Incoterm, estimate_duties_and_taxes
from postbridge.kit.memo import MISSING, IdentityMemo
from postbridge.kit.money import Money

# Keyed on the basket's identity (see kit.memo) and (destination, date, origin).
_ddp_totals: IdentityMemo[Money | None] = IdentityMemo(limit=16_384)


def ddp_duty_total(
    destination: str, items: tuple[CustomsItem, ...], on_date: date, origin: str
) -> Money | None:
    """What a duties-paid product adds to its price for this basket, or None when the estimate
    is not complete (a duties-paid price on a partial estimate would mislead). Memoised:
    bookings pass the validated (memoised) declaration's items, and the same baskets ship all
    day. Rate requests, whose one declared line is new each time, use ``ddp_duty_estimate``."""
    key = (destination, on_date, origin)
    found = _ddp_totals.get(items, key)
    if found is not MISSING:
        return found
    return _ddp_totals.put(items, key, ddp_duty_estimate(destination, items, on_date, origin))


def ddp_duty_estimate(
    destination: str, items: tuple[CustomsItem, ...], on_date: date, origin: str
) -> Money | None:
    result = estimate_duties_and_taxes(
        destination_country=destination, items=items, shipping_cost=None,
        incoterm=Incoterm.DDP, on_date=on_date, origin_country=origin,
    )  # fmt: skip
    return result.total if result.status is EstimateStatus.COMPLETE else None


def declared_goods(value: Money, weight_g: int, origin: str) -> tuple[CustomsItem, ...]:
    """A rate request declares only a value: one line of goods, HS chapter unknown (999999)."""
    return (CustomsItem("declared goods", 1, value, "999999", origin, max(weight_g, 1)),)
