"""Prices of a product for one parcel, in integer minor units of the product's currency.

* chargeable weight = max(actual weight, volumetric weight with the product's divisor);
* base = band price of the actual weight in the destination's zone;
* volumetric = band price of the chargeable weight minus base (zero for dense parcels);
* fuel = fuel surcharge percent of (base + volumetric), rounded half-even to the minor unit;
* duties and taxes: only for DDP products, the estimate passed in by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from postbridge.kit.measures import Dimensions
from postbridge.kit.money import Money, divide_half_even
from postbridge.network.model import PriceBand, Product
from postbridge.routing.promise import postal_region_key


@dataclass(frozen=True, slots=True)
class PriceBreakdown:
    base: Money
    volumetric: Money
    fuel: Money
    duties_and_taxes: Money | None
    total: Money
    zone: str
    chargeable_weight_g: int

    def to_json(self) -> dict[str, object]:
        return {
            "total": self.total.to_json(),
            "base": self.base.to_json(),
            "volumetric": self.volumetric.to_json(),
            "fuel": self.fuel.to_json(),
            "duties_and_taxes": (
                self.duties_and_taxes.to_json() if self.duties_and_taxes is not None else None
            ),
            "zone": self.zone,
            "chargeable_weight_g": self.chargeable_weight_g,
        }


def price_zone(product: Product, country: str, postal_code: str) -> str | None:
    """The zone of ``COUNTRY:prefix`` with the longest matching prefix, else of ``COUNTRY``."""
    key = postal_region_key(postal_code)
    for length in range(len(key), 0, -1):
        zone = product.zones.get(f"{country}:{key[:length]}")
        if zone is not None:
            return zone
    return product.zones.get(country)


def band_price(bands: tuple[PriceBand, ...], grams: int) -> int | None:
    for band in bands:
        if grams <= band.up_to_g:
            return band.price_minor
    return None


def chargeable_weight(product: Product, weight_g: int, dimensions: Dimensions) -> int:
    return max(weight_g, dimensions.volumetric_weight_g(product.volumetric_divisor))


def price_parcel(
    product: Product,
    *,
    zone: str,
    weight_g: int,
    dimensions: Dimensions,
    duties: Money | None,
) -> PriceBreakdown | None:
    """The price breakdown, or ``None`` when the parcel is beyond the product's last band."""
    bands = product.prices.get(zone)
    if bands is None:
        return None
    chargeable = chargeable_weight(product, weight_g, dimensions)
    base_minor = band_price(bands, weight_g)
    charged_minor = band_price(bands, chargeable)
    if base_minor is None or charged_minor is None:
        return None
    currency = product.currency
    base = Money(currency, base_minor)
    volumetric = Money(currency, charged_minor - base_minor)
    fuel = (base + volumetric).times(_fuel_rate(product.fuel_surcharge_percent))
    total = base + volumetric + fuel
    if duties is not None:
        total = total + duties
    return PriceBreakdown(
        base=base,
        volumetric=volumetric,
        fuel=fuel,
        duties_and_taxes=duties,
        total=total,
        zone=zone,
        chargeable_weight_g=chargeable,
    )


def price_total(
    product: Product,
    *,
    zone: str,
    weight_g: int,
    dimensions: Dimensions,
    duties: Money | None,
) -> Money | None:
    """``price_parcel(...).total`` in integers, without the breakdown: bulk booking prices
    every parcel and needs only the total."""
    bands = product.prices.get(zone)
    if bands is None:
        return None
    base_minor = band_price(bands, weight_g)
    charged_minor = band_price(bands, chargeable_weight(product, weight_g, dimensions))
    if base_minor is None or charged_minor is None:
        return None
    # base + volumetric is the band price of the chargeable weight; the fuel surcharge rounds
    # as Money.times does.
    numerator, denominator = _fuel_ratio(product.fuel_surcharge_percent)
    total_minor = charged_minor + divide_half_even(charged_minor * numerator, denominator)
    if duties is not None:
        return Money(product.currency, total_minor) + duties
    return Money(product.currency, total_minor)


@lru_cache(maxsize=256)
def _fuel_rate(percent: Decimal) -> Decimal:
    return percent / Decimal(100)


@lru_cache(maxsize=256)
def _fuel_ratio(percent: Decimal) -> tuple[int, int]:
    return _fuel_rate(percent).as_integer_ratio()
