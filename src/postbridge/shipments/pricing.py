"""Route, price and duties for a validated shipment: shared by single and bulk booking."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from postbridge.customs import CustomsItem, DutyEstimate, Incoterm, estimate_duties_and_taxes
from postbridge.kit.memo import MISSING, IdentityMemo
from postbridge.kit.money import Money
from postbridge.numbering.allocator import numbering_config
from postbridge.shipments.capture import ValidShipment
from postbridge.shipments.ports import PlannedRoute, PlanRequest, RoutePlanner


@dataclass(frozen=True, slots=True)
class Priced:
    planned: PlannedRoute | None
    duties: DutyEstimate  # stored as its document (DutyEstimate.to_json, version 1)


# Keyed on the basket's identity (see kit.memo) and (destination, cost, incoterm, date, origin).
_estimates: IdentityMemo[DutyEstimate] = IdentityMemo(limit=16_384)


def _estimate(
    destination: str,
    items: tuple[CustomsItem, ...],
    shipping_cost: Money | None,
    incoterm: Incoterm,
    on_date: date,
    origin: str,
) -> DutyEstimate:
    """The estimate is a pure function of its inputs; marketplaces ship the same baskets of
    SKUs to the same countries all day, so a bulk file hits this memo most of the time
    (validated declarations are memoised, so a repeated basket is the same tuple)."""
    cost = (shipping_cost.minor, shipping_cost.currency) if shipping_cost else None
    key = (destination, cost, incoterm, on_date, origin)
    found = _estimates.get(items, key)
    if found is not MISSING:
        return found
    estimate = estimate_duties_and_taxes(
        destination_country=destination,
        items=items,
        shipping_cost=shipping_cost,
        incoterm=incoterm,
        on_date=on_date,
        origin_country=origin,
    )
    return _estimates.put(items, key, estimate)


def plan_and_price(
    valid: ValidShipment, *, planner: RoutePlanner | None, booked_at: datetime
) -> Priced:
    planned = None
    if planner is not None:
        planned = planner.plan(
            PlanRequest(
                origin_country=valid.sender.country,
                origin_postal_code=valid.sender.postal_code,
                destination_country=valid.recipient.country,
                destination_postal_code=valid.recipient.postal_code,
                weight_g=valid.weight_g,
                length_mm=valid.length_mm,
                width_mm=valid.width_mm,
                height_mm=valid.height_mm,
                declared_value=valid.declared_value,
                service=valid.service,
                incoterm=Incoterm(valid.incoterm),
                booked_at=booked_at,
                items=valid.declaration.items,
            )
        )
        if planned.service_indicator is None:
            # The S10 indicator follows the product's service level, however the service was
            # asked for: "CN-US-PREMIUM" numbers like "premium".
            indicator = numbering_config().indicator_for(planned.route.service.value)
            planned = replace(planned, service_indicator=indicator)
    duties = _estimate(
        valid.recipient.country,
        valid.declaration.items,
        planned.transport_price if planned else None,
        Incoterm(valid.incoterm),
        booked_at.date(),
        valid.sender.country,
    )
    return Priced(planned=planned, duties=duties)
