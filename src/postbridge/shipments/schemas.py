"""API shapes for shipments (pydantic). Shape errors come from here, business rules do not."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StrictInt

from postbridge.kit.schemas import FreeText, Line, MoneyIn, MoneyOut, StrictModel

# Every text field refuses control characters (StrictModel); integers are JSON integers, not
# booleans, floats or strings (StrictInt); amounts are plain decimal strings (MoneyIn).
Text = Annotated[Line, Field(max_length=200)]


class AddressIn(StrictModel):
    name: Text | None = None
    company: Text | None = None
    street_lines: Annotated[list[Text], Field(max_length=4)] = []
    city: Text | None = None
    region: Text | None = Field(None, description='State/province: code or name ("TX", "Texas").')
    postal_code: Annotated[Line, Field(max_length=20)] | None = None
    country: Annotated[Line, Field(max_length=60, description="ISO 3166-1 alpha-2.")]
    phone: Annotated[Line, Field(max_length=40)] | None = None
    email: Annotated[Line, Field(max_length=254)] | None = None
    tax_id: Annotated[Line, Field(max_length=40)] | None = Field(
        None,
        description="Recipient tax id where the destination's customs asks (Brazil: CPF/CNPJ).",
    )


class ParcelIn(StrictModel):
    weight_g: Annotated[StrictInt, Field(gt=0, le=70_000)]
    length_mm: Annotated[StrictInt, Field(gt=0, le=3_000)]
    width_mm: Annotated[StrictInt, Field(gt=0, le=3_000)]
    height_mm: Annotated[StrictInt, Field(gt=0, le=3_000)]


class CustomsItemIn(StrictModel):
    description: Annotated[Line, Field(min_length=1, max_length=200)]
    quantity: Annotated[StrictInt, Field(ge=1, le=100_000)]
    unit_value: MoneyIn
    hs_code: Annotated[Line, Field(max_length=14)] | None = None
    origin_country: Annotated[Line, Field(max_length=60)]
    unit_weight_g: Annotated[StrictInt, Field(ge=0, le=70_000)]


class CustomsIn(StrictModel):
    category: Line = Field(
        description="gift, documents, commercial_sample, returned_goods, sale_of_goods or other."
    )
    items: Annotated[list[CustomsItemIn], Field(max_length=100)] = []
    explanation: Annotated[FreeText, Field(max_length=200)] | None = Field(
        None, description="Required when category is other (CN23 box)."
    )


class ShipmentCreate(StrictModel):
    reference: Annotated[Line, Field(min_length=1, max_length=100, examples=["ORDER-1001"])]
    service: Annotated[
        Line,
        Field(
            max_length=40,
            description="premium, standard, economy, or a product code.",
            examples=["standard"],
        ),
    ] = "standard"
    incoterm: Literal["DDU", "DDP"] = "DDU"
    sender: AddressIn
    recipient: AddressIn
    parcel: ParcelIn
    customs: CustomsIn


class AddressWarning(BaseModel):
    field: str = Field(description="The field corrected, e.g. recipient.city.")
    code: str = Field(description="corrected: the value stored is not the one sent.")
    message: str = Field(description="What was sent and what is stored instead.")


class AddressOut(BaseModel):
    name: str
    company: str
    street_lines: list[str]
    city: str
    region: str
    postal_code: str
    country: str
    phone: str = Field(description="E.164.")
    phone_extension: str = Field("", description='Digits typed after the number ("ext. 23").')
    email: str
    tax_id_kind: str | None = None
    formatted_lines: list[str]
    warnings: list[AddressWarning] = Field(
        [], description="What was corrected in the address as sent (a misspelt city, ...)."
    )


class DutiesOut(BaseModel):
    payer: str = Field(description="buyer (DDU) or merchant (DDP).")
    status: str = Field(description="complete, partial or not_estimated.")
    duties: MoneyOut
    taxes: MoneyOut
    fees: MoneyOut
    total: MoneyOut
    due_on_delivery: MoneyOut
    landed_cost: MoneyOut = Field(description="Goods + shipping + duties, taxes and fees.")
    lines: list[dict[str, Any]]
    rules: list[dict[str, Any]] = Field(description="The dated rules applied, with sources.")
    note: str


class AdvanceDataReason(BaseModel):
    code: str = Field(description="The post's reason code, e.g. hs_code_missing.")
    field: str = Field(description="The advance-data field it is about, e.g. items[0].hs_code.")
    message: str


class AdvanceDataOut(BaseModel):
    status: Literal["pending", "accepted", "held"] = Field(
        description="pending: being sent; accepted: may fly; held: kept at origin, not flown."
    )
    partner: str
    checked_by: Literal["partner", "platform"] | None = Field(
        description="Who found the reasons: the destination post, or our check of its rules."
    )
    reasons: list[AdvanceDataReason]
    sent_at: datetime | None
    answered_at: datetime | None


class ShipmentRead(BaseModel):
    id: str
    reference: str
    status: str
    service: str
    incoterm: str
    tracking_number: str
    partner_tracking_number: str | None
    sender: AddressOut
    recipient: AddressOut
    parcel: dict[str, int]
    customs: dict[str, Any]
    customs_form: Literal["CN22", "CN23"]
    duties: DutiesOut
    product: str | None
    partner: str | None
    price: MoneyOut | None
    promise: dict[str, date] | None
    route: dict[str, Any] | None
    advance_data: AdvanceDataOut | None = Field(
        None, description="The destination post's answer to the parcel's advance data."
    )
    created_at: datetime


class ShipmentPage(BaseModel):
    items: list[ShipmentRead]
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page.")
