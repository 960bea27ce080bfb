"""The dashboard's SVG charts: exact structure, bars proportional to the values, labels
escaped, a sentence instead of a chart when there is nothing to draw."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from postbridge.web.charts import (
    PALETTE,
    Bar,
    Series,
    bar_chart,
    line_chart,
    stacked_bar_chart,
)

SVG = "{http://www.w3.org/2000/svg}"


def parsed(markup: str) -> ET.Element:
    # The figure is well-formed XML as well as HTML: parse it to read the geometry.
    return ET.fromstring(str(markup))


def test_bar_heights_are_proportional_to_the_values() -> None:
    figure = parsed(
        bar_chart(
            chart_id="c", title="Parcels by country", value_heading="Parcels", empty="none",
            bars=[Bar("US", 10), Bar("BR", 5), Bar("FR", 0)],
        )
    )  # fmt: skip
    rects = figure.findall(f".//{SVG}rect")
    assert [float(r.attrib["height"]) for r in rects] == [176.0, 88.0, 0.0]
    # All bars stand on the same baseline, the plot's bottom (24 + 176).
    assert {float(r.attrib["y"]) + float(r.attrib["height"]) for r in rects} == {200.0}
    assert [r.attrib["fill"] for r in rects] == [PALETTE[0]] * 3


def test_a_maximum_scales_percentages_to_the_full_height() -> None:
    figure = parsed(
        bar_chart(
            chart_id="c", title="On time", value_heading="Rate", empty="none", maximum=100,
            bars=[Bar("FR → US", 50, "50 %")],
        )
    )  # fmt: skip
    [rect] = figure.findall(f".//{SVG}rect")
    assert rect.attrib["height"] == "88.0"


def test_the_chart_is_an_image_named_by_its_title_with_its_numbers_as_a_table() -> None:
    figure = parsed(
        bar_chart(
            chart_id="vol", title="Parcels by country", value_heading="Parcels", empty="none",
            bars=[Bar("US", 1200), Bar("BR", 5)],
        )
    )  # fmt: skip
    assert figure.tag == "figure"
    svg = figure.find(f"{SVG}svg")
    assert svg is not None
    assert (svg.attrib["role"], svg.attrib["aria-labelledby"]) == ("img", "vol-title vol-desc")
    assert svg.findtext(f"{SVG}title") == "Parcels by country"
    assert svg.findtext(f"{SVG}desc") == "US: 1,200; BR: 5"
    table = figure.find("details/table")
    assert table is not None
    assert table.findtext("caption") == "Parcels by country"
    assert [th.attrib["scope"] for th in table.iter("th")] == ["col", "col", "row", "row"]
    rows = [[cell.text for cell in row] for row in table.iter("tr")]
    assert rows == [[None, "Parcels"], ["US", "1,200"], ["BR", "5"]]


def test_labels_are_escaped_everywhere() -> None:
    markup = str(
        bar_chart(
            chart_id="x", title="<b>T</b>", value_heading="n", empty="none",
            bars=[Bar("<script>alert(1)</script>", 3)],
        )
    )  # fmt: skip
    assert "<script>" not in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup  # in the title and the table
    assert "&lt;b&gt;T&lt;/b&gt;" in markup
    parsed(markup)  # still well formed


def test_no_data_is_a_sentence_not_an_empty_frame() -> None:
    for markup in (
        bar_chart(chart_id="e", title="T", value_heading="n", bars=[], empty="Nothing <yet>."),
        bar_chart(chart_id="e", title="T", value_heading="n", bars=[Bar("US", 0)],
                  empty="Nothing <yet>."),
        stacked_bar_chart(chart_id="e", title="T", categories=["Today"],
                          series=[Series("booked", [0])], empty="Nothing <yet>."),
        line_chart(chart_id="e", title="T", value_heading="n",
                   points=[Bar("1", 0), Bar("2", 0)], empty="Nothing <yet>."),
    ):  # fmt: skip
        assert str(markup) == '<p class="chart-empty muted" id="e-empty">Nothing &lt;yet&gt;.</p>'


def test_stacked_segments_share_the_longest_total_and_sum_per_category() -> None:
    figure = parsed(
        stacked_bar_chart(
            chart_id="s", title="Booked", categories=["Today", "This week"], empty="none",
            series=[Series("booked", [1, 4]), Series("delivered", [1, 4]), Series("held", [0, 2])],
        )
    )  # fmt: skip
    segments = figure.findall(f".//{SVG}rect[@class='segment']")
    # The span is 640 - 110 - 8 - 60 = 462 units for the week's 10 parcels; a zero draws none.
    assert [(s.attrib["x"], s.attrib["width"]) for s in segments] == [
        ("110.0", "46.2"), ("156.2", "46.2"),
        ("110.0", "184.8"), ("294.8", "184.8"), ("479.6", "92.4"),
    ]  # fmt: skip
    assert [s.attrib["fill"] for s in segments] == [PALETTE[0], PALETTE[1]] + list(PALETTE[:3])
    table = figure.find("details/table")
    assert table is not None
    rows = [[cell.text for cell in row] for row in table.iter("tr")]
    assert rows == [
        [None, "Today", "This week"], ["booked", "1", "4"], ["delivered", "1", "4"],
        ["held", "0", "2"], ["Total", "2", "10"],
    ]  # fmt: skip
    svg = figure.find(f"{SVG}svg")
    assert svg is not None
    assert svg.findtext(f"{SVG}desc") == (
        "Today: 2 (booked 1, delivered 1, held 0); This week: 10 (booked 4, delivered 4, held 2)"
    )
    legend = figure.find("ul")
    assert legend is not None
    assert legend.attrib["aria-hidden"] == "true"


def test_a_line_runs_through_every_point_with_the_highest_at_the_top() -> None:
    figure = parsed(
        line_chart(
            chart_id="d", title="Per day", value_heading="Parcels", empty="none",
            points=[Bar("01 Dec", 2), Bar("02 Dec", 4), Bar("03 Dec", 0)],
        )
    )  # fmt: skip
    polyline = figure.find(f".//{SVG}polyline")
    assert polyline is not None
    # 112 units of plot under a 20-unit head: 4 at the top (y 20), 2 half-way, 0 on the axis.
    assert polyline.attrib["points"] == "8.0,76.0 320.0,20.0 632.0,132.0"
    assert len(figure.findall(f".//{SVG}circle")) == 3
    svg = figure.find(f"{SVG}svg")
    assert svg is not None
    assert svg.findtext(f"{SVG}desc") == (
        "3 points from 01 Dec to 03 Dec; highest 4 on 02 Dec; last 0"
    )


def test_long_labels_are_shortened_under_the_bars_but_whole_in_the_table() -> None:
    markup = str(
        bar_chart(
            chart_id="l", title="T", value_heading="n", empty="none",
            bars=[Bar("a-very-long-partner-name", 1)],
        )
    )  # fmt: skip
    assert re.search(r">a-very-long-p…</text>", markup)
    assert '<th scope="row">a-very-long-partner-name</th>' in markup


def test_horizontal_bars_are_as_long_as_their_share_of_the_maximum() -> None:
    figure = parsed(
        bar_chart(
            chart_id="h", title="On time by lane", value_heading="Rate", empty="none",
            maximum=100, horizontal=True,
            bars=[Bar("FR → US", 100, "100 %"), Bar("<i>DE</i> → BR", 50, "50 %", colour="#a4221b")],
        )
    )  # fmt: skip
    rects = figure.findall(f".//{SVG}rect")
    # 640 wide less 130 of labels, 8 of margin and 80 for the value: 422 units for 100 %.
    assert [(r.attrib["x"], r.attrib["width"], r.attrib["fill"]) for r in rects] == [
        ("130", "422.0", PALETTE[0]), ("130", "211.0", "#a4221b"),
    ]  # fmt: skip
    texts = [t.text for t in figure.iter(f"{SVG}text")]
    assert texts == ["FR → US", "100 %", "<i>DE</i> → BR", "50 %"]  # text, not markup
