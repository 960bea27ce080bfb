"""What the sandbox's tests send it: pre-alerted parcels on the demo network's lanes, an
ITMATT-like advance data message, a USPS label request."""

from __future__ import annotations

from typing import Any

from postbridge.sandbox.parcels import ParcelPlan

# Shenzhen -> Hong Kong by truck, Hong Kong -> Los Angeles ISC (USPS last mile).
US_LEGS = [
    {"leg": "SZX-SC>HKG-HUB", "from": "SZX-SC", "to": "HKG-HUB", "mode": "truck",
     "departs": "2026-12-01T10:00:00Z", "arrives": "2026-12-01T13:00:00Z"},
    {"leg": "HKG-HUB>LAX-ISC", "from": "HKG-HUB", "to": "LAX-ISC", "mode": "air",
     "departs": "2026-12-02T08:00:00Z", "arrives": "2026-12-02T21:00:00Z"},
]  # fmt: skip
# Hangzhou -> Liege -> Madrid (Correos last mile).
ES_LEGS = [
    {"leg": "HGH-SC>HGH-AIR", "from": "HGH-SC", "to": "HGH-AIR", "mode": "truck",
     "departs": "2026-12-01T12:00:00Z", "arrives": "2026-12-01T13:30:00Z"},
    {"leg": "HGH-AIR>LGG-HUB", "from": "HGH-AIR", "to": "LGG-HUB", "mode": "air",
     "departs": "2026-12-02T14:00:00Z", "arrives": "2026-12-03T02:45:00Z"},
    {"leg": "LGG-HUB>MAD-HUB", "from": "LGG-HUB", "to": "MAD-HUB", "mode": "truck",
     "departs": "2026-12-03T18:00:00Z", "arrives": "2026-12-04T22:00:00Z"},
    {"leg": "MAD-HUB>MAD-OE", "from": "MAD-HUB", "to": "MAD-OE", "mode": "truck",
     "departs": "2026-12-05T08:00:00Z", "arrives": "2026-12-05T09:00:00Z"},
]  # fmt: skip


def prealert_parcel(
    *,
    tracking_number: str = "LX123456785CN",
    partner: str = "USPS",
    partner_tracking_number: str | None = None,
    country: str = "US",
    postal_code: str = "78701",
    booked_at: str = "2026-12-01T02:00:00Z",
    legs: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    return {
        "tracking_number": tracking_number,
        "partner": partner,
        "partner_tracking_number": partner_tracking_number,
        "destination_country": country,
        "destination_postal_code": postal_code,
        "weight_g": 500,
        "booked_at": booked_at,
        "route": {"legs": legs if legs is not None else (US_LEGS if country == "US" else ES_LEGS)},
    }


def plan(**fields: Any) -> ParcelPlan:
    return ParcelPlan.from_json(prealert_parcel(**fields))


def spain(**fields: Any) -> ParcelPlan:
    defaults: dict[str, Any] = {"partner": "CORREOS", "country": "ES", "postal_code": "28013"}
    return plan(**(defaults | fields))


# Advance data for LX123456785CN to Correos, as docs/partner-exchange.md spells it.
MESSAGE: dict[str, Any] = {
    "item_id": "LX123456785CN",
    "dispatch_ref": "CNHGHA-ESMADB-2026-0042",
    "posting_date": "2026-12-02T08:00:00Z",
    "origin_country": "CN",
    "destination_country": "ES",
    "mail_category": "A",
    "category": "sale_of_goods",
    "incoterm": "DDU",
    "gross_weight_g": 500,
    "declared_value": {"amount": "19.80", "currency": "USD"},
    "sender": {"name": "Shenzhen Trading Co", "company": "", "street_lines": ["1 Keyuan Rd"],
               "city": "Shenzhen", "region": "GD", "postal_code": "518057", "country": "CN",
               "phone": "", "email": ""},
    "addressee": {"name": "Lucia Garcia", "company": "", "street_lines": ["Calle Mayor 1"],
                  "city": "Madrid", "region": "M", "postal_code": "28013", "country": "ES",
                  "phone": "", "email": "", "tax_id": ""},
    "items": [{"description": "Cotton T-shirt", "hs_code": "610910", "quantity": 2,
               "value": {"amount": "19.80", "currency": "USD"}, "net_weight_g": 360,
               "origin_country": "CN"}],
}  # fmt: skip

# A USPS Ground Advantage label request (labels.yaml LabelRequest).
LABEL_REQUEST: dict[str, Any] = {
    "imageInfo": {"imageType": "PDF", "labelType": "4X6LABEL", "receiptOption": "NONE"},
    "toAddress": {"streetAddress": "100 Congress Ave", "city": "Austin", "state": "TX",
                  "ZIPCode": "78701", "firstName": "Ana", "lastName": "Diaz"},
    "fromAddress": {"streetAddress": "5500 W Century Blvd", "city": "Los Angeles", "state": "CA",
                    "ZIPCode": "90045", "firm": "postbridge"},
    "packageDescription": {"mailClass": "USPS_GROUND_ADVANTAGE", "rateIndicator": "SP",
                           "weightUOM": "lb", "weight": 1.1, "dimensionsUOM": "in", "length": 8,
                           "width": 6, "height": 2, "processingCategory": "MACHINABLE",
                           "mailingDate": "2026-12-03", "destinationEntryFacilityType": "NONE"},
}  # fmt: skip
