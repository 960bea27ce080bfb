"""Code tables: every code the reference lists is mapped, and unmapped codes stay visible."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from postbridge.tracking import (
    ActionRequired,
    Milestone,
    Reason,
    TrackingStatus,
    code_schemes,
    load_code_table,
    map_event,
)
from postbridge.tracking.codes import CodeTableError, parse_code_table

SHARED = Path(__file__).resolve().parents[3].parent / "shared"
POSTAL_STANDARDS = SHARED / "reference" / "postal-standards.md"

needs_reference = pytest.mark.skipif(
    not POSTAL_STANDARDS.is_file(),
    reason=f"{POSTAL_STANDARDS} is absent: the reference code lists live outside the repo",
)


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n### ", start + len(heading))
    return text[start : end if end != -1 else len(text)]


def reference_upu_codes() -> list[str]:
    """Codes of the markdown table in §3.1: rows ``| leg | code | meaning |``."""
    section = _section(POSTAL_STANDARDS.read_text("utf-8"), "### 3.1 UPU item event codes")
    codes = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and re.fullmatch(r"E[A-Z]{2}", cells[1]):
            codes.append(cells[1])
    return codes


def reference_usps_codes() -> list[str]:
    """Codes of the §3.3 list: backticked two-character codes, ranges like `21`–`29` expanded."""
    section = _section(POSTAL_STANDARDS.read_text("utf-8"), "### 3.3 USPS scan event codes")
    listing = section.split("Conflict:")[0]
    codes: list[str] = []
    for first, last in re.findall(r"`(\d\d)`–`(\d\d)`", listing):
        codes.extend(f"{n:02d}" for n in range(int(first), int(last) + 1))
    codes.extend(re.findall(r"`([0-9A-Z]{2})`", listing))
    return sorted(set(codes))


@needs_reference
def test_every_upu_code_of_the_reference_table_is_mapped() -> None:
    codes = reference_upu_codes()
    table = load_code_table("upu")
    assert len(codes) == 25
    assert [code for code in codes if code not in table] == []
    assert sorted(table) == sorted(codes)


@needs_reference
def test_every_usps_code_of_the_reference_list_is_mapped() -> None:
    codes = reference_usps_codes()
    table = load_code_table("usps")
    assert len(codes) == 49
    assert [code for code in codes if code not in table] == []
    # Besides the reference list: the codes USPS sent in the recorded v3 response.
    assert sorted(set(table) - set(codes)) == ["A1", "GX", "T1", "TL"]


def test_packaged_schemes_and_row_counts() -> None:
    assert code_schemes() == ("upu", "usps")
    assert len(load_code_table("upu")) == 25
    assert len(load_code_table("usps")) == 53  # 49 of the reference, 4 of the recorded response


def test_every_row_names_its_source() -> None:
    for scheme in code_schemes():
        for row in load_code_table(scheme).values():
            assert row.source, (scheme, row.code)
            assert row.description, (scheme, row.code)


def test_no_row_maps_to_unknown_or_leaves_action_to_guessing() -> None:
    for scheme in code_schemes():
        for row in load_code_table(scheme).values():
            assert row.status is not TrackingStatus.UNKNOWN


@pytest.mark.parametrize(
    ("scheme", "code", "status", "reason", "milestone", "action"),
    [
        ("upu", "EMA", "in_transit", None, "accepted_at_origin", "none"),
        ("upu", "EMC", "in_transit", None, "departed_origin_country", "none"),
        ("upu", "EMD", "in_transit", None, "arrived_destination_country", "none"),
        ("upu", "EME", "in_transit", "customs_hold", "customs", "none"),
        ("upu", "EDG", "out_for_delivery", None, "with_last_mile", "none"),
        ("upu", "EDH", "available_for_pickup", None, "with_last_mile", "recipient"),
        ("upu", "EMH", "delivery_attempted", None, "with_last_mile", "recipient"),
        ("upu", "EMI", "delivered", None, "delivered", "none"),
        ("upu", "EXX", "exception", "export_cancelled", "accepted_at_origin", "sender"),
        ("upu", "EDX", "exception", "import_terminated", "customs", "operator"),
        ("usps", "MA", "info_received", None, None, "none"),
        ("usps", "OF", "out_for_delivery", None, "with_last_mile", "none"),
        ("usps", "01", "delivered", None, "delivered", "none"),
        ("usps", "04", "exception", "refused", "with_last_mile", "sender"),
        ("usps", "14", "available_for_pickup", None, "with_last_mile", "recipient"),
        ("usps", "16", "available_for_pickup", None, "with_last_mile", "recipient"),
        ("usps", "27", "returning_to_sender", "unclaimed", None, "none"),
        ("usps", "30", "delivery_attempted", "no_access", "with_last_mile", "recipient"),
        ("usps", "DX", "exception", "delivery_unconfirmed", "with_last_mile", "operator"),
    ],
)
def test_map_event_reads_the_table(
    scheme: str,
    code: str,
    status: str,
    reason: str | None,
    milestone: str | None,
    action: str,
) -> None:
    mapped = map_event(scheme, code)
    assert mapped.is_mapped is True
    assert mapped.status is TrackingStatus(status)
    assert mapped.reason == (None if reason is None else Reason(reason))
    assert mapped.milestone == (None if milestone is None else Milestone(milestone))
    assert mapped.action is ActionRequired(action)


def test_codes_match_without_blanks_and_case() -> None:
    assert map_event("upu", " emi ").code == "EMI"
    assert map_event("upu", " emi ").status is TrackingStatus.DELIVERED


def test_an_unmapped_code_is_unknown_and_flagged_never_in_transit() -> None:
    mapped = map_event("usps", "X9")
    assert mapped.status is TrackingStatus.UNKNOWN
    assert mapped.is_mapped is False
    assert mapped.code == "X9"
    assert mapped.action is ActionRequired.OPERATOR
    assert mapped.milestone is None


def test_an_unknown_scheme_is_unmapped_not_an_error() -> None:
    mapped = map_event("correos-private", "EMI")
    assert (mapped.scheme, mapped.code, mapped.status, mapped.is_mapped) == (
        "correos-private",
        "EMI",
        TrackingStatus.UNKNOWN,
        False,
    )


def test_load_code_table_names_the_known_schemes_for_a_missing_one() -> None:
    with pytest.raises(KeyError, match="known: upu, usps"):
        load_code_table("nope")


HEADER = "code,status,reason,milestone,action,description,source\n"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("EMA,in_transitt,,,none,x,src\n", r"test\.csv line 2: 'in_transitt'"),
        ("EMA,in_transit,,,nobody,x,src\n", r"line 2: 'nobody'"),
        ("EMA,in_transit,,moon,none,x,src\n", r"line 2: 'moon'"),
        ("EMA,in_transit,,,none,x,\n", "code and source are required"),
        ("EMA,unknown,,,none,x,src\n", "'unknown' is for absent codes"),
        ("EMA,in_transit,,,none,x,src\nema,delivered,,,none,y,src\n", "line 3: duplicate code EMA"),
    ],
)
def test_a_bad_row_fails_the_load(body: str, message: str) -> None:
    with pytest.raises(CodeTableError, match=message):
        parse_code_table("test", HEADER + body)


def test_wrong_columns_fail_the_load() -> None:
    with pytest.raises(CodeTableError, match="columns must be"):
        parse_code_table("test", "code,status\nEMA,in_transit\n")


def test_every_event_of_the_recorded_usps_response_has_a_mapped_code() -> None:
    from pathlib import Path

    from postbridge.carriers.usps.adapter import TRACKING_CODE_SCHEME
    from postbridge.carriers.usps.wire import parse_tracking_detail

    fixture = Path(__file__).parents[2] / "fixtures" / "usps" / "usps_tracking_response.json"
    events = parse_tracking_detail(fixture.read_bytes()).events
    mapped = [map_event(TRACKING_CODE_SCHEME, event.event_code or "") for event in events]
    assert len(events) == 12
    assert [m.code for m in mapped if not m.is_mapped] == []
    assert [m.status.value for m in mapped] == [
        "delivered", "out_for_delivery", "in_transit", "in_transit", "in_transit", "in_transit",
        "in_transit", "in_transit", "in_transit", "in_transit", "in_transit", "info_received",
    ]  # fmt: skip
