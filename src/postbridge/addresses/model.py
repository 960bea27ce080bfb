"""Address value objects: what the merchant typed, and what we keep after normalising it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from postbridge.addresses.tax_ids import TaxIdKind
from postbridge.errors import FieldProblem


class AddressRole(StrEnum):
    SENDER = "sender"
    RECIPIENT = "recipient"


@dataclass(frozen=True, slots=True)
class AddressInput:
    """An address as captured (API body, CSV row); nothing is trusted yet."""

    name: str | None = None
    company: str | None = None
    street_lines: tuple[str, ...] = ()
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None
    phone: str | None = None
    email: str | None = None
    tax_id: str | None = None


@dataclass(frozen=True, slots=True)
class NormalizedAddress:
    """An address that passed the destination's rules, in canonical spelling.

    ``region`` is the code where the country uses codes ("TX", "SP", "CDMX", "M") and the Latin
    name where its reference keys are not Latin ("Guangdong Sheng"). Empty strings mean absent.
    ``phone`` is E.164; an extension typed after it ("ext. 23") is kept in ``phone_extension``.
    ``warnings`` say what was corrected (code ``corrected``), each under its field's path.
    """

    name: str
    company: str
    street_lines: tuple[str, ...]
    city: str
    region: str
    postal_code: str
    country: str
    phone: str
    email: str
    tax_id: str
    tax_id_kind: TaxIdKind | None
    formatted_lines: tuple[str, ...]
    phone_extension: str = ""
    warnings: tuple[FieldProblem, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "company": self.company,
            "street_lines": list(self.street_lines),
            "city": self.city,
            "region": self.region,
            "postal_code": self.postal_code,
            "country": self.country,
            "phone": self.phone,
            "email": self.email,
            "tax_id": self.tax_id,
            "tax_id_kind": self.tax_id_kind.value if self.tax_id_kind else None,
            "formatted_lines": list(self.formatted_lines),
            "phone_extension": self.phone_extension,
            "warnings": [warning.to_json() for warning in self.warnings],
        }
