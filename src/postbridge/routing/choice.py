"""Which quoted option a booking uses for a requested service."""

from __future__ import annotations

from datetime import date

from postbridge.kit.money import Money
from postbridge.network.model import ServiceLevel
from postbridge.routing.errors import NoServiceAvailable
from postbridge.routing.quote import QuoteOption


def choose(options: list[QuoteOption], service: str) -> QuoteOption:
    """The option a booking uses for ``service``: a service level or a product code.

    * premium: the earliest p50 date (then p90, then lowest price);
    * standard and economy: the lowest total price among options whose p90 date meets the
      product's promise (then earliest p90, p50); if none meets it, the earliest p50 date;
    * a product code: that product's options, with the rule of its service level.

    Prices compare as ``Money``: the products of one service level share a currency (the
    network loader refuses otherwise), and two currencies would raise ``MoneyError`` rather
    than compare their minor units.
    """
    wanted = service.strip()
    level = next((s for s in ServiceLevel if s.value == wanted.lower()), None)
    if level is not None:
        candidates = [o for o in options if o.service is level]
    else:
        candidates = [o for o in options if o.product.casefold() == wanted.casefold()]
        level = candidates[0].service if candidates else None
    if not candidates or level is None:
        raise NoServiceAvailable(f"no option for service {service!r}", service=service)
    if level is ServiceLevel.PREMIUM:
        return min(candidates, key=_fastest_key)
    on_time = [o for o in candidates if o.within_promise]
    if not on_time:
        return min(candidates, key=_fastest_key)
    return min(on_time, key=lambda o: (o.price.total, o.promise.p90, o.promise.p50, o.product))


def _fastest_key(option: QuoteOption) -> tuple[date, date, Money, str]:
    return (option.promise.p50, option.promise.p90, option.price.total, option.product)
