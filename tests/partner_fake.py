"""An in-process fake of the partners' UPU-style exchange and the origin's pre-alert, for
``httpx.MockTransport``: it records what it received and answers as scripted."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import httpx
import orjson

from postbridge.carriers.clients import PartnerClients
from postbridge.carriers.partners_file import load_partners_file
from postbridge.carriers.upu import load_profiles


class FakePartners:
    def __init__(self) -> None:
        self.received: dict[str, list[dict[str, Any]]] = {}  # partner -> messages
        self.prealerts: list[dict[str, Any]] = []
        self.prealert_refused: set[str] = set()  # tracking numbers the origin answers 422 for
        self.rejections: dict[str, list[dict[str, str]]] = {}  # item id -> reasons
        self.feeds: dict[str, list[dict[str, Any]]] = {}  # partner -> its event feed
        self.feed_cursors_asked: list[str | None] = []
        # Answered, in order, to advance data before anything else (a post that is down); only
        # to ``failing_partner``'s when set, so other tests' leftover jobs do not use them up.
        self.item_failures: list[httpx.Response] = []
        self.failing_partner: str | None = None

    def handler(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        failing = self.failing_partner is None or f"/{self.failing_partner}/" in path
        if path.endswith("/v1/items") and self.item_failures and failing:
            return self.item_failures.pop(0)
        if path == "/origin/v1/prealerts":
            parcels = orjson.loads(request.content)["parcels"]
            if any(p["tracking_number"] in self.prealert_refused for p in parcels):
                return httpx.Response(422, json={"detail": "parcels[0]: not expected here"})
            self.prealerts.extend(parcels)
            return httpx.Response(202)
        _, _upu, partner, *rest = path.split("/")
        if rest == ["v1", "items"]:
            messages = orjson.loads(request.content)["messages"]
            self.received.setdefault(partner, []).extend(messages)
            return httpx.Response(200, json={"results": [self._result(m) for m in messages]})
        if rest == ["v1", "events"]:
            # The cursor is the feed position, as the sandbox's is; never null.
            after = request.url.params.get("after")
            self.feed_cursors_asked.append(after)
            start, limit = int(after or 0), int(request.url.params["limit"])
            page = self.feeds.get(partner, [])[start : start + limit]
            return httpx.Response(200, json={"events": page, "next_cursor": str(start + len(page))})
        return httpx.Response(404)

    def _result(self, message: dict[str, Any]) -> dict[str, Any]:
        reasons = self.rejections.get(message["item_id"])
        if reasons:
            return {"item_id": message["item_id"], "status": "rejected", "reasons": reasons}
        return {"item_id": message["item_id"], "status": "accepted"}

    def clients(self, sleep: Callable[[float], None] = lambda _s: None) -> PartnerClients:
        return PartnerClients(
            load_partners_file(environ={}), load_profiles(),
            transport=httpx.MockTransport(self.handler), sleep=sleep, rng=random.Random(3),
        )  # fmt: skip
