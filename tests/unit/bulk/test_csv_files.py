"""CSV files as merchants' tools save them: encodings, delimiters, whole-file problems, repeated
rows and the column each problem names."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from tests.csv_builders import csv_row, csv_text

from postbridge.bulk.csv_format import (
    CsvHeaderError,
    CsvShipment,
    Layout,
    read_shipments,
    template_header,
)
from postbridge.bulk.reading import SAVE_AS_UTF8, CsvChunker, detect_encoding, inspect_csv
from postbridge.customs import validate_declaration
from postbridge.customs.model import CustomsItemInput, DeclarationInput
from postbridge.errors import ProblemList
from postbridge.kit.money import Money

CHINESE = {"sender_name": "李伟", "sender_street1": "南山区科技园科苑路8号"}


def read_file(path: Path, *, encoding: str = "utf-8-sig") -> list[CsvShipment]:
    """Parcels as bulk capture reads them: the chunker over a handle opened as batches opens
    it, each chunk's text parsed as a worker parses it."""
    with path.open(newline="", encoding=encoding) as handle:
        chunker = CsvChunker(handle)
        header = chunker.header()
        assert header is not None
        layout = Layout.from_header(header)
        parcels = []
        for task in chunker.tasks(layout, resume_after=1, chunk_rows=2):
            reader = csv.reader(io.StringIO(task.text, newline=""))
            parcels += read_shipments(reader, layout, first_row=task.first_row)
    return parcels


def delimited(rows: list[dict[str, str]], delimiter: str) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=template_header(2), delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


@pytest.mark.parametrize("codec", ["gbk", "gb18030"])
def test_a_file_saved_by_chinese_excel_reads_as_gb18030(tmp_path: Path, codec: str) -> None:
    path = tmp_path / "orders.csv"
    rows = [csv_row("A", **CHINESE, item1_description="棉质T恤"), csv_row("B")]
    path.write_bytes(csv_text(rows).encode(codec))
    found = inspect_csv(path)
    assert (found.encoding, found.delimiter) == ("gb18030", ",")
    first, second = read_file(path)
    assert first.shipment is not None
    assert second.shipment is not None
    assert first.shipment.sender.name == "李伟"
    assert first.shipment.sender.street_lines == ("南山区科技园科苑路8号",)
    assert first.shipment.customs.items[0].description == "棉质T恤"


def test_gbk_whose_only_chinese_is_short_names_is_still_gbk(tmp_path: Path) -> None:
    # charset-normalizer alone reads these as Korean (cp949) or Big5.
    path = tmp_path / "names.csv"
    names = ["李伟", "王芳", "张伟", "刘洋", "陈静"]
    path.write_bytes(csv_text([csv_row(f"N-{n}", sender_name=n) for n in names]).encode("gbk"))
    assert inspect_csv(path).encoding == "gb18030"
    assert [p.shipment.sender.name for p in read_file(path) if p.shipment] == names


def test_another_code_page_is_refused_saying_how_to_save_utf8(tmp_path: Path) -> None:
    path = tmp_path / "west.csv"
    path.write_bytes(csv_text([csv_row("A", recipient_name="José Müller")]).encode("cp1252"))
    with pytest.raises(CsvHeaderError) as raised:
        inspect_csv(path)
    assert raised.value.detail == f"the file is neither UTF-8 nor GBK; {SAVE_AS_UTF8}"
    assert [p.field for p in raised.value.problems] == ["file"]
    assert raised.value.http_status == 422
    with pytest.raises(CsvHeaderError, match="neither UTF-8 nor GBK"):
        read_file(path)


def test_utf8_with_a_bom_and_utf16_unicode_text_are_read(tmp_path: Path) -> None:
    bom = tmp_path / "bom.csv"
    bom.write_text(csv_text([csv_row("A", **CHINESE)]), encoding="utf-8-sig")
    unicode_text = tmp_path / "unicode.txt"  # Excel's "Unicode Text": UTF-16, tabs
    unicode_text.write_text(delimited([csv_row("A", **CHINESE)], "\t"), encoding="utf-16")
    assert (inspect_csv(bom).encoding, inspect_csv(bom).delimiter) == ("utf-8-sig", ",")
    found = inspect_csv(unicode_text)
    assert (found.encoding, found.delimiter) == ("utf-16", "\t")
    (parcel,) = read_file(unicode_text)
    assert parcel.shipment is not None
    assert parcel.shipment.sender.name == "李伟"


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_files_read_like_the_comma_file(tmp_path: Path, delimiter: str) -> None:
    rows = [
        csv_row("A", recipient_street1="100 Congress Ave; Suite 2, Floor 3"),
        csv_row("A", item1_description="Phone case"),
        csv_row("B", item1_unit_value="9,90"),
        csv_row("C"),
    ]
    path = tmp_path / "orders.csv"
    path.write_text(delimited(rows, delimiter))
    comma = tmp_path / "comma.csv"
    comma.write_text(csv_text(rows))
    assert inspect_csv(path).delimiter == delimiter
    parcels, expected = read_file(path), read_file(comma)
    assert parcels == expected
    assert [p.row_number for p in parcels] == [2, 4, 5]
    assert parcels[0].shipment is not None
    assert parcels[0].shipment.recipient.street_lines == ("100 Congress Ave; Suite 2, Floor 3",)
    assert [i.description for i in parcels[0].shipment.customs.items] == [
        "Cotton T-shirt",
        "Phone case",
    ]
    assert [(p.field, p.message) for p in parcels[1].problems] == [
        ("item1_unit_value", "'9,90' is not a plain decimal amount such as \"9.90\" "
         "(ASCII digits and an optional point; no exponent, sign, spaces or separators)"),
    ]  # fmt: skip


