"""Post profiles: what sets one post apart from another behind the UPU exchanges, as data.

One YAML file per post in a profiles folder (the shipped ones are in ``profiles/``)::

    partner: CORREOS            # the network's partner code (network.yaml ``partners``)
    name: Correos (Spain)
    country: ES                 # ISO 3166-1 alpha-2
    capabilities: []            # of postbridge.carriers.Capability the post is served with
    advance_data:               # optional: what this post requires beyond every post's minimum
      required: [addressee.phone, addressee.tax_id]   # paths in the advance-data message
      latin_script: [addressee.name]                  # fields that must be written in Latin
    event_codes:                # optional: the post's own event codes, read as the UPU code
      BDE: EMH                  # they stand for (code additions)

``default.yaml`` (partner ``"*"``) serves every post without a file of its own. Adding a post is
a file here, not code: the UPU-style wire (``upu.wire``) reads the differences from the
profile, and where the post is reached comes from the partners file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from postbridge.carriers.adapter import Capability

DEFAULT_PARTNER = "*"
FIELDS = frozenset(
    {"partner", "name", "country", "capabilities", "source", "advance_data", "event_codes"}
)
ADVANCE_DATA_FIELDS = frozenset({"required", "latin_script"})
# What the UPU adapter itself provides or leaves out, whatever a profile says.
NOT_CONFIGURABLE = frozenset({Capability.PARTNER_NUMBERS, Capability.LABEL_BLOCK})


class ProfileError(ValueError):
    """A profile file that cannot be used, naming the file and the field."""


@dataclass(frozen=True, slots=True)
class PostProfile:
    partner: str
    name: str
    country: str | None
    capabilities: frozenset[Capability]
    source: str | None = None  # where the post's rules were read
    required_fields: tuple[str, ...] = ()  # advance-data message paths the post insists on
    latin_script_fields: tuple[str, ...] = ()  # message paths that must be Latin script
    event_codes: Mapping[str, str] = field(default_factory=dict)  # own code -> UPU code


def shipped_profiles() -> Traversable:
    return resources.files("postbridge.carriers.upu").joinpath("profiles")


def load_profiles(folder: Traversable | Path | None = None) -> dict[str, PostProfile]:
    """Every ``*.yaml`` profile of ``folder`` (default: the shipped ones), by partner code."""
    root: Traversable = shipped_profiles() if folder is None else folder
    profiles: dict[str, PostProfile] = {}
    for entry in sorted(root.iterdir(), key=lambda item: item.name):
        if not entry.name.endswith(".yaml"):
            continue
        profile = parse_profile(yaml.safe_load(entry.read_text("utf-8")), source=entry.name)
        if profile.partner in profiles:
            raise ProfileError(f"{entry.name}: partner {profile.partner!r} has two profiles")
        profiles[profile.partner] = profile
    if DEFAULT_PARTNER not in profiles:
        raise ProfileError(f"no default profile (partner {DEFAULT_PARTNER!r}) in {root}")
    return profiles


def parse_profile(raw: Any, *, source: str) -> PostProfile:
    if not isinstance(raw, dict):
        raise ProfileError(f"{source}: expected a mapping of profile fields")
    unknown = sorted(set(raw) - FIELDS)
    if unknown:
        raise ProfileError(f"{source}: unknown field {unknown[0]!r}")
    partner, name = raw.get("partner"), raw.get("name")
    if not isinstance(partner, str) or not partner:
        raise ProfileError(f"{source}: partner: expected the network's partner code")
    if not isinstance(name, str) or not name:
        raise ProfileError(f"{source}: name: expected the post's name")
    country = raw.get("country")
    if country is not None and not (isinstance(country, str) and len(country) == 2):
        raise ProfileError(f"{source}: country: expected an ISO alpha-2 code, got {country!r}")
    return PostProfile(
        partner=partner,
        name=name,
        country=country,
        capabilities=_capabilities(raw.get("capabilities") or [], source),
        source=raw.get("source"),
        **_advance_data(raw.get("advance_data") or {}, source),
        event_codes=_event_codes(raw.get("event_codes") or {}, source),
    )


def _advance_data(raw: Any, source: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict):
        raise ProfileError(f"{source}: advance_data: expected a mapping")
    unknown = sorted(set(raw) - ADVANCE_DATA_FIELDS)
    if unknown:
        raise ProfileError(f"{source}: advance_data: unknown field {unknown[0]!r}")
    found = {}
    for key, target in (("required", "required_fields"), ("latin_script", "latin_script_fields")):
        paths = raw.get(key) or []
        if not isinstance(paths, list) or not all(isinstance(p, str) and p for p in paths):
            raise ProfileError(f"{source}: advance_data.{key}: expected a list of field paths")
        found[target] = tuple(paths)
    return found


def _event_codes(raw: Any, source: str) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise ProfileError(f"{source}: event_codes: expected a mapping of code to UPU code")
    codes = {}
    for own, upu in raw.items():
        if not (isinstance(own, str) and isinstance(upu, str) and len(upu) == 3):
            raise ProfileError(f"{source}: event_codes: {own!r}: expected a three-letter UPU code")
        codes[own] = upu
    return codes


def _capabilities(values: Any, source: str) -> frozenset[Capability]:
    if not isinstance(values, list):
        raise ProfileError(f"{source}: capabilities: expected a list")
    found = set()
    for value in values:
        try:
            capability = Capability(value)
        except ValueError:
            choices = ", ".join(c.value for c in Capability if c not in NOT_CONFIGURABLE)
            raise ProfileError(
                f"{source}: capabilities: {value!r} is not one of {choices}"
            ) from None
        if capability in NOT_CONFIGURABLE:
            raise ProfileError(f"{source}: capabilities: {value!r} is not served by profiles")
        found.add(capability)
    return frozenset(found)
