"""The console upload page's texts: the sample file it links to and an error as the page says
it (the upload itself is ``bulk.uploads.store_upload``, shared with the API)."""

from __future__ import annotations

import csv
import io
from functools import cache

from postbridge.bulk.csv_format import template_header
from postbridge.errors import InvalidInput, PostbridgeError

SAMPLE_FILE_NAME = "sample-shipments.csv"
_SAMPLE_ROW = {
    "reference": "ORDER-1001", "service": "standard", "incoterm": "DDU",
    "sender_name": "Li Wei", "sender_company": "Shenzhen Gadgets Co",
    "sender_street1": "No. 8 Keji Road, Nanshan", "sender_city": "Shenzhen",
    "sender_region": "Guangdong", "sender_postal_code": "518057", "sender_country": "CN",
    "sender_phone": "+86 755 8888 8888", "sender_email": "ops@example.cn",
    "recipient_name": "Jane Doe", "recipient_street1": "100 Congress Ave",
    "recipient_city": "Austin", "recipient_region": "Texas", "recipient_postal_code": "78701",
    "recipient_country": "US", "recipient_phone": "512-555-0100",
    "recipient_email": "jane@example.com", "weight_g": "450", "length_mm": "200",
    "width_mm": "150", "height_mm": "50", "customs_category": "sale_of_goods", "currency": "USD",
    "item1_description": "Cotton T-shirt", "item1_quantity": "2", "item1_unit_value": "9.90",
    "item1_hs_code": "610910", "item1_origin_country": "CN", "item1_unit_weight_g": "180",
}  # fmt: skip


@cache
def sample_csv() -> str:
    """The template header (one item's columns) and one parcel that books as it is."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=template_header(items=1), lineterminator="\n")
    writer.writeheader()
    writer.writerow(_SAMPLE_ROW)
    return buffer.getvalue()


def describe_problem(error: PostbridgeError) -> str:
    """The error as the page says it: each problem with the field (or column) it is about."""
    problems = error.problems if isinstance(error, InvalidInput) else []
    if not problems:
        return error.detail
    return "; ".join(
        problem.message if problem.message.startswith(f"{problem.field}:")
        else f"{problem.field}: {problem.message}"
        for problem in problems
    )  # fmt: skip
