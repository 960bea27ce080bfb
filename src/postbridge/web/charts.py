"""Charts as inline SVG, built on the server (no script, so the console's content policy and
pages without JavaScript both hold). Pure: values in, markup out.

Every chart is a ``<figure>``: the SVG has ``role="img"`` and is named by its ``<title>`` and
described by a ``<desc>`` summing it up, and a ``<details>`` table under it gives every number
as text, for screen readers and for anyone who wants the figures. Labels are escaped (they come
from data: partner names, countries). A chart with nothing to show is a sentence, not an
empty frame. Colours keep 3:1 against white (graphical objects, WCAG 1.4.11) and text 4.5:1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
INK = "#1d2330"
MUTED = "#4f5868"
GRID = "#c9ced8"
# Distinct hues, each at least 4.5:1 on white, in the order series take them.
PALETTE = ("#0b6e4f", "#1a56db", "#a4221b", "#8a6100", "#6b3fa0", "#00657a", "#b8336a", MUTED)
LABEL_CHARACTERS = 14


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    shown: str | None = None  # the value as printed ("93.1 %"); the number itself by default
    colour: str = PALETTE[0]

    @property
    def text(self) -> str:
        return self.shown if self.shown is not None else _number(self.value)


@dataclass(frozen=True, slots=True)
class Series:
    """One layer of a stacked chart: its value in each category, in the categories' order."""

    name: str
    values: Sequence[float]


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1] + "…"


def _svg_open(chart_id: str, title: str, summary: str, height: int) -> str:
    return (
        f'<svg id="{escape(chart_id)}" class="chart" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(summary)}</desc>'
    )


def _figure(chart_id: str, svg: str, table: str) -> Markup:
    return Markup(
        f'<figure class="chart-figure" id="{escape(chart_id)}-figure">{svg}'
        f"<details><summary>The numbers</summary>{table}</details></figure>"
    )


def _empty(chart_id: str, message: str) -> Markup:
    return Markup(
        f'<p class="chart-empty muted" id="{escape(chart_id)}-empty">{escape(message)}</p>'
    )


def _table(caption: str, headings: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headings)
    body = "".join(
        "<tr>"
        + f'<th scope="row">{escape(row[0])}</th>'
        + "".join(f"<td>{escape(cell)}</td>" for cell in row[1:])
        + "</tr>"
        for row in rows
    )
    return (
        f'<table class="chart-data"><caption>{escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def bar_chart(
    *, chart_id: str, title: str, bars: Sequence[Bar], value_heading: str,
    empty: str, maximum: float | None = None, horizontal: bool = False,
) -> Markup:  # fmt: skip
    """Bars proportional to the values (to ``maximum`` when given: 100 for percentages, so a
    half bar always reads 50 %): vertical, or ``horizontal`` for many or long labels (lanes
    side by side would run into each other on a narrow screen)."""
    top = max([bar.value for bar in bars] + [maximum or 0])
    if not bars or top <= 0:
        return _empty(chart_id, empty)
    if horizontal:
        svg = _horizontal_bars(chart_id, title, bars, top)
        rows = [(bar.label, bar.text) for bar in bars]
        return _figure(chart_id, svg, _table(title, ("", value_heading), rows))
    height, head, foot = 240, 24, 40
    plot = height - head - foot
    slot = (WIDTH - 16) / len(bars)
    width = round(slot * 0.6, 1)
    parts = [
        _svg_open(chart_id, title, _bar_summary(bars), height),
        f'<line x1="8" y1="{head + plot}" x2="{WIDTH - 8}" y2="{head + plot}" stroke="{GRID}"/>',
    ]
    for index, bar in enumerate(bars):
        bar_height = round(bar.value / top * plot, 1)
        x = round(8 + slot * index + (slot - width) / 2, 1)
        middle = round(8 + slot * index + slot / 2, 1)
        parts.append(
            f'<rect class="bar" x="{x}" y="{round(head + plot - bar_height, 1)}" width="{width}" '
            f'height="{bar_height}" fill="{bar.colour}"><title>{escape(bar.label)}: '
            f"{escape(bar.text)}</title></rect>"
            f'<text x="{middle}" y="{round(head + plot - bar_height - 6, 1)}" '
            f'text-anchor="middle" font-size="13" fill="{INK}">{escape(bar.text)}</text>'
            f'<text x="{middle}" y="{height - foot + 18}" text-anchor="middle" font-size="13" '
            f'fill="{INK}">{escape(_short(bar.label))}</text>'
        )
    parts.append("</svg>")
    rows = [(bar.label, bar.text) for bar in bars]
    return _figure(chart_id, "".join(parts), _table(title, ("", value_heading), rows))


