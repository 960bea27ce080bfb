"""What a booking asks of route planning, and what it gets back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from postbridge.customs import CustomsItem
from postbridge.kit.money import Money
from postbridge.kit.terms import Incoterm
from postbridge.quotes.route_document import RouteDocument


@dataclass(frozen=True, slots=True)
class PlanRequest:
    origin_country: str
    origin_postal_code: str
    destination_country: str
    destination_postal_code: str
    weight_g: int
    length_mm: int
    width_mm: int
    height_mm: int
    declared_value: Money
    service: str
    incoterm: Incoterm
    booked_at: datetime
    items: tuple[CustomsItem, ...] = ()  # for duties-paid products, whose price includes duties


@dataclass(frozen=True, slots=True)
class PlannedRoute:
    product: str
    partner: str
    price: Money
    promise_p50: date
    promise_p90: date
    route: RouteDocument  # legs with planned UTC and local times, office of exchange, sort code
    service_indicator: str | None = None  # S10 indicator the product mandates, if any
    # The partner number scheme of the last mile (carriers registry), allocated next to the
    # S10 and printed in the partner's label block; None: the S10 alone.
    partner_scheme: str | None = None
    # The duties and taxes inside ``price`` (duties-paid products): the rest is transport.
    duties_included: Money | None = None

    @property
    def transport_price(self) -> Money:
        return self.price - self.duties_included if self.duties_included else self.price
