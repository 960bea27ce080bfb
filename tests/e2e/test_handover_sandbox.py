"""The platform against the partner sandbox, in process: book a CN->US and a CN->ES parcel,
run the worker's jobs, and the sandbox holds advance data matching each shipment's customs
declaration field by field; after the sandbox clock moves, the tracking pull brings the
partners' events (UPU feed for Correos, USPS tracking for USPS) into the tracking store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from postbridge.bootstrap import Platform
from postbridge.carriers.clients import PartnerClients
from postbridge.carriers.partners_file import load_partners_file
from postbridge.carriers.upu import load_profiles
from postbridge.errors import PartnerUnavailable
from postbridge.handover.job_kinds import PREALERT_JOB
from postbridge.handover.jobs import tracking_pull_partners
from postbridge.handover.models import ShipmentHandover
from postbridge.handover.repository import HandoverRepository
from postbridge.handover.tracking_pull import pull_tracking
from postbridge.identifiers.impb import is_valid_impb
from postbridge.jobs.repository import JobRepository
from postbridge.kit.clock import utc_now
from postbridge.kit.money import Money
from postbridge.sandbox.app import create_sandbox_app
from postbridge.sandbox.sandbox import build_sandbox
from postbridge.tracking.models import TrackingEventRow
from postbridge.worker.loop import Worker
from tests.builders import shipment_body
from tests.e2e.conftest import auth

RECIPIENT_ES: dict[str, Any] = {
    "name": "Lucia Perez", "street_lines": ["Calle Mayor 1"], "city": "Madrid", "region": "M",
    "postal_code": "28013", "country": "ES", "phone": "+34 600 000 000",
    "email": "lucia@example.es",
}  # fmt: skip


@pytest.fixture
def sandbox() -> Iterator[TestClient]:
    world = build_sandbox(url="sqlite://", seed=5, start=utc_now() - timedelta(minutes=5),
                          sender=lambda _url, _body, _headers: True)  # fmt: skip
    with TestClient(create_sandbox_app(world)) as client:
        yield client


@pytest.fixture
def wired(platform: Platform, sandbox: TestClient) -> Iterator[Platform]:
    """The session platform with its partner clients talking to the in-process sandbox."""

    def forward(request: httpx.Request) -> httpx.Response:
        answer = sandbox.request(
            request.method, request.url.raw_path.decode(), content=request.content,
            headers={k: v for k, v in request.headers.items() if k.lower() != "host"},
        )  # fmt: skip
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)

    before = platform.partner_clients
    platform.partner_clients = PartnerClients(
        load_partners_file(environ={}), load_profiles(), transport=httpx.MockTransport(forward),
        sleep=lambda _s: None, registry=platform.partners,
    )  # fmt: skip
    yield platform
    platform.partner_clients = before


def jobs_of(platform: Platform, kind: str) -> list[tuple[str, int, str | None]]:
    with platform.database.unit_of_work() as uow:
        jobs = JobRepository(uow.session).listing(status=None, kind=kind, limit=20)
        return [(job.status, job.attempts, job.last_error) for job in jobs]


def expected_items(customs: dict[str, Any]) -> list[dict[str, Any]]:
    """The declaration's lines as the exchange carries them: line totals (CN23 columns)."""
    lines = []
    for item in customs["items"]:
        unit = Money.parse(item["unit_value"]["amount"], item["unit_value"]["currency"])
        lines.append({
            "description": item["description"], "hs_code": item["hs_code"],
            "quantity": item["quantity"], "value": unit.times(item["quantity"]).to_json(),
            "net_weight_g": item["unit_weight_g"] * item["quantity"],
            "origin_country": item["origin_country"],
        })  # fmt: skip
    return lines


