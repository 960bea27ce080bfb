"""What USPS checks in a label request (labels.yaml 3.9.4 LabelRequest), and its error shape.

Pure. The checks follow the OpenAPI schema: required members, lengths, patterns and enums;
``additionalProperties: false`` at the top of LabelRequest; the weight limit; a mailing date
from today to today + 7 (on the sandbox's clock). Every problem is one entry of the
ErrorMessage's ``errors`` list with the offending field in ``source.parameter``, as USPS does.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from postbridge.carriers.usps.wire.label_models import (
    MAX_WEIGHT_POUNDS,
    DestinationEntryFacilityType,
    MailClass,
    ProcessingCategory,
)

LABELS_API_VERSION = "3.9.4"
TRACKING_API_VERSION = "3.2.2"
LABEL_REQUEST_FIELDS = frozenset(
    {
        "imageInfo",
        "toAddress",
        "fromAddress",
        "senderAddress",
        "returnAddress",
        "packageDescription",
        "customsForm",
    }
)
STATES = frozenset(
    [
        "AA",
        "AE",
        "AL",
        "AK",
        "AP",
        "AS",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FM",
        "FL",
        "GA",
        "GU",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MH",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MP",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PW",
        "PA",
        "PR",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VI",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
    ]
)  # labels.yaml State pattern
RATE_INDICATORS = frozenset(
    [
        "3D",
        "3N",
        "3R",
        "5D",
        "BA",
        "BB",
        "CP",
        "CM",
        "DC",
        "DE",
        "DF",
        "DN",
        "DR",
        "E4",
        "E6",
        "FA",
        "FB",
        "FE",
        "FP",
        "FS",
        "LC",
        "LF",
        "LL",
        "LO",
        "LS",
        "NP",
        "OS",
        "P5",
        "P6",
        "P7",
        "P8",
        "P9",
        "Q6",
        "Q7",
        "Q8",
        "Q9",
        "Q0",
        "PA",
        "PL",
        "PM",
        "PR",
        "SN",
        "SP",
        "SR",
    ]
)
# Deprecated names USPS still converts (BaseDomesticPackageDescription.mailClass notes).
DEPRECATED_MAIL_CLASSES = frozenset({"PARCEL_SELECT_LIGHTWEIGHT", "FIRST-CLASS_PACKAGE_SERVICE"})
_PHONE = re.compile(r"^\+?[1-9][0-9]{7,14}$")
_ZIP5 = re.compile(r"^\d{5}$")
_ZIP4 = re.compile(r"^\d{4}$")


def error_message(
    status: int, message: str, problems: list[tuple[str, str]] | None = None, *, version: str
) -> dict[str, Any]:
    """USPS's ErrorMessage body (labels.yaml and tracking-v3r2.yaml share it)."""
    body: dict[str, Any] = {
        "apiVersion": version,
        "error": {"code": str(status), "message": message},
    }
    if problems:
        body["error"]["errors"] = [
            {
                "status": str(status),
                "code": "OASValidation",
                "title": "Invalid request",
                "detail": detail,
                "source": {"parameter": parameter},
            }
            for parameter, detail in problems
        ]
    return body


def _text(
    raw: dict[str, Any], key: str, path: str, low: int, high: int, problems: list[tuple[str, str]]
) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not low <= len(value) <= high:
        problems.append((f"{path}.{key}", f"must be a string of {low} to {high} characters"))
        return ""
    return value


