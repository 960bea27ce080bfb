"""The thin client of the UPU-style exchange (docs/partner-exchange.md): advance data pushed to
a post, item events pulled from it by cursor. Only HTTP; bodies come from ``upu.wire``."""

from __future__ import annotations

from collections.abc import Sequence

import orjson

from postbridge.carriers.http import PartnerHttp, rejected
from postbridge.carriers.partners_file import Secret
from postbridge.carriers.upu.profiles import PostProfile
from postbridge.carriers.upu.wire import (
    EVENTS_PATH,
    ITEMS_PATH,
    MAX_EVENTS_PER_PAGE,
    AdvanceDataMessage,
    EventPage,
    ItemResult,
    parse_event_page,
    parse_item_results,
)


class UpuExchangeClient:
    def __init__(self, http: PartnerHttp, *, api_key: Secret, profile: PostProfile) -> None:
        self.http = http
        self.profile = profile
        self._api_key = api_key

    def __repr__(self) -> str:
        return f"UpuExchangeClient({self.http.partner!r}, {self.http.connection.base_url!r})"

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._api_key.reveal()}"}

    def send_advance_data(self, messages: Sequence[AdvanceDataMessage]) -> list[ItemResult]:
        """``POST /v1/items``; sending an item id again replaces its earlier data at the post,
        so a retried call is harmless."""
        response = self.http.request(
            "POST", ITEMS_PATH, content=orjson.dumps({"messages": list(messages)}),
            headers=self._headers(), what="the advance data",
        )  # fmt: skip
        if response.status_code != 200:
            raise rejected(self.http.partner, response, what="the advance data")
        return parse_item_results(response.content, sent=[m["item_id"] for m in messages])

    def pull_events(self, *, after: str | None, limit: int = MAX_EVENTS_PER_PAGE) -> EventPage:
        """The events after ``after`` (None: from the start of the feed)."""
        params: dict[str, str | int] = {"limit": min(limit, MAX_EVENTS_PER_PAGE)}
        if after is not None:
            params["after"] = after
        response = self.http.request(
            "GET", EVENTS_PATH, params=params, headers=self._headers(), what="the event feed"
        )
        if response.status_code != 200:
            raise rejected(self.http.partner, response, what="the event feed")
        return parse_event_page(response.content, self.profile)
