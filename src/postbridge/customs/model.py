"""Customs declaration value objects (CN22/CN23 content)."""

from __future__ import annotations

from dataclasses import dataclass

from postbridge.kit.money import Money
from postbridge.kit.terms import CustomsCategory, CustomsFormType

# The customs context's names for the shared terms: the very classes of kit.terms.
Category = CustomsCategory
FormType = CustomsFormType


@dataclass(frozen=True, slots=True)
class CustomsItemInput:
    """One declared content line as captured; validated by ``validate_declaration``."""

    description: str | None = None
    quantity: int | None = None
    unit_value: Money | None = None
    hs_code: str | None = None
    origin_country: str | None = None
    unit_weight_g: int | None = None


@dataclass(frozen=True, slots=True)
class DeclarationInput:
    category: str | None = None
    items: tuple[CustomsItemInput, ...] = ()
    # CN23 asks for an explanation when the category is "other".
    explanation: str | None = None


@dataclass(frozen=True, slots=True)
class CustomsItem:
    description: str
    quantity: int
    unit_value: Money
    hs_code: str  # 6 to 10 digits, no dots
    origin_country: str  # ISO 3166-1 alpha-2
    unit_weight_g: int

    @property
    def line_value(self) -> Money:
        return self.unit_value.times(self.quantity)

    @property
    def line_weight_g(self) -> int:
        return self.unit_weight_g * self.quantity

    @property
    def hs_subheading(self) -> str:
        """The 6-digit HS subheading, the level shared by every customs tariff."""
        return self.hs_code[:6]


@dataclass(frozen=True, slots=True)
class Declaration:
    category: Category
    items: tuple[CustomsItem, ...]
    currency: str | None  # None only for a documents-only declaration without items
    explanation: str

    @property
    def declared_value(self) -> Money | None:
        if self.currency is None:
            return None
        total = Money.zero(self.currency)
        for item in self.items:
            total = total + item.line_value
        return total

    @property
    def net_weight_g(self) -> int:
        return sum(item.line_weight_g for item in self.items)
