"""A post's checks on item advance data (ITMATT-like messages, docs/partner-exchange.md).

Pure. Each message is judged on its own and every problem is reported (a post's rejection
lists all its reasons, so the merchant fixes them in one go). The per-post parts (Latin script
names, postal code, tax id, item count) come from ``rules.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from postbridge.addresses.text import is_latin
from postbridge.identifiers.s10 import is_valid_s10
from postbridge.kit.money import MoneyError, parse_amount
from postbridge.sandbox.rules import PostRules

MAIL_CATEGORIES = frozenset({"A", "B", "C", "D"})  # UPU code list 115 (postal-standards.md 2.2)
CUSTOMS_CATEGORIES = frozenset(
    {"sale_of_goods", "gift", "documents", "commercial_sample", "returned_goods", "other"}
)  # CN23 box 10 (postal-standards.md 6.1)
# Descriptions customs refuses as too vague (USPS rejects "Gift", "Merchandise", "N/A").
GENERIC_DESCRIPTIONS = frozenset(
    {"gift", "gifts", "merchandise", "goods", "parts", "samples", "sample", "n/a", "na", "item"}
)


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    field: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "field": self.field, "message": self.message}


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _money_problem(raw: Any, path: str) -> Reason | None:
    if not isinstance(raw, dict):
        return Reason("value_missing", path, "a value {amount, currency} is required")
    amount, currency = raw.get("amount"), raw.get("currency")
    if not isinstance(amount, str) or not isinstance(currency, str) or len(currency) != 3:
        return Reason("value_invalid", path, "amount is a decimal string, currency ISO 4217")
    try:
        money = parse_amount(amount, currency)
    except (MoneyError, ValueError, LookupError) as error:
        return Reason("value_invalid", f"{path}.amount", str(error))
    if money.minor == 0:
        return Reason("value_zero", f"{path}.amount", "a declared value must be above zero")
    return None


def _party(raw: Any, path: str, *, addressee: bool, rules: PostRules) -> list[Reason]:
    if not isinstance(raw, dict):
        return [Reason(f"{path}_missing", path, f"the {path} is required")]
    reasons = []
    name = _text(raw.get("name"))
    if not name and not _text(raw.get("company")):
        reasons.append(Reason(f"{path}_name_missing", f"{path}.name", "a name or a company"))
    if addressee and rules.latin_script_names and not is_latin(name):
        reasons.append(
            Reason("addressee_name_not_latin", f"{path}.name", "the name must be in Latin script")
        )
    lines = raw.get("street_lines")
    if not isinstance(lines, list) or not any(_text(line) for line in lines):
        reasons.append(Reason("address_incomplete", f"{path}.street_lines", "a street line"))
    if not _text(raw.get("city")):
        reasons.append(Reason("address_incomplete", f"{path}.city", "a city"))
    if addressee and rules.postal_code_required and not _text(raw.get("postal_code")):
        reasons.append(
            Reason("postal_code_missing", f"{path}.postal_code", "this post sorts by postal code")
        )
    if addressee and rules.tax_id_required and not _text(raw.get("tax_id")):
        reasons.append(
            Reason("tax_id_missing", f"{path}.tax_id", "this country's customs need the tax id")
        )
    return reasons


def _item(raw: Any, path: str) -> list[Reason]:
    if not isinstance(raw, dict):
        return [Reason("item_invalid", path, "an item is an object")]
    reasons = []
    description = _text(raw.get("description"))
    if not description:
        reasons.append(Reason("description_missing", f"{path}.description", "say what it is"))
    elif description.lower() in GENERIC_DESCRIPTIONS:
        reasons.append(
            Reason("description_generic", f"{path}.description", "too vague for customs")
        )
    hs_code = _text(raw.get("hs_code"))
    if not hs_code:
        reasons.append(Reason("hs_code_missing", f"{path}.hs_code", "every item needs an HS code"))
    elif not (hs_code.isascii() and hs_code.isdigit() and 6 <= len(hs_code) <= 10):
        reasons.append(Reason("hs_code_invalid", f"{path}.hs_code", "6 to 10 digits"))
    if not _positive_int(raw.get("quantity")):
        reasons.append(Reason("quantity_invalid", f"{path}.quantity", "a whole number above 0"))
    problem = _money_problem(raw.get("value"), f"{path}.value")
    if problem is not None:
        reasons.append(problem)
    if not _positive_int(raw.get("net_weight_g")):
        reasons.append(Reason("weight_invalid", f"{path}.net_weight_g", "grams, above 0"))
    origin = _text(raw.get("origin_country"))
    if len(origin) != 2 or not origin.isalpha():
        reasons.append(
            Reason("origin_country_missing", f"{path}.origin_country", "ISO 3166 alpha-2")
        )
    return reasons


def check_message(message: Any, rules: PostRules) -> list[Reason]:
    """Every reason the post refuses this message for; empty when it accepts it."""
    if not isinstance(message, dict):
        return [Reason("malformed", "", "a message is an object")]
    reasons = []
    item_id = _text(message.get("item_id"))
    if not is_valid_s10(item_id):
        reasons.append(Reason("item_id_invalid", "item_id", "a UPU S10 identifier"))
    destination = _text(message.get("destination_country"))
    if rules.country is not None and destination != rules.country:
        reasons.append(
            Reason(
                "wrong_destination", "destination_country", f"this post delivers in {rules.country}"
            )
        )
    if _text(message.get("mail_category")) not in MAIL_CATEGORIES:
        reasons.append(Reason("mail_category_invalid", "mail_category", "A, B, C or D"))
    if _text(message.get("category")) not in CUSTOMS_CATEGORIES:
        reasons.append(Reason("category_invalid", "category", "a CN23 category"))
    if not _positive_int(message.get("gross_weight_g")):
        reasons.append(Reason("weight_invalid", "gross_weight_g", "grams, above 0"))
    problem = _money_problem(message.get("declared_value"), "declared_value")
    if problem is not None:
        reasons.append(problem)
    reasons += _party(message.get("sender"), "sender", addressee=False, rules=rules)
    reasons += _party(message.get("addressee"), "addressee", addressee=True, rules=rules)
    items = message.get("items")
    if not isinstance(items, list) or not items:
        reasons.append(Reason("items_missing", "items", "at least one item"))
        return reasons
    if len(items) > rules.max_items:
        reasons.append(Reason("too_many_items", "items", f"at most {rules.max_items} items"))
    for index, item in enumerate(items):
        reasons += _item(item, f"items[{index}]")
    if not reasons:
        reasons += _totals(message, items)
    return reasons


def _totals(message: dict[str, Any], items: list[dict[str, Any]]) -> list[Reason]:
    """Lines carry their totals (docs/partner-exchange.md): the declared value is their sum,
    in one currency, and their net weights fit in the gross weight. Customs refuse a CN23 whose
    columns do not add up."""
    declared = parse_amount(
        message["declared_value"]["amount"], message["declared_value"]["currency"]
    )
    reasons = []
    total = 0
    for index, item in enumerate(items):
        line = parse_amount(item["value"]["amount"], item["value"]["currency"])
        if line.currency != declared.currency:
            reasons.append(
                Reason("currency_mismatch", f"items[{index}].value.currency",
                       f"the declaration is in {declared.currency}")
            )  # fmt: skip
        total += line.minor
    if not reasons and total != declared.minor:
        reasons.append(
            Reason("value_mismatch", "declared_value.amount", "the sum of the items' values")
        )
    if sum(item["net_weight_g"] for item in items) > message["gross_weight_g"]:
        reasons.append(
            Reason("weight_mismatch", "gross_weight_g", "at least the items' net weights")
        )
    return reasons


def judge(message: Any, rules: PostRules) -> dict[str, Any]:
    """The result entry of ``POST /v1/items`` for one message."""
    item_id = message.get("item_id") if isinstance(message, dict) else None
    reasons = check_message(message, rules)
    if not reasons:
        return {"item_id": item_id, "status": "accepted"}
    return {
        "item_id": item_id,
        "status": "rejected",
        "reasons": [reason.to_json() for reason in reasons],
    }
