"""The parcel network: definition format, loader with located errors, and the demo network."""

from postbridge.network.demo import DEMO_DIRECTORY, demo_network
from postbridge.network.errors import DefinitionProblem, NetworkDefinitionError
from postbridge.network.loader import load_network
from postbridge.network.model import (
    CustomsProfile,
    Departure,
    Facility,
    FacilityKind,
    Incoterm,
    LastMilePartner,
    Leg,
    Network,
    PriceBand,
    Product,
    RegionScheme,
    ServiceLevel,
    Spread,
    TransitDays,
    TransportMode,
    Weekday,
)

__all__ = [
    "DEMO_DIRECTORY",
    "CustomsProfile",
    "DefinitionProblem",
    "Departure",
    "Facility",
    "FacilityKind",
    "Incoterm",
    "LastMilePartner",
    "Leg",
    "Network",
    "NetworkDefinitionError",
    "PriceBand",
    "Product",
    "RegionScheme",
    "ServiceLevel",
    "Spread",
    "TransitDays",
    "TransportMode",
    "Weekday",
    "demo_network",
    "load_network",
]
