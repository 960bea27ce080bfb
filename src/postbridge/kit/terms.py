"""The trade and postal terms every context shares, defined once.

Network products, customs declarations, duty estimates, labels and the API speak of the same
incoterms, service levels, customs categories and customs forms. They live here, below every
context, so that each imports the one definition instead of keeping its own copy.
"""

from __future__ import annotations

from enum import StrEnum


class Incoterm(StrEnum):
    DDU = "DDU"  # delivered duty unpaid: the recipient pays duties and taxes on delivery
    DDP = "DDP"  # delivered duty paid: the merchant pays them, inside the price


class ServiceLevel(StrEnum):
    PREMIUM = "premium"
    STANDARD = "standard"
    ECONOMY = "economy"


class CustomsCategory(StrEnum):
    """CN22/CN23 box "category of item"."""

    GIFT = "gift"
    DOCUMENTS = "documents"
    COMMERCIAL_SAMPLE = "commercial_sample"
    RETURNED_GOODS = "returned_goods"
    SALE_OF_GOODS = "sale_of_goods"
    OTHER = "other"


class CustomsFormType(StrEnum):
    CN22 = "CN22"  # compact block on the label (items up to the CN22 threshold, 300 SDR)
    CN23 = "CN23"  # separate declaration page
