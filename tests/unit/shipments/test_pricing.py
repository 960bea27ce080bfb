"""plan_and_price: what the booking asks the route planner, and the duty estimate it stores."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tests.builders import RECIPIENT_BR, shipment_input

from postbridge.customs import Incoterm, estimate_duties_and_taxes
from postbridge.errors import ProblemList
from postbridge.kit.money import Money
from postbridge.shipments.capture import ValidShipment, validate_shipment
from postbridge.shipments.ports import PlannedRoute, PlanRequest
from postbridge.shipments.pricing import plan_and_price

BOOKED_AT = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
DUTIES = Money("USD", 731)


class RecordingPlanner:
    """A duties-paid product priced at 12.00 USD of transport plus 7.31 USD of duties."""

    def __init__(self) -> None:
        self.requests: list[PlanRequest] = []

    def plan(self, request: PlanRequest) -> PlannedRoute:
        self.requests.append(request)
        return PlannedRoute(
            product="BR-DDP",
            partner="CORREIOS",
            price=Money("USD", 1200) + DUTIES,
            promise_p50=date(2026, 12, 9),
            promise_p90=date(2026, 12, 14),
            route={"legs": []},
            service_indicator="LX",  # a real plan's route names its service level instead
            duties_included=DUTIES,
        )


def valid_shipment() -> ValidShipment:
    problems = ProblemList()
    valid = validate_shipment(
        shipment_input(recipient=RECIPIENT_BR),
        on_date=BOOKED_AT.date(),
        cn22_threshold_sdr=300,
        problems=problems,
    )
    assert valid is not None, problems.problems
    return valid


def test_the_planner_gets_the_declared_items_so_duties_paid_prices_include_duties() -> None:
    valid = valid_shipment()
    planner = RecordingPlanner()
    plan_and_price(valid, planner=planner, booked_at=BOOKED_AT)
    (request,) = planner.requests
    assert request.items == valid.declaration.items
    assert request.declared_value == Money("USD", 1980)


def test_the_duty_estimate_counts_the_transport_price_only() -> None:
    valid = valid_shipment()
    priced = plan_and_price(valid, planner=RecordingPlanner(), booked_at=BOOKED_AT)
    assert priced.planned is not None
    assert priced.planned.transport_price == Money("USD", 1200)
    expected = estimate_duties_and_taxes(
        destination_country="BR",
        items=valid.declaration.items,
        shipping_cost=Money("USD", 1200),
        incoterm=Incoterm.DDU,
        on_date=BOOKED_AT.date(),
        origin_country="CN",
    )
    assert priced.duties == expected
    assert priced.duties.to_json()["shipping_cost"] == {"amount": "12.00", "currency": "USD"}


def test_repeated_baskets_reuse_one_estimate_and_a_new_cost_gets_its_own() -> None:
    valid = valid_shipment()
    first = plan_and_price(valid, planner=RecordingPlanner(), booked_at=BOOKED_AT)
    again = plan_and_price(valid_shipment(), planner=RecordingPlanner(), booked_at=BOOKED_AT)
    assert again.duties is first.duties
    without_route = plan_and_price(valid, planner=None, booked_at=BOOKED_AT)
    assert without_route.duties.shipping_cost == Money("USD", 0)
    assert without_route.duties is not first.duties
