"""The partners file: base URLs, credentials, timeouts, retries and rate limits per partner.

One YAML file (the shipped ``carriers/data/partners.yaml`` points at the partner sandbox, and
documents every field; ``POSTBRIDGE_PARTNERS_FILE`` names an operator's own). ``${NAME}`` and
``${NAME:-fallback}`` are read from the environment at load time, so secrets can live outside
the file. Secrets are ``Secret`` values whose repr is redacted, so a logged connection, an
exception's locals or a debugger never shows them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from postbridge.errors import PartnerError

DEFAULT_ENTRY = "*"
_VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)(?::-([^}]*))?\}")
_CONNECTION_FIELDS = frozenset(
    {"base_url", "api_key", "client_id", "client_secret", "timeouts", "retries", "rate_limit"}
)
_PARTNER_FIELDS = frozenset({"exchange", "api", "label_registration"})
_ADDRESS_FIELDS = ("name", "company", "city", "region", "postal_code", "phone", "email")
_TOP_FIELDS = frozenset({"defaults", "origin", "partners"})


class PartnerNotConfigured(PartnerError):
    """The partners file has no connection for this partner and channel (an operator fixes the
    file; retrying cannot help)."""

    code = "partner_not_configured"
    title = "No connection to this partner is configured"


class PartnersFileError(ValueError):
    """A partners file that cannot be used, naming the file and the field (never a value)."""


class Secret:
    """A credential: ``reveal()`` gives it to the one place that sends it; repr shows nothing."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True, slots=True)
class Timeouts:
    connect_s: float = 3.0
    read_s: float = 15.0


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 3  # within one call, the first included
    base_delay_s: float = 0.5
    max_delay_s: float = 8.0
    # A Retry-After longer than this is not slept through in the call (it would hold a
    # worker): the call fails as unavailable and the job is retried later.
    max_retry_after_s: float = 30.0


@dataclass(frozen=True, slots=True)
class RateLimit:
    per_second: float = 20.0


@dataclass(frozen=True, slots=True)
class Connection:
    base_url: str
    api_key: Secret | None = None
    client_id: str | None = None
    client_secret: Secret | None = None
    timeouts: Timeouts = field(default_factory=Timeouts)
    retries: RetryPolicy = field(default_factory=RetryPolicy)
    rate_limit: RateLimit = field(default_factory=RateLimit)


@dataclass(frozen=True, slots=True)
class InductionAddress:
    """Where the partner takes the parcels in (it prices a domestic label from there)."""

    name: str
    company: str
    street_lines: tuple[str, ...]
    city: str
    region: str
    postal_code: str
    phone: str = ""
    email: str = ""


@dataclass(frozen=True, slots=True)
class LabelRegistration:
    """A partner that wants each parcel's label registered in its system before hand-over."""

    mail_class: str
    mailed_from: InductionAddress


@dataclass(frozen=True, slots=True)
class PartnerConnections:
    """How one partner is reached: the UPU-style exchange, and the partner's own API (its
    adapter's client talks to it) for a partner that has one."""

    partner: str
    exchange: Connection | None = None
    api: Connection | None = None
    label_registration: LabelRegistration | None = None


@dataclass(frozen=True, slots=True)
class PartnersFile:
    partners: Mapping[str, PartnerConnections]
    origin: Connection | None = None
    source: str = ""

    def for_partner(self, partner: str) -> PartnerConnections | None:
        """The partner's own entry, else the ``"*"`` entry with ``{post}`` filled in."""
        own = self.partners.get(partner)
        if own is not None:
            return own
        template = self.partners.get(DEFAULT_ENTRY)
        if template is None:
            return None

        def fill(connection: Connection | None) -> Connection | None:
            if connection is None:
                return None
            return replace(connection, base_url=connection.base_url.replace("{post}", partner))

        return PartnerConnections(
            partner, fill(template.exchange), fill(template.api), template.label_registration
        )


def shipped_partners_file() -> str:
    return resources.files("postbridge.carriers").joinpath("data", "partners.yaml").read_text()


def load_partners_file(
    path: Path | None = None, *, environ: Mapping[str, str] | None = None
) -> PartnersFile:
    """``path`` (default: the shipped file), with ``${...}`` read from ``environ``."""
    text = shipped_partners_file() if path is None else path.read_text("utf-8")
    return parse_partners_file(
        text,
        source=str(path or "partners.yaml"),
        environ=os.environ if environ is None else environ,
    )


def parse_partners_file(text: str, *, source: str, environ: Mapping[str, str]) -> PartnersFile:
    raw = yaml.safe_load(_substitute(text, environ, source))
    where = _Where(source)
    mapping = where.mapping(raw, "")
    where.known(mapping, _TOP_FIELDS, "")
    defaults = _connection_defaults(where.mapping(mapping.get("defaults") or {}, "defaults"), where)
    partners: dict[str, PartnerConnections] = {}
    for code, entry in where.mapping(mapping.get("partners") or {}, "partners").items():
        path = f"partners.{code}"
        body = where.mapping(entry, path)
        where.known(body, _PARTNER_FIELDS, path)
        partners[str(code)] = PartnerConnections(
            partner=str(code),
            exchange=_connection(body.get("exchange"), defaults, where, f"{path}.exchange"),
            api=_connection(body.get("api"), defaults, where, f"{path}.api"),
            label_registration=_registration(
                body.get("label_registration"), where, f"{path}.label_registration"
            ),
        )
    origin = _connection(mapping.get("origin"), defaults, where, "origin")
    return PartnersFile(partners=partners, origin=origin, source=source)


