"""Versioned JSON documents: the version check and errors every stored document model shares.

A stored document of version 1 names no version: that is the shape documents had before they
were versioned, and writing none keeps their text, and so the digest that names a shared
document, unchanged. Later versions write ``"version": N``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class DocumentError(ValueError):
    """A stored document that does not have the shape its version promises."""


class DocumentVersionError(DocumentError):
    """A stored document of a version this code does not read."""


def document_version(raw: Mapping[str, Any], kind: str, known: tuple[int, ...]) -> int:
    """The document's version (1 when it names none), or DocumentVersionError."""
    version = raw.get("version", 1)
    if version not in known:
        raise DocumentVersionError(
            f"{kind} document version {version!r} is not one this code reads "
            f"(it reads {', '.join(map(str, known))}); upgrade postbridge to read it"
        )
    return int(version)
