"""CSV cells are read as the JSON API reads its fields: the same amount parser, ASCII whole
numbers, no control characters; a bad cell is that row's error, naming the column."""

from __future__ import annotations

import csv
import io
import time

import pytest
from tests.csv_builders import csv_row, csv_text

from postbridge.bulk.csv_format import CsvShipment, Layout, read_shipments
from postbridge.errors import FieldProblem

NOT_PLAIN = (
    'is not a plain decimal amount such as "9.90" (ASCII digits and an optional point; '
    "no exponent, sign, spaces or separators)"
)
CONTROL = "must not contain control characters"


def read(text: str) -> list[CsvShipment]:
    rows = list(csv.reader(io.StringIO(text)))
    return list(read_shipments(rows[1:], Layout.from_header(rows[0])))


def problems_of(**cells: str) -> list[FieldProblem]:
    good, bad = read(csv_text([csv_row("GOOD-1"), csv_row("BAD-1", **cells)]))
    assert good.problems == []  # the other row is unaffected
    assert good.shipment is not None
    assert bad.shipment is None
    return bad.problems


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("1E999990", f"'1E999990' {NOT_PLAIN}"),
        ("1E999999999", f"'1E999999999' {NOT_PLAIN}"),
        ("1E5000", f"'1E5000' {NOT_PLAIN}"),
        ("1e308", f"'1e308' {NOT_PLAIN}"),
        ("1E400", f"'1E400' {NOT_PLAIN}"),
        ("１２３", f"'１２３' {NOT_PLAIN}"),
        ("١٢٣", f"'١٢٣' {NOT_PLAIN}"),
        ("1_000", f"'1_000' {NOT_PLAIN}"),
        ("1,000", f"'1,000' {NOT_PLAIN}"),
        ("NaN", f"'NaN' {NOT_PLAIN}"),
        ("-1.00", "'-1.00' is negative; amounts start at 0"),
        ("1000000000000000000000000000000", "'100000000000000000000000'... is too long for an "
         "amount (at most 24 characters)"),
        ("1000000000.01", "'1000000000.01' is above the maximum amount of 1000000000"),
        ("9.999", "'9.999' has more than 2 decimals for USD"),
    ],
)  # fmt: skip
def test_hostile_unit_values_are_the_rows_error(cell: str, message: str) -> None:
    started = time.perf_counter()
    problems = problems_of(item1_unit_value=cell)
    assert time.perf_counter() - started < 1.0  # "1E999990" froze bulk capture before
    assert problems == [FieldProblem("item1_unit_value", message, "invalid_amount")]


def test_a_second_item_names_its_own_column() -> None:
    text = csv_text([csv_row("BAD-2", items=[{}, {"unit_value": "1E999990"}])])
    [bad] = read(text)
    assert bad.problems == [
        FieldProblem("item2_unit_value", f"'1E999990' {NOT_PLAIN}", "invalid_amount")
    ]


@pytest.mark.parametrize("cell", ["１２３", "١٢٣", "1_000", "+450", "-450", "4.5e2", "450.0"])
def test_whole_numbers_are_ascii_digits(cell: str) -> None:
    assert problems_of(weight_g=cell) == [
        FieldProblem("weight_g", f"expected a whole number, not {cell!r}")
    ]


def test_item_quantities_are_ascii_digits() -> None:
    assert problems_of(item1_quantity="２") == [
        FieldProblem("item1_quantity", "expected a whole number, not '２'")
    ]


@pytest.mark.parametrize(
    ("column", "cell", "found"),
    [
        ("reference", "BAD\x00-3", "U+0000 at position 3"),
        ("recipient_name", "Jane\x01Doe", "U+0001 at position 4"),
        ("recipient_street1", "1 Main St\x1b", "U+001B at position 9"),
        ("sender_company", "Acme\x7f", "U+007F at position 4"),
        ("item1_description", "Cotton\x00T-shirt", "U+0000 at position 6"),
        ("customs_explanation", "see\x00attached", "U+0000 at position 3"),
    ],
)
def test_control_characters_are_the_rows_error(column: str, cell: str, found: str) -> None:
    bad_row = csv_row("BAD-3")
    bad_row[column] = cell
    good, bad = read(csv_text([csv_row("GOOD-3"), bad_row]))
    assert good.problems == []
    assert bad.shipment is None
    assert bad.problems == [FieldProblem(column, f"{CONTROL} ({found})", "control_character")]


def test_free_text_keeps_tab_and_line_breaks() -> None:
    [row] = read(csv_text([csv_row("OK-4", customs_explanation="line one\nline\ttwo")]))
    assert row.problems == []
    assert row.shipment is not None
    assert row.shipment.customs.explanation == "line one\nline\ttwo"
