"""Which origin sorting centre takes a sender's parcels (data: data/origin_catchments.yaml)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml

from postbridge.errors import InvalidInput
from postbridge.network.model import FacilityKind, Network


@lru_cache(maxsize=1)
def catchments() -> dict[str, dict[str, str]]:
    text = resources.files("postbridge.quotes").joinpath("data/origin_catchments.yaml").read_text()
    loaded: dict[str, dict[str, str]] = yaml.safe_load(text)
    return {
        country: {str(k): str(v) for k, v in table.items()} for country, table in loaded.items()
    }


def origin_facility(network: Network, country: str, postal_code: str, *, field: str) -> str:
    """The origin sorting centre for a sender; ``field`` names the country field in errors."""
    table = catchments().get(country)
    if table is None:
        served = ", ".join(sorted(catchments()))
        raise InvalidInput.for_field(
            field,
            f"postbridge collects parcels in {served}, not in {country}",
            code="not_served",
            error_code="origin_not_served",
        )
    digits = "".join(ch for ch in postal_code if ch.isalnum())
    for length in range(len(digits), 0, -1):
        found = table.get(digits[:length])
        if found is not None:
            return _checked(network, found)
    if "*" in table:
        return _checked(network, table["*"])
    # No first mile is sold from outside the pick-up zones: quoting the route from a centre
    # the parcel has not reached would promise dates it cannot make.
    centres = sorted(
        {network.facilities[f].city for f in table.values() if f in network.facilities}
    )
    raise InvalidInput.for_field(
        field.rpartition(".")[0] + ".postal_code" if "." in field else "postal_code",
        f"{postal_code} is outside postbridge's pick-up zones in {country} (collection from "
        f"{', '.join(centres)} and their provinces); the network sells no first mile from "
        "there to a sorting centre",
        code="not_served",
        error_code="origin_not_served",
    )


def _checked(network: Network, facility_id: str) -> str:
    facility = network.facilities.get(facility_id)
    if facility is None or facility.kind is not FacilityKind.ORIGIN_SORTING_CENTRE:
        raise LookupError(f"origin catchment names {facility_id}, not an origin of {network.name}")
    return facility_id
