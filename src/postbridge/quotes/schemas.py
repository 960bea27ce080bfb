"""API shapes of POST /v1/rates."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from postbridge.kit.schemas import MoneyIn, StrictModel


class PlaceIn(StrictModel):
    country: Annotated[str, Field(min_length=2, max_length=60, examples=["CN"])]
    postal_code: Annotated[str, Field(min_length=1, max_length=20, examples=["518057"])]


class ParcelSizeIn(StrictModel):
    weight_g: Annotated[int, Field(gt=0, le=70_000)]
    length_mm: Annotated[int, Field(gt=0, le=3_000)]
    width_mm: Annotated[int, Field(gt=0, le=3_000)]
    height_mm: Annotated[int, Field(gt=0, le=3_000)]


class RatesRequest(StrictModel):
    origin: PlaceIn
    destination: PlaceIn
    parcel: ParcelSizeIn
    declared_value: MoneyIn
    incoterm: Literal["DDU", "DDP"] = "DDU"


class RatesResponse(BaseModel):
    options: list[dict[str, Any]] = Field(
        description=(
            "Every feasible option, earliest p50 first: product, partner, price (total and "
            "breakdown: base, volumetric, fuel, duties_and_taxes for DDP), promise (p50 and p90 "
            "dates in the recipient's time zone) and route (legs with planned UTC and local times)."
        )
    )
