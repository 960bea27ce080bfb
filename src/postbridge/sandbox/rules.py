"""The partners' rules (``data/rules.yaml``): credentials and each post's advance-data checks."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from postbridge.sandbox.reality import DEFAULT_KEY, RealityError

_VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)(?::-([^}]*))?\}")


def _expand(text: str) -> str:
    """``${NAME:-fallback}`` from the environment, as the platform's partners file reads it."""
    return _VARIABLE.sub(lambda match: os.environ.get(match[1], match[2] or ""), text)


@dataclass(frozen=True, slots=True)
class PostRules:
    country: str | None
    latin_script_names: bool
    postal_code_required: bool
    tax_id_required: bool
    max_items: int
    hold_without_advance_data: bool


@dataclass(frozen=True, slots=True)
class UspsRules:
    token_lifetime_s: int
    scopes: frozenset[str]
    payment_token_required: bool
    mailer_id: str
    service_type_code: str
    subscription_secret_length: int


@dataclass(frozen=True, slots=True)
class Rules:
    origin_api_key: str = field(repr=False)
    upu_api_key: str = field(repr=False)
    usps_client_id: str
    usps_client_secret: str = field(repr=False)
    usps: UspsRules
    posts: dict[str, PostRules]

    def post(self, partner: str) -> PostRules:
        return self.posts.get(partner, self.posts[DEFAULT_KEY])


def parse_rules(raw: Any) -> Rules:
    if not isinstance(raw, dict) or raw.get("format") != "postbridge-sandbox-rules/1":
        raise RealityError("rules format: expected postbridge-sandbox-rules/1")
    try:
        credentials, usps = raw["credentials"], raw["usps"]
        posts = {
            str(partner): PostRules(
                country=spec["country"],
                latin_script_names=bool(spec["latin_script_names"]),
                postal_code_required=bool(spec["postal_code_required"]),
                tax_id_required=bool(spec["tax_id_required"]),
                max_items=int(spec["max_items"]),
                hold_without_advance_data=bool(spec["hold_without_advance_data"]),
            )
            for partner, spec in raw["posts"].items()
        }
        rules = Rules(
            origin_api_key=_expand(credentials["origin_api_key"]),
            upu_api_key=_expand(credentials["upu_api_key"]),
            usps_client_id=_expand(credentials["usps_client_id"]),
            usps_client_secret=_expand(credentials["usps_client_secret"]),
            usps=UspsRules(
                token_lifetime_s=int(usps["token_lifetime_s"]),
                scopes=frozenset(usps["scopes"]),
                payment_token_required=bool(usps["payment_token_required"]),
                mailer_id=str(usps["mailer_id"]),
                service_type_code=str(usps["service_type_code"]),
                subscription_secret_length=int(usps["subscription_secret_length"]),
            ),
            posts=posts,
        )
    except KeyError as missing:
        raise RealityError(f"rules: missing field {missing.args[0]!r}") from None
    if DEFAULT_KEY not in posts:
        raise RealityError(f"rules posts: needs a {DEFAULT_KEY!r} entry")
    return rules


def load_rules(path: Path | None = None) -> Rules:
    if path is None:
        text = resources.files("postbridge.sandbox").joinpath("data", "rules.yaml").read_text()
    else:
        text = path.read_text("utf-8")
    return parse_rules(yaml.safe_load(text))
