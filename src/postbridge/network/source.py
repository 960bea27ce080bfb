"""Reading definition files while remembering where each value came from.

YAML is parsed twice: ``safe_load`` gives the values and ``compose`` gives the line of every node,
keyed by its path (``("legs", 3, "cutoff")``). CSV rows carry their own line numbers. Field parsers
record a problem instead of raising, so one load reports every mistake at once.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from postbridge.kit.money import MoneyError, currency_exponent
from postbridge.network.errors import DefinitionProblem
from postbridge.network.model import Spread, Weekday

PathKey = tuple[str | int, ...]
E = TypeVar("E", bound=StrEnum)

_DURATION = re.compile(r"^(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m(?:in)?)?$")
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
WEEKDAY_NAMES = {day.name.capitalize(): day for day in Weekday}


def field_name(path: PathKey) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


@dataclass
class Problems:
    items: list[DefinitionProblem] = field(default_factory=list)

    def add(self, file: str, line: int, field_path: str, message: str) -> None:
        self.items.append(DefinitionProblem(file, line, field_path, message))


@dataclass
class YamlDocument:
    """A parsed YAML file: values plus the line of each node path."""

    file: str
    data: Any
    lines: dict[PathKey, int]
    problems: Problems

    @classmethod
    def read(cls, path: Path, problems: Problems) -> YamlDocument:
        text = path.read_text(encoding="utf-8")
        lines: dict[PathKey, int] = {}
        try:
            data = yaml.safe_load(text)
            _record_lines(yaml.compose(text, Loader=yaml.SafeLoader), (), lines)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else 1
            problems.add(path.name, line, "(document)", f"not valid YAML: {exc}")
            data = {}
        return cls(file=path.name, data=data, lines=lines, problems=problems)

    def line(self, path: PathKey) -> int:
        probe = path
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = probe[:-1]
        return self.lines.get((), 1)

    def problem(self, path: PathKey, message: str) -> None:
        self.problems.add(self.file, self.line(path), field_name(path), message)

    def mapping(self, value: Any, path: PathKey) -> dict[str, Any] | None:
        if isinstance(value, dict):
            return value
        self.problem(path, "must be a mapping of fields")
        return None

    def items(self, key: str) -> Iterator[tuple[PathKey, dict[str, Any]]]:
        """Yield (path, mapping) for each entry of a top-level list."""
        values = self.data.get(key) if isinstance(self.data, dict) else None
        if not isinstance(values, list):
            self.problem((key,), "must be a list")
            return
        for index, value in enumerate(values):
            entry = self.mapping(value, (key, index))
            if entry is not None:
                yield (key, index), entry

    def get(self, entry: dict[str, Any], path: PathKey, key: str, *, required: bool = True) -> Any:
        if key not in entry or entry[key] is None:
            if required:
                self.problem((*path, key), "is required")
            return None
        return entry[key]


def _record_lines(node: yaml.Node, path: PathKey, lines: dict[PathKey, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            _record_lines(value_node, (*path, str(key_node.value)), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, (*path, index), lines)


@dataclass(frozen=True, slots=True)
class CsvRow:
    file: str
    line: int
    values: dict[str, str]


def read_csv(path: Path, columns: tuple[str, ...], problems: Problems) -> list[CsvRow]:
    """Read a CSV whose header names ``columns``; ``#`` lines are comments for the analyst."""
    if not path.is_file():
        problems.add(path.name, 1, "(file)", "file not found")
        return []
    rows: list[CsvRow] = []
    with path.open(encoding="utf-8", newline="") as handle:
        lines = ((number, text) for number, text in enumerate(handle, start=1))
        content = [(n, t) for n, t in lines if t.strip() and not t.lstrip().startswith("#")]
    if not content:
        problems.add(path.name, 1, "(header)", "file is empty")
        return []
    reader = csv.reader([text for _, text in content])
    header = [name.strip() for name in next(reader)]
    missing = [name for name in columns if name not in header]
    if missing:
        problems.add(path.name, content[0][0], "(header)", f"missing columns {missing}")
        return []
    for (number, _), cells in zip(content[1:], reader, strict=True):
        if len(cells) != len(header):
            problems.add(
                path.name, number, "(row)", f"has {len(cells)} cells, expected {len(header)}"
            )
            continue
        rows.append(
            CsvRow(path.name, number, dict(zip(header, (c.strip() for c in cells), strict=True)))
        )
    return rows


# --- value parsers: return None after reporting through ``report`` -------------------------


