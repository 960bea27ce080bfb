"""Carrier detection against every test number of tracking_number_data for S10, USPS, UPS,
FedEx and DHL, plus check-digit properties of each format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postbridge.identifiers import build_impb_tracking_number, format_s10
from postbridge.identifiers.detection import (
    Carrier,
    CarrierCandidate,
    Confidence,
    TrackingFormat,
    detect_carriers,
)
from postbridge.identifiers.dhl import dhl_express_check_digit
from postbridge.identifiers.fedex import fedex_express_check_digit
from postbridge.identifiers.ups import ups_check_digit

COURIERS = Path(__file__).resolve().parents[3].parent / "shared/data/tracking_number_data/couriers"
COURIER_FILES = ("s10", "usps", "ups", "fedex", "dhl")
UNNAMED_FORMAT_IDS = {"UPS Waybill": "ups_waybill"}  # the data set gives this one no id

needs_data = pytest.mark.skipif(
    not COURIERS.is_dir(), reason=f"{COURIERS} is absent: the test numbers live outside the repo"
)


def load_test_numbers() -> list[tuple[str, str, bool]]:
    """(format id, number, valid) for every test number of the five courier files."""
    cases = []
    for name in COURIER_FILES:
        courier = json.loads((COURIERS / f"{name}.json").read_text("utf-8"))
        for spec in courier["tracking_numbers"]:
            format_id = spec.get("id") or UNNAMED_FORMAT_IDS[spec["name"]]
            for kind in ("valid", "invalid"):
                cases.extend((format_id, n, kind == "valid") for n in spec["test_numbers"][kind])
    return cases


@needs_data
def test_every_test_number_is_detected_or_rejected_as_its_format() -> None:
    cases = load_test_numbers()
    failures = [
        (format_id, number, valid)
        for format_id, number, valid in cases
        if (format_id in {c.format for c in detect_carriers(number)}) is not valid
    ]
    assert failures == []
    assert (len(cases), sum(valid for _, _, valid in cases)) == (143, 97)
    assert {f for f, _, _ in cases} == {f.value for f in TrackingFormat}


@needs_data
def test_the_best_candidate_of_every_valid_number_is_its_own_format() -> None:
    wrong = [
        (format_id, number, detect_carriers(number)[0].format)
        for format_id, number, valid in load_test_numbers()
        if valid and detect_carriers(number)[0].format != format_id
    ]
    assert wrong == []


@needs_data
def test_invalid_numbers_match_no_format_at_all() -> None:
    assert [n for _, n, valid in load_test_numbers() if not valid and detect_carriers(n)] == []


@needs_data
def test_the_only_valid_numbers_with_two_candidates() -> None:
    multiple = {
        number.replace(" ", ""): [(c.format.value, c.confidence.value) for c in found]
        for _, number, valid in load_test_numbers()
        if valid and len(found := detect_carriers(number)) > 1
    }
    assert multiple == {
        "4201028200009261290113185417468510": [("usps_impb_c", "high"), ("fedex_34", "medium")]
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "4201028200009261290113185417468510",
            [
                CarrierCandidate(
                    Carrier.USPS,
                    TrackingFormat.USPS_IMPB_C,
                    Confidence.HIGH,
                    "9261290113185417468510",
                ),
                CarrierCandidate(
                    Carrier.FEDEX, TrackingFormat.FEDEX_34, Confidence.MEDIUM, "185417468510"
                ),
            ],
        ),
        (
            "rb 123 456 785 us",
            [
                CarrierCandidate(
                    Carrier.UPU_POST, TrackingFormat.S10, Confidence.HIGH, "RB123456785US", "US"
                )
            ],
        ),
        (
            "LX123456785CN",
            [
                CarrierCandidate(
                    Carrier.UPU_POST, TrackingFormat.S10, Confidence.HIGH, "LX123456785CN", "CN"
                ),
                CarrierCandidate(
                    Carrier.DHL, TrackingFormat.DHL_ECOMMERCE, Confidence.LOW, "LX123456785CN"
                ),
            ],
        ),
        (
            "420 22153 9101026837331000039521",
            [
                CarrierCandidate(
                    Carrier.USPS,
                    TrackingFormat.USPS_LEGACY,
                    Confidence.HIGH,
                    "9101026837331000039521",
                )
            ],
        ),
        (
            "7196 9010 7560 0307 7385",
            [
                CarrierCandidate(
                    Carrier.USPS,
                    TrackingFormat.USPS_LEGACY,
                    Confidence.MEDIUM,
                    "71969010756003077385",
                )
            ],
        ),
        (
            "32971514560102447849175802862014",
            [
                CarrierCandidate(
                    Carrier.FEDEX, TrackingFormat.FEDEX_ASTRA_32, Confidence.MEDIUM, "784917580286"
                )
            ],
        ),
        ("", []),
        ("1Z-5R8-9390", []),
        ("hello world", []),
    ],
)
def test_detect_carriers_examples(text: str, expected: list[CarrierCandidate]) -> None:
    assert list(detect_carriers(text)) == expected


def test_strict_mode_leaves_out_formats_without_a_check_digit() -> None:
    assert [c.format for c in detect_carriers("LX123456785CN", include_unchecked=False)] == [
        TrackingFormat.S10
    ]
    assert detect_carriers("60120172242323", include_unchecked=False) == ()
    assert [c.format for c in detect_carriers("60120172242323")] == [
        TrackingFormat.DHL_ECOMMERCE_14
    ]


def test_check_digit_functions() -> None:
    assert ups_check_digit("5R8939035756712") == 7
    assert ups_check_digit("XX3150YW4407002") == 3
    assert fedex_express_check_digit("98657878885", (3, 1, 7)) == 5
    assert dhl_express_check_digit("331881002") == 5


def formats_of(text: str) -> set[TrackingFormat]:
    return {candidate.format for candidate in detect_carriers(text)}


@given(
    st.sampled_from(["RR", "CP", "EA", "LX", "UA"]),
    st.integers(0, 99_999_999),
    st.sampled_from(["CN", "US", "ES", "BR", "SG"]),
)
def test_every_s10_number_is_detected_first_as_s10(prefix: str, serial: int, country: str) -> None:
    number = format_s10(prefix, serial, country)
    best = detect_carriers(number)[0]
    assert (best.format, best.confidence, best.issuer_country) == (
        TrackingFormat.S10,
        Confidence.HIGH,
        country,
    )


@given(
    st.sampled_from(["001", "055", "612"]),
    st.one_of(st.from_regex(r"9[0-9]{8}", fullmatch=True), st.from_regex(r"[0-8][0-9]{5}", fullmatch=True)),
    st.integers(0, 9_999_999),
    st.sampled_from([None, "78701", "787011234"]),
)  # fmt: skip
def test_every_built_impb_number_is_detected_with_or_without_routing(
    stc: str, mailer_id: str, serial: int, routing_zip: str | None
) -> None:
    pic = build_impb_tracking_number(service_type_code=stc, mailer_id=mailer_id, serial=serial)
    text = pic.digits if routing_zip is None else f"420{routing_zip}{pic.digits}"
    usps = [c for c in detect_carriers(text) if c.carrier is Carrier.USPS]
    assert usps[0] == CarrierCandidate(
        Carrier.USPS, TrackingFormat.USPS_IMPB_C, Confidence.HIGH, pic.digits
    )


@given(st.from_regex(r"[0-9A-Z]{15}", fullmatch=True), st.integers(0, 9))
def test_ups_accepts_exactly_the_right_check_digit(body: str, check: int) -> None:
    detected = TrackingFormat.UPS in formats_of(f"1Z{body}{check}")
    assert detected is (check == ups_check_digit(body))


@given(st.from_regex(r"[0-9]{11}", fullmatch=True), st.integers(0, 9))
def test_fedex_12_accepts_exactly_the_right_check_digit(body: str, check: int) -> None:
    detected = TrackingFormat.FEDEX_12 in formats_of(f"{body}{check}")
    assert detected is (check == fedex_express_check_digit(body, (3, 1, 7)))


@given(st.from_regex(r"[0-9]{9,10}", fullmatch=True), st.integers(0, 9))
def test_dhl_express_accepts_exactly_the_right_check_digit(serial: str, check: int) -> None:
    detected = TrackingFormat.DHL_EXPRESS in formats_of(f"{serial}{check}")
    assert detected is (check == int(serial) % 7)
