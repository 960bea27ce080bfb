"""Customs: CN22/CN23 declarations, HS codes, and dated duties-and-taxes estimates.

Public API::

    validate_declaration(decl, *, parcel_weight_g, path="customs", problems) -> Declaration | None
    form_type(declared_value, *, on_date, threshold_sdr=300) -> FormType
    form_for_declaration(declaration, *, on_date, threshold_sdr=300) -> FormType
    estimate_duties_and_taxes(*, destination_country, items, shipping_cost, incoterm, on_date,
                              origin_country, us_postal_option=None) -> DutyEstimate
"""

from postbridge.customs.declaration import validate_declaration
from postbridge.customs.duties import estimate_duties_and_taxes
from postbridge.customs.duty_rules import RuleBook, parse_rule_book, rule_book
from postbridge.customs.estimate import (
    AppliedRule,
    ChargeKind,
    ChargeLine,
    DutyEstimate,
    EstimateStatus,
    Incoterm,
    Payer,
    UsPostalOption,
)
from postbridge.customs.forms import (
    DEFAULT_CN22_LIMIT_SDR,
    form_for_declaration,
    form_type,
    value_in_sdr,
)
from postbridge.customs.fx import FxRate, MissingRate, fx_rate
from postbridge.customs.model import (
    Category,
    CustomsItem,
    CustomsItemInput,
    Declaration,
    DeclarationInput,
    FormType,
)

__all__ = [
    "DEFAULT_CN22_LIMIT_SDR",
    "AppliedRule",
    "Category",
    "ChargeKind",
    "ChargeLine",
    "CustomsItem",
    "CustomsItemInput",
    "Declaration",
    "DeclarationInput",
    "DutyEstimate",
    "EstimateStatus",
    "FormType",
    "FxRate",
    "Incoterm",
    "MissingRate",
    "Payer",
    "RuleBook",
    "UsPostalOption",
    "estimate_duties_and_taxes",
    "form_for_declaration",
    "form_type",
    "fx_rate",
    "parse_rule_book",
    "rule_book",
    "validate_declaration",
    "value_in_sdr",
]