def _horizontal_bars(chart_id: str, title: str, bars: Sequence[Bar], top: float) -> str:
    label_width, row_height, left_pad = 130, 30, 8
    span = WIDTH - label_width - left_pad - 80
    height = row_height * len(bars) + 8
    parts = [_svg_open(chart_id, title, _bar_summary(bars), height)]
    for index, bar in enumerate(bars):
        y = 8 + row_height * index
        length = round(bar.value / top * span, 1)
        parts.append(
            f'<text x="{left_pad}" y="{y + 16}" font-size="14" fill="{INK}">'
            f"{escape(_short(bar.label))}</text>"
            f'<rect class="bar" x="{label_width}" y="{y}" width="{length}" height="22" '
            f'fill="{bar.colour}"><title>{escape(bar.label)}: {escape(bar.text)}</title></rect>'
            f'<text x="{round(label_width + length + 6, 1)}" y="{y + 16}" font-size="14" '
            f'fill="{INK}">{escape(bar.text)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _bar_summary(bars: Sequence[Bar]) -> str:
    return "; ".join(f"{bar.label}: {bar.text}" for bar in bars)


def stacked_bar_chart(
    *, chart_id: str, title: str, categories: Sequence[str], series: Sequence[Series], empty: str
) -> Markup:
    """One horizontal bar per category, split into the series; bar lengths proportional to
    the category totals, so the longest total fills the width."""
    totals = [sum(layer.values[index] for layer in series) for index in range(len(categories))]
    if not categories or not series or max(totals) <= 0:
        return _empty(chart_id, empty)
    label_width, row_height, left_pad = 110, 40, 8
    span = WIDTH - label_width - left_pad - 60
    height = row_height * len(categories) + 8
    summary = "; ".join(
        f"{category}: {_number(total)} ("
        + ", ".join(f"{layer.name} {_number(layer.values[index])}" for layer in series)
        + ")"
        for index, (category, total) in enumerate(zip(categories, totals, strict=True))
    )
    parts = [_svg_open(chart_id, title, summary, height)]
    top = max(totals)
    for index, category in enumerate(categories):
        y = 8 + row_height * index
        parts.append(
            f'<text x="{left_pad}" y="{y + 21}" font-size="14" fill="{INK}">'
            f"{escape(_short(category))}</text>"
        )
        x = float(label_width)
        for colour, layer in zip(_colours(len(series)), series, strict=True):
            value = layer.values[index]
            if value <= 0:
                continue
            length = round(value / top * span, 1)
            parts.append(
                f'<rect class="segment" x="{round(x, 1)}" y="{y}" width="{length}" height="28" '
                f'fill="{colour}" stroke="#fff" stroke-width="1"><title>{escape(category)}, '
                f"{escape(layer.name)}: {_number(value)}</title></rect>"
            )
            x += length
        parts.append(
            f'<text x="{round(x + 6, 1)}" y="{y + 21}" font-size="14" fill="{INK}">'
            f"{_number(totals[index])}</text>"
        )
    parts.append("</svg>")
    legend = "".join(
        f'<li><svg width="14" height="14" aria-hidden="true" focusable="false">'
        f'<rect width="14" height="14" fill="{colour}"/></svg> {escape(layer.name)}</li>'
        for colour, layer in zip(_colours(len(series)), series, strict=True)
    )
    rows = [(layer.name, *(_number(value) for value in layer.values)) for layer in series] + [
        ("Total", *(_number(total) for total in totals))
    ]
    table = _table(title, ("", *categories), rows)
    svg = "".join(parts) + f'<ul class="chart-legend" aria-hidden="true">{legend}</ul>'
    return _figure(chart_id, svg, table)


def _colours(count: int) -> list[str]:
    return [PALETTE[index % len(PALETTE)] for index in range(count)]


def line_chart(
    *, chart_id: str, title: str, points: Sequence[Bar], value_heading: str, empty: str
) -> Markup:
    """A line through the values in order (a day per point, say), the highest at the top."""
    top = max((point.value for point in points), default=0)
    if len(points) < 2 or top <= 0:
        return _empty(chart_id, empty)
    height, head, foot, left = 160, 20, 28, 8
    plot = height - head - foot
    step = (WIDTH - 2 * left) / (len(points) - 1)
    coordinates = [
        (round(left + step * index, 1), round(head + plot - point.value / top * plot, 1))
        for index, point in enumerate(points)
    ]
    line = " ".join(f"{x},{y}" for x, y in coordinates)
    peak = max(range(len(points)), key=lambda index: points[index].value)
    summary = (
        f"{len(points)} points from {points[0].label} to {points[-1].label}; "
        f"highest {points[peak].text} on {points[peak].label}; last {points[-1].text}"
    )
    parts = [
        _svg_open(chart_id, title, summary, height),
        f'<line x1="{left}" y1="{head + plot}" x2="{WIDTH - left}" y2="{head + plot}" '
        f'stroke="{GRID}"/>',
        f'<polyline class="line" points="{line}" fill="none" stroke="{PALETTE[1]}" '
        'stroke-width="2.5" stroke-linejoin="round"/>',
    ]
    parts.extend(
        f'<circle cx="{x}" cy="{y}" r="3" fill="{PALETTE[1]}"><title>{escape(point.label)}: '
        f"{escape(point.text)}</title></circle>"
        for (x, y), point in zip(coordinates, points, strict=True)
    )
    parts.append(
        f'<text x="{left}" y="{height - 8}" font-size="13" fill="{INK}">'
        f"{escape(points[0].label)}</text>"
        f'<text x="{WIDTH - left}" y="{height - 8}" text-anchor="end" font-size="13" '
        f'fill="{INK}">{escape(points[-1].label)}</text>'
        f'<text x="{coordinates[peak][0]}" y="{max(12.0, coordinates[peak][1] - 6)}" '
        f'text-anchor="middle" font-size="13" fill="{INK}">{escape(points[peak].text)}</text>'
        "</svg>"
    )
    rows = [(point.label, point.text) for point in points]
    return _figure(chart_id, "".join(parts), _table(title, ("", value_heading), rows))
