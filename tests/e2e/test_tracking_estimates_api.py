"""Delivery estimates through HTTP: GET /v1/trackers/{n} gives the current estimate and its
history (the booking promise first), and the public page shows the estimate's range."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.e2e.conftest import auth
from tests.e2e.test_tracking_api import book, feed, soon
from tests.integration.test_tracking_ingest import item


def test_the_tracker_shows_its_estimate_history_and_the_page_its_range(
    client: TestClient, merchant_key: str, operator_key: str
) -> None:
    shipment = book(client, merchant_key)
    number = shipment["tracking_number"]
    pending = client.get(f"/v1/trackers/{number}", headers=auth(merchant_key)).json()
    assert (pending["estimate"], pending["estimate_history"]) == (None, [])

    feed(client, operator_key, [
        item(number, "EMA", soon(1), description="Posted in Shenzhen"),
        item(number, "EMC", soon(8), description="Left China", city="Shenzhen Airport"),
    ])  # fmt: skip
    tracker = client.get(f"/v1/trackers/{number}", headers=auth(merchant_key)).json()

    history = tracker["estimate_history"]
    assert history[0]["source"] == "booking"
    assert (history[0]["p50"], history[0]["p90"]) == (
        shipment["promise"]["p50"], shipment["promise"]["p90"],
    )  # fmt: skip
    assert history[0]["basis_milestone"] is None
    assert history[-1]["source"] == "scan"
    assert history[-1]["basis_milestone"] == "departed_origin_country"
    assert tracker["estimate"] == history[-1]

    current = tracker["estimate"]
    for lang, between in (("en", "between"), ("zh", "预计区间"), ("es", "entre"), ("pt", "entre")):
        page = client.get(f"/t/{number}?lang={lang}")
        assert page.status_code == 200
        assert current["p50"] in page.text
        if current["p90"] != current["p50"]:
            assert f"({between} {current['p50']} – {current['p90']})" in page.text
