"""Duties and taxes as route planning needs them: what a duties-paid product adds to its
price for a basket, and the one declared line a rate request stands for."""

from __future__ import annotations

from datetime import date
from typing import Any

from postbridge.customs import CustomsItem, EstimateStatus, Incoterm, estimate_duties_and_taxes
from postbridge.kit.money import Money

_DUTY_MEMO_LIMIT = 16_384
# (id(items), destination, date, origin) -> (items, total or None)
_ddp_duties: dict[tuple[Any, ...], tuple[object, Money | None]] = {}


def ddp_duty_total(
    destination: str, items: tuple[CustomsItem, ...], on_date: date, origin: str
) -> Money | None:
    """What a duties-paid product adds to its price for this basket, or None when the estimate
    is not complete. Pure and memoised: the same baskets ship all day. Bookings pass the
    validated (memoised) declaration's items, so the memo keys on the tuple's identity and
    holds the tuple, which keeps that identity its own."""
    key = (id(items), destination, on_date, origin)
    found = _ddp_duties.get(key)
    if found is not None and found[0] is items:
        return found[1]
    result = estimate_duties_and_taxes(
        destination_country=destination, items=items, shipping_cost=None,
        incoterm=Incoterm.DDP, on_date=on_date, origin_country=origin,
    )  # fmt: skip
    total = result.total if result.status is EstimateStatus.COMPLETE else None
    if len(_ddp_duties) >= _DUTY_MEMO_LIMIT:
        _ddp_duties.clear()
    _ddp_duties[key] = (items, total)
    return total


def declared_goods(value: Money, weight_g: int, origin: str) -> tuple[CustomsItem, ...]:
    """A rate request declares only a value: one line of goods, HS chapter unknown (999999)."""
    return (CustomsItem("declared goods", 1, value, "999999", origin, max(weight_g, 1)),)
