"""Request bodies to bytes: one orjson call, the same bytes for the same dict (insertion order
is the builders' order), so recorded requests compare byte for byte."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson


def encode_body(payload: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> bytes:
    return orjson.dumps(payload)
