"""Just enough of OpenAPI 3.0's schema language to check a request body against USPS's own
OpenAPI file (jsonschema is not a dependency). Covers what labels.yaml and tracking-v3r2.yaml
use on the request side: $ref, allOf, oneOf, type, required, properties,
additionalProperties: false, enum, pattern, min/maxLength, minimum, exclusiveMinimum
(3.0's boolean form), min/maxItems, items, format date / date-time."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

SHARED_OPENAPI = Path(__file__).resolve().parents[5] / "shared" / "reference" / "usps-openapi"

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,), "array": (list,), "string": (str,), "boolean": (bool,),
    "integer": (int,), "number": (int, float),
}  # fmt: skip


def load_schemas(file_name: str) -> dict[str, Any]:
    document = yaml.safe_load((SHARED_OPENAPI / file_name).read_text())
    return document["components"]["schemas"]  # type: ignore[no-any-return]


def problems(
    value: Any, schema: dict[str, Any], schemas: dict[str, Any], at: str = ""
) -> list[str]:
    """Every way ``value`` breaks ``schema``, as ``path: reason`` lines; empty when it fits."""
    if "$ref" in schema:
        return problems(value, schemas[schema["$ref"].rsplit("/", 1)[1]], schemas, at)
    found: list[str] = []
    for part in schema.get("allOf", ()):
        found += problems(value, part, schemas, at)
    if "oneOf" in schema:
        fits = [not problems(value, part, schemas, at) for part in schema["oneOf"]]
        if fits.count(True) != 1:
            found.append(f"{at}: fits {fits.count(True)} of the oneOf branches, not exactly 1")
    kind = schema.get("type")
    if kind is not None:
        is_bool = isinstance(value, bool)
        if not isinstance(value, _TYPES[kind]) or (is_bool and kind != "boolean"):
            return [*found, f"{at}: expected {kind}, got {type(value).__name__}"]
    if isinstance(value, dict):
        found += _object_problems(value, schema, schemas, at)
    elif isinstance(value, list):
        if len(value) < schema.get("minItems", 0) or len(value) > schema.get("maxItems", 1 << 30):
            found.append(f"{at}: {len(value)} items")
        if "items" in schema:
            for index, item in enumerate(value):
                found += problems(item, schema["items"], schemas, f"{at}[{index}]")
    elif isinstance(value, str):
        found += _string_problems(value, schema, at)
    elif isinstance(value, int | float) and not isinstance(value, bool) and "minimum" in schema:
        low = schema["minimum"]
        if value < low or (schema.get("exclusiveMinimum") is True and value == low):
            found.append(f"{at}: {value} below the minimum {low}")
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{at}: {value!r} not in the enum")
    return found


def _object_problems(
    value: dict[str, Any], schema: dict[str, Any], schemas: dict[str, Any], at: str
) -> list[str]:
    found = [f"{at}.{name}: required" for name in schema.get("required", ()) if name not in value]
    properties = schema.get("properties", {})
    for name, item in value.items():
        if name in properties:
            found += problems(item, properties[name], schemas, f"{at}.{name}")
        elif schema.get("additionalProperties") is False:
            found.append(f"{at}.{name}: not allowed (additionalProperties: false)")
    return found


def _string_problems(value: str, schema: dict[str, Any], at: str) -> list[str]:
    found = []
    if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", 1 << 30):
        found.append(f"{at}: length {len(value)}")
    if "pattern" in schema and not re.search(schema["pattern"], value):
        found.append(f"{at}: {value!r} does not match {schema['pattern']}")
    form = schema.get("format")
    try:
        if form == "date":
            date.fromisoformat(value)
        elif form == "date-time" and (len(value) <= 10 or datetime.fromisoformat(value) is None):
            found.append(f"{at}: {value!r} is not a date-time")
    except ValueError:
        found.append(f"{at}: {value!r} is not a {form}")
    return found