def _substitute(text: str, environ: Mapping[str, str], source: str) -> str:
    def value(match: re.Match[str]) -> str:
        name, fallback = match.group(1), match.group(2)
        found = environ.get(name)
        if found is not None and found != "":
            return found
        if fallback is None:
            raise PartnersFileError(f"{source}: ${{{name}}} is not set and has no fallback")
        return fallback

    # Comments are dropped first: a ${...} in a comment must not need a value.
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    return _VARIABLE.sub(value, "\n".join(lines))


@dataclass(frozen=True, slots=True)
class _Defaults:
    timeouts: Timeouts
    retries: RetryPolicy
    rate_limit: RateLimit


def _connection_defaults(raw: Mapping[str, Any], where: _Where) -> _Defaults:
    where.known(raw, frozenset({"timeouts", "retries", "rate_limit"}), "defaults")
    base = _Defaults(Timeouts(), RetryPolicy(), RateLimit())
    return _Defaults(
        timeouts=where.record(raw.get("timeouts"), base.timeouts, "defaults.timeouts"),
        retries=where.record(raw.get("retries"), base.retries, "defaults.retries"),
        rate_limit=where.record(raw.get("rate_limit"), base.rate_limit, "defaults.rate_limit"),
    )


def _connection(raw: Any, defaults: _Defaults, where: _Where, path: str) -> Connection | None:
    if raw is None:
        return None
    body = where.mapping(raw, path)
    where.known(body, _CONNECTION_FIELDS, path)
    base_url = body.get("base_url")
    if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
        raise PartnersFileError(f"{where.source}: {path}.base_url: expected an http(s) URL")

    def secret(name: str) -> Secret | None:
        value = body.get(name)
        if value is None:
            return None
        if not isinstance(value, str) or not value:
            raise PartnersFileError(f"{where.source}: {path}.{name}: expected text")
        return Secret(value)

    client_id = body.get("client_id")
    if client_id is not None and not isinstance(client_id, str):
        raise PartnersFileError(f"{where.source}: {path}.client_id: expected text")
    return Connection(
        base_url=base_url.rstrip("/"),
        api_key=secret("api_key"),
        client_id=client_id,
        client_secret=secret("client_secret"),
        timeouts=where.record(body.get("timeouts"), defaults.timeouts, f"{path}.timeouts"),
        retries=where.record(body.get("retries"), defaults.retries, f"{path}.retries"),
        rate_limit=where.record(body.get("rate_limit"), defaults.rate_limit, f"{path}.rate_limit"),
    )


def _registration(raw: Any, where: _Where, path: str) -> LabelRegistration | None:
    if raw is None:
        return None
    body = where.mapping(raw, path)
    where.known(body, frozenset({"mail_class", "mailed_from"}), path)
    address = where.mapping(body.get("mailed_from"), f"{path}.mailed_from")
    where.known(address, frozenset({*_ADDRESS_FIELDS, "street_lines"}), f"{path}.mailed_from")
    values = {}
    for name in _ADDRESS_FIELDS:
        value = address.get(name, "")
        if not isinstance(value, str):
            raise PartnersFileError(f"{where.source}: {path}.mailed_from.{name}: expected text")
        values[name] = value
    lines = address.get("street_lines")
    if not isinstance(lines, list) or not lines or not all(isinstance(x, str) for x in lines):
        raise PartnersFileError(
            f"{where.source}: {path}.mailed_from.street_lines: expected a list of lines"
        )
    mail_class = body.get("mail_class")
    if not isinstance(mail_class, str) or not mail_class:
        raise PartnersFileError(f"{where.source}: {path}.mail_class: expected a mail class")
    return LabelRegistration(mail_class, InductionAddress(street_lines=tuple(lines), **values))


class _Where:
    def __init__(self, source: str) -> None:
        self.source = source

    def mapping(self, raw: Any, path: str) -> Mapping[str, Any]:
        if not isinstance(raw, dict):
            raise PartnersFileError(f"{self.source}: {path or 'file'}: expected a mapping")
        return raw

    def known(self, raw: Mapping[str, Any], allowed: frozenset[str], path: str) -> None:
        unknown = sorted(set(raw) - allowed)
        if unknown:
            prefix = f"{path}." if path else ""
            raise PartnersFileError(f"{self.source}: {prefix}{unknown[0]}: unknown field")

    def record(self, raw: Any, base: Any, path: str) -> Any:
        """``base`` (a frozen dataclass of numbers) with the fields ``raw`` sets."""
        if raw is None:
            return base
        body = self.mapping(raw, path)
        allowed = frozenset(base.__dataclass_fields__)
        self.known(body, allowed, path)
        values = {}
        for name, value in body.items():
            expected = type(getattr(base, name))
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise PartnersFileError(f"{self.source}: {path}.{name}: expected a positive number")
            if expected is int and not isinstance(value, int):
                raise PartnersFileError(f"{self.source}: {path}.{name}: expected a whole number")
            values[name] = expected(value)
        return replace(base, **values)
