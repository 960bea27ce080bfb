"""A pre-alerted parcel (``POST /origin/v1/prealerts``) and the places it is scanned at.

Pure. The pre-alert is the platform's plan; what happens to the parcel is ``timeline``'s job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictInt

from postbridge.sandbox.reality import Facility


class PlannedLegIn(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    leg: str = Field(min_length=1, max_length=80)
    origin: str = Field(alias="from", min_length=1, max_length=40)
    destination: str = Field(alias="to", min_length=1, max_length=40)
    mode: str = Field(min_length=1, max_length=20)
    departs: AwareDatetime
    arrives: AwareDatetime


class RouteIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    legs: list[PlannedLegIn] = Field(min_length=1, max_length=20)


class PreAlertParcelIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    tracking_number: str = Field(min_length=4, max_length=34, pattern=r"^[A-Z0-9]+$")
    partner: str = Field(min_length=1, max_length=40)
    partner_tracking_number: str | None = Field(default=None, max_length=34)
    destination_country: str = Field(pattern=r"^[A-Z]{2}$")
    destination_postal_code: str = Field(default="", max_length=20)
    weight_g: StrictInt = Field(gt=0, le=70_000)
    booked_at: AwareDatetime
    route: RouteIn


class PreAlertIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    parcels: list[PreAlertParcelIn] = Field(min_length=1, max_length=1000)


@dataclass(frozen=True, slots=True)
class PlannedLeg:
    leg: str
    origin: str  # facility ids
    destination: str
    mode: str
    departs: datetime  # aware
    arrives: datetime


@dataclass(frozen=True, slots=True)
class ParcelPlan:
    tracking_number: str  # the platform's number (S10 or IMpb)
    partner: str  # the last-mile partner's network code
    partner_tracking_number: str | None  # the number the partner tracks it by, when different
    destination_country: str
    destination_postal_code: str
    weight_g: int
    booked_at: datetime
    legs: tuple[PlannedLeg, ...]

    @property
    def partner_number(self) -> str:
        """The number the partner's own systems (and its tracking API) know the parcel by."""
        return self.partner_tracking_number or self.tracking_number

    @classmethod
    def of(cls, parcel: PreAlertParcelIn) -> ParcelPlan:
        return cls(
            tracking_number=parcel.tracking_number,
            partner=parcel.partner,
            partner_tracking_number=parcel.partner_tracking_number or None,
            destination_country=parcel.destination_country,
            destination_postal_code=parcel.destination_postal_code,
            weight_g=parcel.weight_g,
            booked_at=parcel.booked_at,
            legs=tuple(
                PlannedLeg(leg.leg, leg.origin, leg.destination, leg.mode, leg.departs, leg.arrives)
                for leg in parcel.route.legs
            ),
        )

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> ParcelPlan:
        return cls.of(PreAlertParcelIn.model_validate(raw))


@lru_cache(maxsize=4096)
def _us_place(zip5: str) -> tuple[str, str, str] | None:
    import zipcodes  # loads its table on first use (about a second): only when a US parcel comes

    try:
        found = zipcodes.matching(zip5)
    except (TypeError, ValueError):
        return None
    if not found:
        return None
    return found[0]["city"].upper(), found[0]["state"], found[0]["timezone"]


def delivery_office(country: str, postal_code: str, handover: Facility) -> Facility:
    """Where the last mile delivers from: the addressee's post office, in the addressee's zone
    (a US ZIP's own zone, from the ``zipcodes`` tables; elsewhere the hand-over's zone)."""
    code = postal_code.replace(" ", "").upper()
    if country == "US":
        place = _us_place(code[:5])
        if place is not None:
            city, state, zone = place
            return Facility(
                f"ZIP-{code[:5]}",
                "delivery_office",
                code[:5],
                f"{city} POST OFFICE",
                city,
                "US",
                code[:5],
                zone,
                state,
            )
    return Facility(
        f"DO-{country}-{code}",
        "delivery_office",
        f"{country}{code[:8]}",
        f"Delivery office {postal_code}".strip(),
        handover.city,
        country,
        postal_code,
        handover.time_zone,
    )