def _address(raw: Any, path: str, problems: list[tuple[str, str]]) -> None:
    if not isinstance(raw, dict):
        problems.append((path, "is required"))
        return
    _text(raw, "streetAddress", path, 1, 50, problems)
    _text(raw, "city", path, 1, 28, problems)
    if raw.get("state") not in STATES:
        problems.append((f"{path}.state", "must be a two-character US state code"))
    if not isinstance(raw.get("ZIPCode"), str) or not _ZIP5.match(raw["ZIPCode"]):
        problems.append((f"{path}.ZIPCode", "must match ^\\d{5}$"))
    if "ZIPPlus4" in raw and not (
        isinstance(raw["ZIPPlus4"], str) and _ZIP4.match(raw["ZIPPlus4"])
    ):
        problems.append((f"{path}.ZIPPlus4", "must match ^\\d{4}$"))
    if not (raw.get("firstName") and raw.get("lastName")) and not raw.get("firm"):
        problems.append((f"{path}.firstName", "First and Last Name or Firm Name are required"))
    for key in ("firstName", "lastName", "firm", "secondaryAddress"):
        if key in raw and not (isinstance(raw[key], str) and len(raw[key]) <= 50):
            problems.append((f"{path}.{key}", "must be a string of at most 50 characters"))
    if "phone" in raw and not (isinstance(raw["phone"], str) and _PHONE.match(raw["phone"])):
        problems.append((f"{path}.phone", "must match ^\\+?[1-9][0-9]{7,14}$"))


def _number(raw: dict[str, Any], key: str, path: str, problems: list[tuple[str, str]]) -> float:
    value = raw.get(key)
    if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
        problems.append((f"{path}.{key}", "must be a number above 0"))
        return 0.0
    return float(value)


def _package(raw: Any, today: date, problems: list[tuple[str, str]]) -> None:
    path = "packageDescription"
    if not isinstance(raw, dict):
        problems.append((path, "is required"))
        return
    mail_class = raw.get("mailClass")
    if mail_class not in {item.value for item in MailClass} | DEPRECATED_MAIL_CLASSES:
        problems.append((f"{path}.mailClass", "is not a domestic label mail class"))
    if raw.get("processingCategory") not in {item.value for item in ProcessingCategory}:
        problems.append((f"{path}.processingCategory", "is not a processing category"))
    entry = raw.get("destinationEntryFacilityType")
    if entry not in {item.value for item in DestinationEntryFacilityType}:
        problems.append((f"{path}.destinationEntryFacilityType", "is not a facility type"))
    weight = _number(raw, "weight", path, problems)
    if raw.get("weightUOM", "lb") != "lb":
        problems.append((f"{path}.weightUOM", "must be lb"))
    elif weight > MAX_WEIGHT_POUNDS:
        problems.append((f"{path}.weight", f"Items must weigh {MAX_WEIGHT_POUNDS} pounds or less"))
    for key in ("length", "width", "height"):
        _number(raw, key, path, problems)
    if "rateIndicator" in raw:
        if raw["rateIndicator"] not in RATE_INDICATORS:
            problems.append((f"{path}.rateIndicator", "is not a rate indicator"))
    elif not (raw.get("packagingType") and raw.get("shape")):
        problems.append((f"{path}.rateIndicator", "rateIndicator, or packagingType and shape"))
    try:
        mailing = date.fromisoformat(str(raw.get("mailingDate")))
    except ValueError:
        problems.append((f"{path}.mailingDate", "must be a date YYYY-MM-DD"))
        return
    if not today <= mailing <= today + timedelta(days=7):
        problems.append((f"{path}.mailingDate", "The mailing date may be today plus 0 to 7 days"))


def check_label_request(body: Any, today: date) -> list[tuple[str, str]]:
    """(parameter, detail) for every problem of a LabelRequest; empty when USPS would take it."""
    if not isinstance(body, dict):
        return [("body", "must be a LabelRequest object")]
    problems: list[tuple[str, str]] = [
        (key, "additional properties are not allowed")
        for key in sorted(set(body) - LABEL_REQUEST_FIELDS)
    ]
    _address(body.get("toAddress"), "toAddress", problems)
    _address(body.get("fromAddress"), "fromAddress", problems)
    if "senderAddress" in body:
        _address(body["senderAddress"], "senderAddress", problems)
    _package(body.get("packageDescription"), today, problems)
    return problems
