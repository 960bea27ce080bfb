"""The partner seam: last-mile partners behind one adapter protocol, looked up by network code.

One folder per adapter (``usps/``, ``upu/`` for every post configured by a profile file); no
adapter package imports another (import-linter checks it). The composition root builds the
``PartnerRegistry`` from configuration.
"""

from postbridge.carriers.adapter import Capability, PartnerAdapter, PartnerNumberScheme
from postbridge.carriers.registry import PartnerRegistry

__all__ = ["Capability", "PartnerAdapter", "PartnerNumberScheme", "PartnerRegistry"]
