"""API shapes of POST /v1/rates."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from postbridge.kit.schemas import Line, MoneyIn, MoneyOut, StrictModel


class PlaceIn(StrictModel):
    country: Annotated[Line, Field(min_length=2, max_length=60, examples=["CN"])]
    # Optional where the country's posts use none (Chile, Colombia may be left out): the
    # country's rules decide, and a missing one they require is a problem naming the field.
    postal_code: Annotated[Line, Field(max_length=20, examples=["518057"])] = ""


class ParcelSizeIn(StrictModel):
    weight_g: Annotated[StrictInt, Field(gt=0, le=70_000)]
    length_mm: Annotated[StrictInt, Field(gt=0, le=3_000)]
    width_mm: Annotated[StrictInt, Field(gt=0, le=3_000)]
    height_mm: Annotated[StrictInt, Field(gt=0, le=3_000)]


class RatesRequest(StrictModel):
    origin: PlaceIn
    destination: PlaceIn
    parcel: ParcelSizeIn
    declared_value: MoneyIn
    incoterm: Literal["DDU", "DDP"] = Field(
        default="DDU",
        description=(
            "DDP: every product sold duties paid, its total including the import charges the "
            "merchant pays (nothing is due from the buyer); refused with "
            "`duties_not_estimable` when the destination's charges cannot be estimated."
        ),
    )
    alternatives: StrictBool = Field(
        default=False,
        description="true: every option (each product through each injection point); "
        "false: each product's best option.",
    )


class ClosedModel(BaseModel):
    """A response shape that lists every field it carries (no undeclared extras)."""

    model_config = ConfigDict(extra="forbid")


class PriceOut(ClosedModel):
    total: MoneyOut
    base: MoneyOut
    volumetric: MoneyOut = Field(description="Surcharge for volumetric over actual weight.")
    fuel: MoneyOut
    duties_and_taxes: MoneyOut | None = Field(
        description="Duties-paid (DDP) products: the estimate included in total; else null."
    )
    zone: str
    chargeable_weight_g: int


class PromiseOut(ClosedModel):
    p50: date = Field(description="Median delivery date in the recipient's time zone.")
    p90: date = Field(description="Delivery date met nine times in ten.")
    time_zone: str = Field(examples=["America/Chicago"])
    handover_p50: datetime = Field(description="Hand-over to the last-mile partner (UTC).")
    handover_p90: datetime
    transit_days_p50: int
    transit_days_p90: int
    promised_by: date = Field(description="The product's promise as a date.")
    within_promise: bool = Field(description="p90 is no later than promised_by.")


class RouteLegOut(ClosedModel):
    model_config = ConfigDict(populate_by_name=True)

    leg: str = Field(examples=["HKG-HUB>LAX-ISC"])
    from_: str = Field(alias="from")
    to: str
    mode: str = Field(examples=["air"])
    operator: str
    latest_dropoff: datetime
    departs: datetime
    departs_local: datetime
    departs_time_zone: str
    arrives: datetime
    arrives_local: datetime
    arrives_time_zone: str
    ready: datetime = Field(description="When the parcel is sorted and ready for the next leg.")


class RateOptionOut(ClosedModel):
    product: str = Field(examples=["CN-US-PREMIUM"])
    product_name: str
    service: str = Field(description="premium, standard or economy.")
    partner: str
    injection_point: str
    incoterm: Literal["DDU", "DDP"]
    price: PriceOut
    promise: PromiseOut
    route: list[RouteLegOut] = Field(description="Legs with planned UTC and local times.")


class RatesResponse(ClosedModel):
    options: list[RateOptionOut] = Field(
        description="Each product's best option (every option with `alternatives`), earliest "
        "p50 first."
    )
