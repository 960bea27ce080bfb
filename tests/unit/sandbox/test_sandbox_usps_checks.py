"""USPS's label request checks (labels.yaml LabelRequest) and its ErrorMessage shape."""

from __future__ import annotations

import copy
from datetime import date

from postbridge.sandbox.usps_checks import check_label_request, error_message
from tests.unit.sandbox.builders import LABEL_REQUEST as REQUEST

TODAY = date(2026, 12, 2)


def test_a_complete_request_passes() -> None:
    assert check_label_request(REQUEST, TODAY) == []


def test_every_problem_is_named_by_its_parameter() -> None:
    request = copy.deepcopy(REQUEST)
    del request["fromAddress"]
    request["toAddress"]["state"] = "XX"
    request["toAddress"]["ZIPCode"] = "7870"
    request["packageDescription"]["weight"] = 71
    request["packageDescription"]["mailingDate"] = "2026-12-10"
    request["labelColour"] = "red"

    assert check_label_request(request, TODAY) == [
        ("labelColour", "additional properties are not allowed"),
        ("toAddress.state", "must be a two-character US state code"),
        ("toAddress.ZIPCode", "must match ^\\d{5}$"),
        ("fromAddress", "is required"),
        ("packageDescription.weight", "Items must weigh 70 pounds or less"),
        ("packageDescription.mailingDate", "The mailing date may be today plus 0 to 7 days"),
    ]


def test_a_name_or_a_firm_is_required() -> None:
    request = copy.deepcopy(REQUEST)
    del request["toAddress"]["lastName"]

    assert check_label_request(request, TODAY) == [
        ("toAddress.firstName", "First and Last Name or Firm Name are required")
    ]


def test_the_error_message_has_usps_shape() -> None:
    assert error_message(400, "OASValidation failed", [("toAddress.ZIPCode", "bad")], version="3.9.4") == {
        "apiVersion": "3.9.4",
        "error": {
            "code": "400",
            "message": "OASValidation failed",
            "errors": [{"status": "400", "code": "OASValidation", "title": "Invalid request",
                        "detail": "bad", "source": {"parameter": "toAddress.ZIPCode"}}],
        },
    }  # fmt: skip
