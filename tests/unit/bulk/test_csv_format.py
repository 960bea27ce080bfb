from __future__ import annotations

import csv
import io

import pytest
from tests.csv_builders import csv_row, csv_text

from postbridge.bulk.csv_format import CsvHeaderError, Layout, column_for, read_shipments


def parse(text: str) -> list:
    reader = csv.reader(io.StringIO(text))
    layout = Layout.from_header(next(reader))
    return list(read_shipments(reader, layout))


def test_one_row_per_parcel_with_numbered_items() -> None:
    (parcel,) = parse(
        csv_text([csv_row("A", items=[{}, {"description": "Case", "quantity": "1"}])])
    )
    assert parcel.row_number == 2
    assert parcel.shipment is not None
    assert [i.description for i in parcel.shipment.customs.items] == ["Cotton T-shirt", "Case"]
    assert parcel.item_origins == [(2, 1), (2, 2)]
    assert parcel.locate("customs.items[1].hs_code") == (2, "item2_hs_code")


def test_one_row_per_item_with_blank_line_between() -> None:
    rows = [csv_row("A"), csv_row("A", item1_description="Case"), csv_row("B")]
    text = csv_text(rows)
    lines = text.splitlines()
    text = "\n".join([lines[0], lines[1], "", lines[2], lines[3]]) + "\n"
    first, second = parse(text)
    assert first.shipment is not None
    assert [i.description for i in first.shipment.customs.items] == ["Cotton T-shirt", "Case"]
    assert first.item_origins == [(2, 1), (4, 1)]
    assert first.locate("customs.items[1].quantity") == (4, "item1_quantity")
    assert second.row_number == 5


def test_shape_problems_name_the_column() -> None:
    (parcel,) = parse(csv_text([csv_row("A", weight_g="1.5 kg", item1_unit_value="abc")]))
    assert parcel.shipment is None
    assert {p.field for p in parcel.problems} == {"weight_g", "item1_unit_value"}


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("reference,weight_g\n", "missing required column(s): sender_street1, sender_country, "),
        ("reference,reference\n", "appears twice"),
        ("reference,colour\n", "unknown column(s) 'colour'"),
    ],
)
def test_header_errors(header: str, message: str) -> None:
    with pytest.raises(CsvHeaderError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Layout.from_header(next(csv.reader(io.StringIO(header))))


def test_column_for_maps_domain_paths() -> None:
    assert column_for("recipient.postal_code") == "recipient_postal_code"
    assert column_for("sender.street_lines") == "sender_street1"
    assert column_for("recipient.street_lines[1]") == "recipient_street2"
    assert column_for("parcel.weight_g") == "weight_g"
    assert column_for("customs.items[2].unit_value.amount") == "item3_unit_value"
    assert column_for("customs.items") == "item1_description"
    assert column_for("customs.category") == "customs_category"