def test_booked_parcels_reach_the_sandbox_with_their_declaration_and_their_events_come_back(
    wired: Platform, client: TestClient, sandbox: TestClient, merchant_key: str
) -> None:
    booked = [
        client.post("/v1/shipments", json=shipment_body(), headers=auth(merchant_key)).json(),
        client.post(
            "/v1/shipments", json=shipment_body(recipient=RECIPIENT_ES), headers=auth(merchant_key)
        ).json(),
    ]
    assert [(s["partner"], s["advance_data"]) for s in booked] == [
        ("USPS", None),
        ("CORREOS", None),
    ]

    Worker(wired).drain()

    for shipment in booked:
        shown = client.get(f"/v1/shipments/{shipment['id']}", headers=auth(merchant_key)).json()
        assert shown["status"] == "booked"
        assert shown["advance_data"]["status"] == "accepted"
        assert shown["advance_data"]["partner"] == shipment["partner"]
        assert shown["advance_data"]["reasons"] == []
        held = sandbox.get(
            f"/sandbox/v1/advance-data/{shipment['partner']}/{shipment['tracking_number']}"
        ).json()
        message = held["message"]
        assert held["result"] == {"item_id": shipment["tracking_number"], "status": "accepted"}
        customs = shipment["customs"]
        assert message["item_id"] == shipment["tracking_number"]
        assert message["category"] == customs["category"]
        assert message["declared_value"] == customs["declared_value"]
        assert message["items"] == expected_items(customs)
        assert message["gross_weight_g"] == shipment["parcel"]["weight_g"]
        assert (message["origin_country"], message["destination_country"]) == (
            shipment["sender"]["country"],
            shipment["recipient"]["country"],
        )
        for party, address in (
            ("sender", shipment["sender"]),
            ("addressee", shipment["recipient"]),
        ):
            for field in ("name", "company", "street_lines", "city", "region", "postal_code",
                          "country", "phone", "email"):  # fmt: skip
                assert message[party][field] == address[field], (party, field)
        parcel = sandbox.get(f"/sandbox/v1/parcels/{shipment['tracking_number']}")
        # pre-alerted to the origin (on failure, say what the pre-alert jobs went through)
        assert parcel.status_code == 200, jobs_of(wired, PREALERT_JOB)

    # USPS wants each label registered: it allocated its own number for the US parcel.
    with wired.database.unit_of_work() as uow:
        registered = {
            shipment["partner"]: record.registered_tracking_number
            for shipment in booked
            if (record := uow.session.get(ShipmentHandover, shipment["id"])) is not None
        }
    assert registered["CORREOS"] is None
    assert is_valid_impb(registered["USPS"] or "")
    # service type code 001, then the sandbox's mailer id 902015 (sandbox/data/rules.yaml)
    assert (registered["USPS"] or "")[2:11] == "001902015"

    sandbox.post("/sandbox/v1/clock/advance", json={"hours": 24 * 6})
    assert wired.partner_clients is not None
    counts = pull_tracking(
        database=wired.database, clients=wired.partner_clients,
        partners=tracking_pull_partners(wired.partners),
    )  # fmt: skip

    with wired.database.unit_of_work() as uow:
        stored = dict(
            uow.session.execute(
                select(TrackingEventRow.partner, func.count())
                .where(TrackingEventRow.tracking_number.in_(
                    [booked[0]["partner_tracking_number"], booked[1]["tracking_number"]]))
                .group_by(TrackingEventRow.partner)
            ).all()
        )  # fmt: skip
    assert counts.events > 0
    assert set(stored) == {"usps", "correos"}


def test_a_parcel_the_post_would_refuse_is_refused_at_booking_and_never_sent(
    wired: Platform, client: TestClient, sandbox: TestClient, merchant_key: str
) -> None:
    # Correos reads Latin script only (its profile's latin_script rule, which would hold the
    # parcel): since issue 11 booking refuses the name itself, so no label prints it as glyphs
    # the delivery office cannot read, and nothing reaches the post.
    body = shipment_body(recipient={**RECIPIENT_ES, "name": "李伟"})
    response = client.post("/v1/shipments", json=body, headers=auth(merchant_key))

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["recipient.name"]
    Worker(wired).drain()
    listed = client.get(
        "/v1/shipments", params={"status": "held"}, headers=auth(merchant_key)
    ).json()
    assert listed["items"] == []


