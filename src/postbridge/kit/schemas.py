"""Pydantic building blocks shared by every API schema: closed models, text without control
characters, and money amounts read by ``kit.money.parse_amount``."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from postbridge.kit.money import (
    MAX_AMOUNT_UNITS,
    Money,
    MoneyError,
    amount_minor,
    canonical_currency,
    currency_exponent,
    parse_amount,
)
from postbridge.kit.text import control_character_problem

# Amounts of a currency not yet known are checked against the most decimals any currency has.
_MOST_DECIMALS = 4


def _single_line(value: str) -> str:
    problem = control_character_problem(value)
    if problem is not None:
        raise PydanticCustomError("control_character", problem)
    return value


def _free_text(value: str) -> str:
    problem = control_character_problem(value, free_text=True)
    if problem is not None:
        raise PydanticCustomError("control_character", problem)
    return value


# Identifiers, names, address lines: no control character at all.
Line = Annotated[str, AfterValidator(_single_line)]
# Free text (a customs explanation): tab and line breaks allowed, other control characters not.
FreeText = Annotated[str, AfterValidator(_free_text)]


class StrictModel(BaseModel):
    """Unknown fields are errors: a typo in a field name must not be silently ignored.

    Text fields declared ``Line`` refuse every control character (NUL, U+0001-U+001F, U+007F);
    ``FreeText`` keeps tab and line breaks. Any other text field, and the text items of a list,
    are held to ``FreeText``'s rule by a model-wide check, so that no field stores NUL.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        texts = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        for index, text in enumerate(texts):
            if not isinstance(text, str):
                break
            problem = control_character_problem(text, free_text=True)
            if problem is not None:
                where = f"item {index}: " if not isinstance(value, str) else ""
                raise PydanticCustomError("control_character", where + problem)
        return value


class MoneyIn(StrictModel):
    # The currency comes first: the amount's decimals are checked against it.
    currency: Annotated[
        str, Field(min_length=3, max_length=3, description="ISO 4217 code.", examples=["USD"])
    ]
    amount: Annotated[
        str,
        Field(
            description=(
                'Decimal string in major units, e.g. "9.90": ASCII digits, at most the '
                f"currency's decimals, from 0 to {MAX_AMOUNT_UNITS}; no exponent, sign, "
                "spaces or separators."
            ),
            examples=["9.90"],
            max_length=24,
        ),
    ]

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        try:
            currency_exponent(value)
        except MoneyError as exc:
            raise ValueError(str(exc)) from exc
        return canonical_currency(value)  # RMB -> CNY

    @field_validator("amount", mode="before")
    @classmethod
    def _plain_amount(cls, value: object, info: ValidationInfo) -> object:
        # JSON numbers are accepted for convenience; they must read as plain decimals too
        # (1e308 and 10**30 do not).
        if isinstance(value, int) and not isinstance(value, bool):
            if value > MAX_AMOUNT_UNITS:  # not printed: str() of 10**5000 raises
                raise PydanticCustomError(
                    "invalid_amount", f"is above the maximum amount of {MAX_AMOUNT_UNITS}"
                )
            value = str(value)
        elif isinstance(value, float | Decimal):
            value = repr(value) if isinstance(value, float) else str(value)
        if not isinstance(value, str):
            raise PydanticCustomError("invalid_amount", 'expected a decimal string such as "9.90"')
        currency = info.data.get("currency")
        try:
            if currency is None:
                amount_minor(value, _MOST_DECIMALS)
            else:
                parse_amount(value, currency)
        except MoneyError as exc:
            raise PydanticCustomError("invalid_amount", str(exc)) from None
        return value

    def to_money(self) -> Money:
        return parse_amount(self.amount, self.currency)


class MoneyOut(BaseModel):
    amount: str = Field(examples=["9.90"])
    currency: str = Field(examples=["USD"])

    @classmethod
    def of(cls, money: Money) -> MoneyOut:
        return cls(amount=money.amount_str(), currency=money.currency)
