"""``GET /v1/trackers/{n}`` writes its JSON straight from the read model (tracking.views): the
bytes are those FastAPI wrote when the route returned the validated TrackerRead, and bad
numbers are a problem+json 404, never a 500."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from postbridge.bootstrap import Platform
from postbridge.tracking.reading import get_tracker
from postbridge.tracking.schemas import TrackerRead, tracker_read
from tests.e2e.conftest import auth
from tests.e2e.test_tracking_api import book, feed, soon
from tests.integration.test_tracking_ingest import item


def _fastapi_bytes(model: TrackerRead) -> bytes:
    """What FastAPI's JSONResponse made of the response model (fastapi.routing)."""
    content = model.model_dump(mode="json")
    return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()


def test_the_bytes_are_those_of_the_validated_response_model(
    client: TestClient, platform: Platform, merchant_key: str, operator_key: str
) -> None:
    shipment = book(client, merchant_key)
    number, impb = shipment["tracking_number"], shipment["partner_tracking_number"]
    feed(client, operator_key, [
        item(number, "EMA", soon(1), description="收寄 ✓ \"quoted\""),
        item(number, "EMC", soon(8), city="Shenzhen Airport"),
        item(impb, "10", soon(30), partner="USPS"),
    ])  # fmt: skip
    for asked in (number, impb, f" {number.lower()} "):
        response = client.get(f"/v1/trackers/{asked}", headers=auth(merchant_key))
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        view = get_tracker(database=platform.database, tracking_number=asked, merchant_id=None)
        assert response.content == _fastapi_bytes(tracker_read(view))
    body = response.json()
    assert [e["code"] for e in body["events"]] == ["10", "EMC", "EMA"]
    assert body["estimate"] == body["estimate_history"][-1]


def test_bad_numbers_are_a_404_problem_naming_the_number(
    client: TestClient, merchant_key: str
) -> None:
    for asked, detail in (
        ("%00LX1", "nothing exists at a path with control characters"),  # the edge's answer
        ("x" * 300, f"no tracker for {'X' * 300} among your trackers"),
        ("lx 1-2", "no tracker for LX1-2 among your trackers"),
    ):
        response = client.get(f"/v1/trackers/{asked}", headers=auth(merchant_key))
        assert response.status_code == 404, asked
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"] == detail
