"""The wire package stays pure: builders and parsers only, no HTTP, storage or sockets."""

from __future__ import annotations

import ast
from pathlib import Path

import postbridge.carriers.usps.wire as wire

ALLOWED_TOP_LEVEL = {
    "__future__", "base64", "binascii", "collections", "dataclasses", "datetime", "decimal",
    "enum", "hashlib", "hmac", "typing", "typing_extensions", "pydantic", "orjson", "postbridge",
}  # fmt: skip
ALLOWED_PLATFORM = ("postbridge.carriers.usps.wire", "postbridge.errors", "postbridge.kit",
                    "postbridge.identifiers")  # fmt: skip


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


def test_wire_modules_import_nothing_that_does_io() -> None:
    package = Path(wire.__file__).parent
    found = {module for path in package.glob("*.py") for module in imported_modules(path)}

    assert {module.split(".")[0] for module in found} <= ALLOWED_TOP_LEVEL
    platform = {module for module in found if module.startswith("postbridge")}
    assert all(module.startswith(ALLOWED_PLATFORM) for module in platform), platform
