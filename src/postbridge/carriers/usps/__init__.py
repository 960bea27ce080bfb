"""The USPS adapter (IMpb numbers and label block) and its settings."""

from postbridge.carriers.usps.adapter import (
    BANNER,
    SCHEME,
    ImpbScheme,
    UspsAdapter,
    impb_label_barcode,
)
from postbridge.carriers.usps.settings import UspsSettings

__all__ = ["BANNER", "SCHEME", "ImpbScheme", "UspsAdapter", "UspsSettings", "impb_label_barcode"]
