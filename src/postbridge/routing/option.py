"""A quote's option: one (product, injection point) with its price, promise and route."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from postbridge.kit.money import Money
from postbridge.network.model import Incoterm, ServiceLevel
from postbridge.routing.journey import PlannedLeg
from postbridge.routing.pricing import PriceBreakdown
from postbridge.routing.promise import Promise


@dataclass(frozen=True, slots=True)
class QuoteOption:
    product: str
    product_name: str
    service: ServiceLevel
    partner: str
    injection_point: str
    incoterm: Incoterm
    price: PriceBreakdown
    promise: Promise
    promised_by: date  # the product's promise as a date in the recipient's zone
    within_promise: bool  # the p90 date is no later than promised_by
    route: tuple[PlannedLeg, ...]
    linehaul_cost: Money  # what the legs cost us, not part of the price

    def to_json(self) -> dict[str, object]:
        return {
            "product": self.product,
            "product_name": self.product_name,
            "service": self.service.value,
            "partner": self.partner,
            "injection_point": self.injection_point,
            "incoterm": self.incoterm.value,
            "price": self.price.to_json(),
            "promise": {
                **self.promise.to_json(),
                "promised_by": self.promised_by.isoformat(),
                "within_promise": self.within_promise,
            },
            "route": [leg.to_json() for leg in self.route],
        }


__all__ = ["QuoteOption"]
