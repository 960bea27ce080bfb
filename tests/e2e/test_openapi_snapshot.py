"""The OpenAPI document equals the committed snapshot: API changes are deliberate and reviewed.

Regenerate after an intended change (then review and commit the diff):

    POSTBRIDGE_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/e2e/test_openapi_snapshot.py
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from postbridge.app import create_app
from postbridge.bootstrap import Platform

SNAPSHOT = Path(__file__).parents[1] / "fixtures" / "openapi.json"
REGENERATE = "POSTBRIDGE_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/e2e/test_openapi_snapshot.py"
DIFF_LINES = 80


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_openapi_matches_the_committed_snapshot(platform: Platform) -> None:
    current = render(create_app(platform=platform).openapi())
    if os.environ.get("POSTBRIDGE_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(current, encoding="utf-8")
        return
    committed = SNAPSHOT.read_text(encoding="utf-8") if SNAPSHOT.exists() else ""
    if current == committed:
        return
    diff = list(
        difflib.unified_diff(
            committed.splitlines(),
            current.splitlines(),
            fromfile="tests/fixtures/openapi.json (committed)",
            tofile="create_app().openapi() (now)",
            lineterm="",
            n=2,
        )
    )
    shown = "\n".join(diff[:DIFF_LINES])
    more = f"\n... {len(diff) - DIFF_LINES} more diff lines" if len(diff) > DIFF_LINES else ""
    pytest.fail(
        f"the OpenAPI document changed:\n{shown}{more}\n\n"
        f"if the change is intended, regenerate the snapshot and commit it:\n    {REGENERATE}",
        pytrace=False,
    )
