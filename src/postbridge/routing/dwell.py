"""How long a parcel stays at a facility: processing, plus customs at destination gateways.

A customs profile is a mixture: most parcels are released after the usual clearance, a share
``inspection_rate`` is held and waits an inspection delay on top. Each stage is a log-normal
fitted to its (median, p90); the mixture's quantiles are read from a fixed-seed sample, so they
are deterministic and computed once per profile.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from postbridge.network.model import CustomsProfile, Facility, Network, Spread

_Z90 = 1.2815515655446004  # standard normal quantile at 0.9
_SAMPLES = 40_000
_SEED = 20261125


def _lognormal(spread: Spread, rng: np.random.Generator, size: int) -> np.ndarray:
    if spread.median_min == 0:
        return np.zeros(size)
    sigma = math.log(max(spread.p90_min, spread.median_min) / spread.median_min) / _Z90
    return np.asarray(rng.lognormal(math.log(spread.median_min), sigma, size))


@lru_cache(maxsize=256)
def customs_quantiles(profile: CustomsProfile) -> tuple[int, int]:
    """Median and p90 of the clearance time in minutes, inspections included."""
    rng = np.random.default_rng(_SEED)
    clearance = _lognormal(profile.clearance, rng, _SAMPLES)
    inspected = rng.random(_SAMPLES) < float(profile.inspection_rate)
    delay = _lognormal(profile.inspection_delay, rng, _SAMPLES)
    total = clearance + np.where(inspected, delay, 0.0)
    p50, p90 = np.quantile(total, [0.5, 0.9])
    return int(round(float(p50))), int(round(float(p90)))


def facility_dwell(network: Network, facility: Facility) -> tuple[int, int]:
    """(p50, p90) minutes between arrival and being ready to leave or be handed over.

    Processing and customs quantiles are added as if fully correlated (a slow day is slow
    everywhere), which bounds the true p90 of the sum from above: promises err on the safe side.
    """
    p50, p90 = facility.processing.median_min, facility.processing.p90_min
    profile = network.customs.get(facility.id)
    if profile is not None:
        customs_p50, customs_p90 = customs_quantiles(profile)
        p50, p90 = p50 + customs_p50, p90 + customs_p90
    return p50, p90
