"""Weights in grams and lengths in millimetres, as plain ints; parcel dimensions and the
volumetric weight carriers charge; the unit constants partner formats convert with."""

from __future__ import annotations

from dataclasses import dataclass

GRAMS_PER_KG = 1000
GRAMS_PER_POUND = 453.59237
MM_PER_INCH = 25.4


@dataclass(frozen=True, slots=True)
class Dimensions:
    length_mm: int
    width_mm: int
    height_mm: int

    @property
    def volume_cm3(self) -> float:
        return self.length_mm * self.width_mm * self.height_mm / 1000.0

    def volumetric_weight_g(self, divisor_cm3_per_kg: int) -> int:
        """Dimensional weight in grams for a carrier divisor (e.g. 5000 or 6000 cm3/kg)."""
        return int(round(self.volume_cm3 / divisor_cm3_per_kg * GRAMS_PER_KG))


def describe_size(size: int) -> str:
    """A byte count as a limit is stated to people: 1024 -> '1 KiB', 2097152 -> '2 MiB';
    anything else in bytes."""
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale and size % scale == 0:
            return f"{size // scale} {unit}"
    return f"{size} bytes"
