"""POST /v1/rates: each product's best option (or every option) with its price, delivery
promise and route."""

from __future__ import annotations

import orjson
from fastapi import APIRouter
from fastapi.responses import Response

from postbridge.api.deps import PlatformDep, PrincipalDep
from postbridge.api.offload import run_blocking
from postbridge.api.routes.shipments import PROBLEM_RESPONSES
from postbridge.bootstrap import Platform
from postbridge.errors import InvalidInput
from postbridge.kit.clock import utc_now
from postbridge.kit.countries import UnknownCountry, normalize_country
from postbridge.kit.measures import Dimensions
from postbridge.kit.money import Money, MoneyError
from postbridge.quotes.schemas import RatesRequest, RatesResponse
from postbridge.quotes.service import RateRequest

router = APIRouter(tags=["rates"])


@router.post(
    "/rates",
    response_model=RatesResponse,
    summary="Quote each product's price, delivery promise and route for a parcel",
    responses=PROBLEM_RESPONSES,
)
async def rates(body: RatesRequest, platform: PlatformDep, _: PrincipalDep) -> Response:
    # Quoting is CPU work (remembered options make it cheap, a new search costs ~1 ms): it runs
    # in the API's thread pool (api.offload, cheaper than a plain def's hop), never on the loop.
    return await run_blocking(_rates, body, platform)


def _rates(body: RatesRequest, platform: Platform) -> Response:
    # The options are already plain JSON in the RatesResponse shape (tests validate them
    # against it), so orjson renders them without a second pass through the response model.
    request = RateRequest(
        origin_country=_country(body.origin.country, "origin.country"),
        origin_postal_code=body.origin.postal_code,
        destination_country=_country(body.destination.country, "destination.country"),
        destination_postal_code=body.destination.postal_code,
        weight_g=body.parcel.weight_g,
        dimensions=Dimensions(body.parcel.length_mm, body.parcel.width_mm, body.parcel.height_mm),
        declared_value=_value(body),
        incoterm=body.incoterm,
        alternatives=body.alternatives,
    )
    options = platform.quoter.rates(request, now=utc_now())
    document = {"options": [option.to_json() for option in options]}
    return Response(orjson.dumps(document), media_type="application/json")


def _country(value: str, field: str) -> str:
    try:
        return normalize_country(value)
    except UnknownCountry as exc:
        raise InvalidInput.for_field(field, str(exc)) from exc


def _value(body: RatesRequest) -> Money:
    try:
        return body.declared_value.to_money()
    except MoneyError as exc:
        raise InvalidInput.for_field("declared_value.amount", str(exc)) from exc
