"""Pydantic building blocks shared by every API schema."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from postbridge.kit.money import Money, MoneyError, currency_exponent


class StrictModel(BaseModel):
    """Unknown fields are errors: a typo in a field name must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class MoneyIn(StrictModel):
    amount: Annotated[
        str,
        Field(
            description='Decimal string in major units, e.g. "9.90".',
            examples=["9.90"],
            max_length=20,
        ),
    ]
    currency: Annotated[str, Field(description="ISO 4217 code.", examples=["USD"])]

    @field_validator("amount", mode="before")
    @classmethod
    def _accept_numbers(cls, value: object) -> object:
        # JSON numbers are accepted for convenience; str() keeps what the client wrote.
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            return str(value)
        return value

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        try:
            currency_exponent(value)
        except MoneyError as exc:
            raise ValueError(str(exc)) from exc
        return value.upper()

    @field_validator("amount")
    @classmethod
    def _decimal(cls, value: str) -> str:
        try:
            number = Decimal(value)
        except ArithmeticError as exc:
            raise ValueError(f"{value!r} is not a decimal number") from exc
        if not number.is_finite():
            raise ValueError(f"{value!r} is not a finite number")
        return value

    def to_money(self) -> Money:
        return Money.parse(self.amount, self.currency)


class MoneyOut(BaseModel):
    amount: str = Field(examples=["9.90"])
    currency: str = Field(examples=["USD"])

    @classmethod
    def of(cls, money: Money) -> MoneyOut:
        return cls(amount=money.amount_str(), currency=money.currency)