class Report:
    """Where a parser sends its complaint: a YAML path or a CSV row and column."""

    def __init__(self, problems: Problems, file: str, line: int, field_path: str) -> None:
        self.problems, self.file, self.line, self.field_path = problems, file, line, field_path

    def __call__(self, message: str) -> None:
        self.problems.add(self.file, self.line, self.field_path, message)


def at(doc: YamlDocument, path: PathKey) -> Report:
    return Report(doc.problems, doc.file, doc.line(path), field_name(path))


def at_cell(problems: Problems, row: CsvRow, column: str) -> Report:
    return Report(problems, row.file, row.line, column)


def parse_duration(value: Any, report: Report) -> int | None:
    """Minutes from an int (minutes) or a string such as ``"1d 6h"``, ``"90m"``, ``"2h30m"``."""
    if isinstance(value, bool):
        report("must be a duration such as 90m, 4h or 1d6h")
        return None
    if isinstance(value, int):
        if value < 0:
            report("must not be negative")
            return None
        return value
    match = _DURATION.match(str(value).strip()) if isinstance(value, str) else None
    if match is None or not any(match.groups()):
        report(f"{value!r} is not a duration such as 90m, 4h or 1d6h")
        return None
    days, hours, minutes = (int(part or 0) for part in match.groups())
    return days * 1440 + hours * 60 + minutes


def parse_spread(doc: YamlDocument, value: Any, path: PathKey) -> Spread | None:
    entry = doc.mapping(value, path)
    if entry is None:
        return None
    median = parse_duration(doc.get(entry, path, "median"), at(doc, (*path, "median")))
    p90 = parse_duration(doc.get(entry, path, "p90"), at(doc, (*path, "p90")))
    if median is None or p90 is None:
        return None
    if p90 < median:
        doc.problem((*path, "p90"), "must not be shorter than the median")
        return None
    return Spread(median_min=median, p90_min=p90)


def parse_clock(value: Any, report: Report) -> int | None:
    match = _CLOCK.match(str(value).strip()) if value is not None else None
    if match is None:
        report(f"{value!r} is not a local time HH:MM")
        return None
    return int(match.group(1)) * 60 + int(match.group(2))


def parse_weekdays(value: Any, report: Report) -> frozenset[Weekday] | None:
    """``daily``, ``Mon-Fri``, ``Mon,Wed,Fri`` or a YAML list of day names."""
    parts = value if isinstance(value, list) else str(value).replace(" ", "").split(",")
    if parts == ["daily"]:
        return frozenset(Weekday)
    days: set[Weekday] = set()
    for part in parts:
        first, _, last = str(part).partition("-")
        if first not in WEEKDAY_NAMES or (last and last not in WEEKDAY_NAMES):
            report(f"{part!r} is not a weekday (Mon..Sun), a range Mon-Fri or 'daily'")
            return None
        start, end = WEEKDAY_NAMES[first], WEEKDAY_NAMES[last or first]
        span = (end - start) % 7
        days.update(Weekday((start + step) % 7) for step in range(span + 1))
    return frozenset(days)


def parse_int(value: Any, report: Report, *, minimum: int = 0) -> int | None:
    try:
        number = int(str(value).strip()) if not isinstance(value, bool) else None
    except ValueError:
        number = None
    if number is None or number < minimum:
        report(f"{value!r} is not a whole number >= {minimum}")
        return None
    return number


def parse_decimal(value: Any, report: Report, *, low: Decimal, high: Decimal) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or not low <= number <= high:
        report(f"{value!r} is not a number between {low} and {high}")
        return None
    return number


def parse_minor(value: Any, currency: str, report: Report) -> int | None:
    """An amount written as a decimal string ("0.85") in integer minor units of ``currency``."""
    number = parse_decimal(value, report, low=Decimal(0), high=Decimal(10) ** 9)
    if number is None:
        return None
    scaled = number.scaleb(currency_exponent(currency))
    if scaled != scaled.to_integral_value():
        report(f"{value!r} has more decimals than {currency} allows")
        return None
    return int(scaled)


def parse_currency(value: Any, report: Report) -> str | None:
    try:
        currency_exponent(str(value))
    except MoneyError:
        report(f"{value!r} is not an ISO 4217 currency")
        return None
    return str(value).upper()


def parse_zone(value: Any, report: Report) -> str | None:
    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        report(f"{value!r} is not an IANA time zone")
        return None
    return str(value)


def parse_choice(value: Any, choices: type[E], report: Report) -> E | None:
    try:
        return choices(str(value))
    except ValueError:
        report(f"{value!r} is not one of {[c.value for c in choices]}")
        return None


def parse_date(value: Any, report: Report) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        report(f"{value!r} is not a date YYYY-MM-DD")
        return None
