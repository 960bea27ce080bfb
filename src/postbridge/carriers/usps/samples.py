"""The demonstration label with a USPS last mile, as docs/samples, the label bench and the label
tests print it: ``labels.samples.sample_label`` plus the IMpb block under a made-up mailer id."""

from __future__ import annotations

from typing import Any

from postbridge.carriers.usps.adapter import impb_label_barcode
from postbridge.identifiers.impb import build_impb_tracking_number
from postbridge.labels.model import LabelData, PartnerBarcode
from postbridge.labels.samples import sample_label

SAMPLE_MAILER_ID = "901234567"
SAMPLE_SERVICE_TYPE_CODE = "748"
SAMPLE_ZIP = "10118"


def sample_impb(serial: int) -> PartnerBarcode:
    pic = build_impb_tracking_number(
        service_type_code=SAMPLE_SERVICE_TYPE_CODE,
        mailer_id=SAMPLE_MAILER_ID,
        serial=serial % 10_000_000,
    )
    return impb_label_barcode(pic.digits, postal_code=SAMPLE_ZIP)


def usps_sample_label(
    *, with_impb: bool = True, serial: int = 10_047_514, **kwargs: Any
) -> LabelData:
    """``sample_label(**kwargs)`` for a USPS last mile; ``with_impb=False`` leaves the IMpb off
    (a parcel whose partner number is not issued yet)."""
    return sample_label(
        serial=serial,
        partner="USPS",
        partner_barcode=sample_impb(serial) if with_impb else None,
        **kwargs,
    )
