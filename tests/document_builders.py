"""Typed documents and label blocks for tests: a route document with any legs, the IMpb a label
prints."""

from __future__ import annotations

from datetime import date, datetime

from postbridge.identifiers import ImpbBarcode, parse_impb_barcode
from postbridge.kit.clock import time_zone
from postbridge.kit.money import Money
from postbridge.kit.terms import ServiceLevel
from postbridge.labels.model import LabelData
from postbridge.quotes.route_document import RouteDocument, RouteLeg, RoutePromise, parse_time


def impb_of(label: LabelData) -> ImpbBarcode:
    """The IMpb the label's partner block encodes (its GS1 fields, concatenated as a scanner
    returns them)."""
    assert label.partner_barcode is not None
    return parse_impb_barcode("".join(label.partner_barcode.gs1_fields))


def leg(
    name: str,
    mode: str,
    dropoff: str,
    departs: str,
    arrives: str,
    ready: str,
    *,
    departs_zone: str = "Asia/Hong_Kong",
    arrives_zone: str = "America/Los_Angeles",
) -> RouteLeg:
    """A leg ``"FROM>TO"`` with UTC times written ``2026-11-26T01:00:00Z``."""
    origin, destination = name.split(">")
    leaves, lands = parse_time(departs), parse_time(arrives)
    return RouteLeg(
        leg=name, origin=origin, destination=destination, mode=mode, operator="XX",
        latest_dropoff=parse_time(dropoff), departs=leaves,
        departs_local=leaves.astimezone(time_zone(departs_zone)), departs_time_zone=departs_zone,
        arrives=lands, arrives_local=lands.astimezone(time_zone(arrives_zone)),
        arrives_time_zone=arrives_zone, ready=parse_time(ready),
    )  # fmt: skip


def route_document(
    legs: tuple[RouteLeg, ...] = (),
    *,
    partner: str = "USPS",
    p90: str = "2026-12-05",
    promised_by: str = "2026-12-08",
    partner_numbered: bool = False,
) -> RouteDocument:
    handover = datetime.fromisoformat("2026-11-30T15:00:00+00:00")
    return RouteDocument(
        product="TEST-PRODUCT", product_name="Test product", service=ServiceLevel.STANDARD,
        partner=partner, partner_name=f"{partner} post", injection_point="LAX-ISC",
        office_of_exchange="USLAXA", sort_code="LAX-787", partner_numbered=partner_numbered,
        legs=legs,
        promise=RoutePromise(
            p50=date.fromisoformat(p90), p90=date.fromisoformat(p90),
            time_zone="America/Chicago", handover_p50=handover, handover_p90=handover,
            transit_days_p50=3, transit_days_p90=4, promised_by=date.fromisoformat(promised_by),
            within_promise=True,
        ),
        linehaul_cost=Money.parse("1.20", "USD"), network_version="test",
    )  # fmt: skip
