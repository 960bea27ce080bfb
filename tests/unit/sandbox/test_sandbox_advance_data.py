"""A post's checks on ITMATT-like advance data, with the reasons it gives."""

from __future__ import annotations

import copy
from typing import Any

from postbridge.sandbox.advance_data import judge
from postbridge.sandbox.rules import load_rules
from tests.unit.sandbox.builders import MESSAGE

RULES = load_rules()


def _message(**changes: Any) -> dict[str, Any]:
    message = copy.deepcopy(MESSAGE)
    for path, value in changes.items():
        target = message
        *parents, last = path.split("__")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[last] = value
    return message


def test_a_complete_message_is_accepted() -> None:
    assert judge(_message(), RULES.post("CORREOS")) == {
        "item_id": "LX123456785CN",
        "status": "accepted",
    }


def test_a_missing_hs_code_a_zero_value_and_a_non_latin_name_are_each_a_reason() -> None:
    message = _message(items__0__hs_code="", items__0__value={"amount": "0.00", "currency": "USD"})
    message["addressee"]["name"] = "王芳"

    assert judge(message, RULES.post("CORREOS")) == {
        "item_id": "LX123456785CN",
        "status": "rejected",
        "reasons": [
            {"code": "addressee_name_not_latin", "field": "addressee.name",
             "message": "the name must be in Latin script"},
            {"code": "hs_code_missing", "field": "items[0].hs_code",
             "message": "every item needs an HS code"},
            {"code": "value_zero", "field": "items[0].value.amount",
             "message": "a declared value must be above zero"},
        ],
    }  # fmt: skip


def test_a_post_without_the_latin_rule_takes_any_script() -> None:
    message = _message(destination_country="JP")
    message["addressee"]["name"] = "山田太郎"

    assert judge(message, RULES.post("JAPANPOST"))["status"] == "accepted"


def test_brazil_needs_the_addressees_tax_id_and_the_right_destination() -> None:
    result = judge(_message(), RULES.post("CORREIOS"))

    assert [(reason["code"], reason["field"]) for reason in result["reasons"]] == [
        ("wrong_destination", "destination_country"),
        ("tax_id_missing", "addressee.tax_id"),
    ]


def test_shape_problems_are_reasons_too() -> None:
    message = _message(gross_weight_g=0, mail_category="Z", items=[])
    message["declared_value"] = {"amount": "1e3", "currency": "USD"}

    codes = [reason["code"] for reason in judge(message, RULES.post("CORREOS"))["reasons"]]

    assert codes == ["mail_category_invalid", "weight_invalid", "value_invalid", "items_missing"]


def test_a_generic_description_and_a_bad_item_id_are_refused() -> None:
    message = _message(item_id="LX123456789CN", items__0__description="Gift")

    codes = [reason["code"] for reason in judge(message, RULES.post("CORREOS"))["reasons"]]

    assert codes == ["item_id_invalid", "description_generic"]


def test_the_lines_must_add_up_to_the_declaration() -> None:
    message = _message(gross_weight_g=300, items__0__value={"amount": "9.90", "currency": "USD"})
    other_currency = _message(items__0__value={"amount": "19.80", "currency": "EUR"})

    assert judge(message, RULES.post("CORREOS"))["reasons"] == [
        {"code": "value_mismatch", "field": "declared_value.amount",
         "message": "the sum of the items' values"},
        {"code": "weight_mismatch", "field": "gross_weight_g",
         "message": "at least the items' net weights"},
    ]  # fmt: skip
    assert [
        reason["code"] for reason in judge(other_currency, RULES.post("CORREOS"))["reasons"]
    ] == ["currency_mismatch"]