def test_a_missing_column_is_one_error_for_the_file(tmp_path: Path) -> None:
    header = [
        c for c in template_header(1) if c not in ("weight_g", "sender_name", "sender_company")
    ]
    path = tmp_path / "orders.csv"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, extrasaction="ignore")
    writer.writeheader()
    writer.writerows([csv_row("A"), csv_row("B")])
    path.write_text(buffer.getvalue())
    with pytest.raises(CsvHeaderError) as raised:
        inspect_csv(path)
    assert raised.value.detail == (
        "missing required column(s): weight_g, sender_name or sender_company; add them to the "
        "header (postbridge csv-template prints it; see docs/csv-format.md)"
    )
    assert [p.field for p in raised.value.problems] == ["weight_g", "sender_name"]
    assert {p.code for p in raised.value.problems} == {"invalid_csv"}


def test_every_item_number_needs_its_six_columns() -> None:
    header = [c for c in template_header(2) if c != "item2_hs_code"]
    with pytest.raises(CsvHeaderError) as raised:
        Layout.from_header(header)
    assert [p.field for p in raised.value.problems] == ["item2_hs_code"]


@pytest.mark.parametrize(
    "text", ["", ",".join(template_header(1)) + "\n", ",".join(template_header(1)) + "\n\n,,\n"]
)
def test_an_empty_or_header_only_file_says_it_has_no_rows(tmp_path: Path, text: str) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(text)
    with pytest.raises(CsvHeaderError) as raised:
        inspect_csv(path)
    expected = "the file is empty: expected a header row" if not text else (
        "the file has a header but no rows"
    )  # fmt: skip
    assert raised.value.detail == expected


def test_a_repeated_row_is_a_probable_duplicate_not_a_second_item(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    rows = [
        csv_row("A"),
        csv_row("A"),  # pasted twice
        csv_row("A", item1_description="Phone case"),
        csv_row("A", item1_description="Phone case"),  # repeats line 4
        csv_row("B"),
    ]
    path.write_text(csv_text(rows))
    parcels = {p.row_number: p for p in read_file(path)}
    assert sorted(parcels) == [2, 3, 5, 6]
    booked = parcels[2].shipment
    assert booked is not None
    assert [i.description for i in booked.customs.items] == ["Cotton T-shirt", "Phone case"]
    assert parcels[2].item_origins == [(2, 1), (4, 1)]
    for line, repeated in ((3, 2), (5, 4)):
        assert parcels[line].shipment is None
        assert parcels[line].reference == "A"
        assert [(p.field, p.code, p.message) for p in parcels[line].problems] == [
            ("reference", "duplicate_row",
             f"probable duplicate: this row repeats line {repeated} exactly and was not "
             "booked; for a second item of the same kind raise item1_quantity instead"),
        ]  # fmt: skip
    assert parcels[6].shipment is not None


def test_an_unknown_currency_names_the_currency_column_once() -> None:
    text = csv_text([csv_row("A", currency="XYZ", items=[{}, {"description": "Case"}])])
    reader = csv.reader(io.StringIO(text))
    (parcel,) = read_shipments(reader, Layout.from_header(next(reader)))
    assert [(p.field, p.message) for p in parcel.problems] == [
        ("currency", "unknown ISO 4217 currency 'XYZ'")
    ]


def test_items_heavier_than_the_parcel_point_at_its_weight() -> None:
    text = csv_text([csv_row("A", weight_g="100"), csv_row("B", customs_category="gift")])
    reader = csv.reader(io.StringIO(text))
    with_items, _ = read_shipments(reader, Layout.from_header(next(reader)))
    assert with_items.locate("customs.items") == (2, "weight_g")
    without_items = CsvShipment(7, "C", None)
    assert without_items.locate("customs.items") == (7, "item1_description")


@pytest.mark.parametrize("description", ["clothes", "Clothing", "apparel", "gift"])
def test_a_description_the_format_calls_too_vague_is_refused(description: str) -> None:
    item = CustomsItemInput(
        description=description, quantity=1, unit_value=Money.parse("9.90", "USD"),
        hs_code="610910", origin_country="CN", unit_weight_g=100,
    )  # fmt: skip
    problems = ProblemList()
    declaration = validate_declaration(
        DeclarationInput(category="sale_of_goods", items=(item,)),
        parcel_weight_g=500,
        problems=problems,
    )
    assert declaration is None
    assert [(p.field, p.message) for p in problems.problems] == [
        ("customs.items[0].description",
         f"expected a specific description (such as 'cotton T-shirt'), not {description!r}"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("last_row", "codec", "expected"),
    [("B,李伟\n", "gbk", "gb18030"), ("B,Müller Straße\n", "cp1252", None)],
)
def test_the_encoding_is_judged_where_the_file_stops_being_utf8(
    last_row: str, codec: str, expected: str | None
) -> None:
    # More than the megabyte a sample holds of plain ASCII first, then the one odd row.
    data = ("reference,name\n" + "A,plain ascii row\n" * 70_000 + last_row).encode(codec)
    if expected is None:
        with pytest.raises(CsvHeaderError, match="neither UTF-8 nor GBK"):
            detect_encoding(io.BytesIO(data))
    else:
        assert detect_encoding(io.BytesIO(data)) == expected
