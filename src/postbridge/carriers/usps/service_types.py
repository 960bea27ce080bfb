"""Which IMpb service type code a USPS parcel carries: the product's last-mile service names
its mail class (``data/service_type_codes.yaml``, with its source), the settings may override
a code, and a service with no entry takes the default code of the settings."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from postbridge.errors import ConfigurationError

DATA = Path(__file__).parent / "data" / "service_type_codes.yaml"
_CODE = re.compile(r"^\d{3}$")


@dataclass(frozen=True, slots=True)
class ServiceType:
    service: str  # the network's last-mile service (``priority``, ``ground_advantage``, ...)
    code: str  # the three-digit STC
    mail_class: str


@cache
def service_types(path: Path = DATA) -> Mapping[str, ServiceType]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    found: dict[str, ServiceType] = {}
    for service, entry in (raw.get("codes") or {}).items():
        code = str(entry["code"])
        if not _CODE.match(code):
            raise ConfigurationError(
                f"{path.name}: {service}: service type code {code!r} is not 3 digits"
            )
        found[str(service)] = ServiceType(str(service), code, str(entry.get("mail_class", "")))
    return found


def service_type_codes(overrides: Mapping[str, str]) -> dict[str, str]:
    """The code of every service that has one: the data file's, then the overrides."""
    codes = {service: entry.code for service, entry in service_types().items()}
    for service, code in overrides.items():
        if not _CODE.match(code):
            raise ConfigurationError(
                f"POSTBRIDGE_USPS_SERVICE_TYPE_CODES: {service}: {code!r} is not 3 digits"
            )
        codes[service] = code
    return codes