def test_an_outage_of_500_then_429_loses_no_advance_data(
    wired: Platform, client: TestClient, sandbox: TestClient, merchant_key: str
) -> None:
    sandbox.post("/sandbox/v1/faults", json={"partner": "CORREOS", "status": 500, "minutes": 10})
    sandbox.post(
        "/sandbox/v1/faults",
        json={"partner": "CORREOS", "status": 429, "retry_after_s": 30, "minutes": 5},
    )
    body = shipment_body(recipient=RECIPIENT_ES)
    shipment = client.post("/v1/shipments", json=body, headers=auth(merchant_key)).json()
    now = [utc_now() + timedelta(seconds=5)]  # the worker's clock; jobs are queued at utc_now()
    worker = Worker(wired)
    worker.runner.clock = lambda: now[0]

    def advance_data() -> dict[str, Any]:
        shown = client.get(f"/v1/shipments/{shipment['id']}", headers=auth(merchant_key))
        return dict(shown.json()["advance_data"] or {})

    def job() -> tuple[str, int, str | None]:
        with wired.database.unit_of_work() as uow:
            row = JobRepository(uow.session).by_dedupe_key(f"advance-data:{shipment['id']}")
            assert row is not None
            return row.status, row.attempts, row.last_error

    worker.drain()  # 500: the attempt fails and the job waits for its backoff
    assert advance_data()["status"] == "pending"
    assert job() == ("queued", 1, "PartnerUnavailable: CORREOS: the advance data answered HTTP 500")
    sandbox.post("/sandbox/v1/clock/advance", json={"minutes": 10})
    now[0] += timedelta(hours=1)
    worker.drain()  # 429 with Retry-After: still pending
    assert advance_data()["status"] == "pending"
    assert job() == ("queued", 2, "PartnerUnavailable: CORREOS: the advance data answered HTTP 429")
    sandbox.post("/sandbox/v1/clock/advance", json={"minutes": 5})
    now[0] += timedelta(hours=1)
    worker.drain()

    assert advance_data()["status"] == "accepted"
    assert job()[:2] == ("done", 3)
    held = sandbox.get(f"/sandbox/v1/advance-data/CORREOS/{shipment['tracking_number']}").json()
    assert held["result"] == {"item_id": shipment["tracking_number"], "status": "accepted"}
    assert held["message"]["items"] == expected_items(shipment["customs"])


def test_an_outage_of_the_event_feed_loses_no_events(
    wired: Platform, client: TestClient, sandbox: TestClient, merchant_key: str
) -> None:
    with wired.database.unit_of_work() as uow:  # this test's sandbox starts its feed afresh
        HandoverRepository(uow.session).set_feed_cursor("CORREOS", None, now=utc_now())
        uow.commit()
    body = shipment_body(recipient=RECIPIENT_ES)
    shipment = client.post("/v1/shipments", json=body, headers=auth(merchant_key)).json()
    Worker(wired).drain()  # advance data accepted, pre-alerted
    sandbox.post("/sandbox/v1/clock/advance", json={"hours": 24 * 6})  # scans emitted
    assert wired.partner_clients is not None

    def stored() -> int:
        with wired.database.unit_of_work() as uow:
            return int(
                uow.session.scalar(
                    select(func.count()).where(
                        TrackingEventRow.tracking_number == shipment["tracking_number"]
                    )
                )
                or 0
            )

    def pull() -> None:
        pull_tracking(
            database=wired.database, clients=wired.partner_clients,  # type: ignore[arg-type]
            partners=["CORREOS"],
        )  # fmt: skip

    sandbox.post("/sandbox/v1/faults", json={"partner": "CORREOS", "status": 500, "minutes": 10})
    with pytest.raises(PartnerUnavailable, match="HTTP 500"):  # the job fails and is retried
        pull()
    assert stored() == 0
    sandbox.post("/sandbox/v1/clock/advance", json={"minutes": 10})  # the 500s are over
    sandbox.post(
        "/sandbox/v1/faults",
        json={"partner": "CORREOS", "status": 429, "retry_after_s": 30, "minutes": 5},
    )
    with pytest.raises(PartnerUnavailable, match="HTTP 429"):
        pull()
    assert stored() == 0
    sandbox.post("/sandbox/v1/clock/advance", json={"minutes": 5})
    pull()

    arrived = stored()
    assert arrived > 0
    pull()  # the feed's cursor moved on: nothing twice
    assert stored() == arrived
