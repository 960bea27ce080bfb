"""Strings printed on labels, shared by the PDF/PNG layout and the ZPL template."""

from __future__ import annotations

from functools import lru_cache

from postbridge.kit.money import Money
from postbridge.labels.model import CustomsCategory, CustomsItem, LabelData

# Checkbox order of the CN22/CN23 category boxes.
CATEGORY_ORDER: tuple[CustomsCategory, ...] = (
    CustomsCategory.GIFT,
    CustomsCategory.COMMERCIAL_SAMPLE,
    CustomsCategory.DOCUMENTS,
    CustomsCategory.RETURNED_GOODS,
    CustomsCategory.SALE_OF_GOODS,
    CustomsCategory.OTHER,
)
CERTIFICATION = (
    "I certify that the particulars given in this customs declaration are correct and that "
    "this item does not contain any dangerous article prohibited by legislation or by postal "
    "or customs regulations."
)
# The category names as the CN22/CN23 boxes print them.
PRINTED_CATEGORY = {
    CustomsCategory.SALE_OF_GOODS: "Sale of goods",
    CustomsCategory.GIFT: "Gift",
    CustomsCategory.DOCUMENTS: "Documents",
    CustomsCategory.COMMERCIAL_SAMPLE: "Commercial sample",
    CustomsCategory.RETURNED_GOODS: "Returned goods",
    CustomsCategory.OTHER: "Other",
}


@lru_cache(maxsize=4096)
def weight_text(grams: int) -> str:
    return f"{grams / 1000:.3f} kg"


@lru_cache(maxsize=4096)
def money_text(amount: Money) -> str:
    return f"{amount.amount_str()} {amount.currency}"


def header_details(label: LabelData) -> str:
    return f"{weight_text(label.weight_g)}  ·  {label.created_on.isoformat()}"


def partner_line(label: LabelData) -> str:
    return f"Last mile: {label.partner}  ·  to {label.destination_country}"


def category_text(label: LabelData) -> str:
    customs = label.customs
    printed = PRINTED_CATEGORY[customs.category]
    if customs.category is CustomsCategory.OTHER and customs.explanation:
        return f"{printed}: {customs.explanation}"
    return printed


def item_cells(item: CustomsItem) -> tuple[str, str, str, str, str, str]:
    """Description, quantity, net weight, value, HS tariff number, origin."""
    return (
        item.description,
        str(item.quantity),
        weight_text(item.net_weight_g).removesuffix(" kg"),
        money_text(item.value),
        item.hs_code or "",
        item.origin_country,
    )


def totals_text(label: LabelData) -> str:
    customs = label.customs
    return (
        f"Total gross weight {weight_text(label.weight_g)}   "
        f"Total value {money_text(customs.total_value)}"
    )


def signature_text(label: LabelData) -> str:
    customs = label.customs
    return f"Date {customs.declared_on.isoformat()}   Signature: {customs.signatory}"
