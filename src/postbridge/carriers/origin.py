"""The origin sorting centre's pre-alert (``POST /origin/v1/prealerts``, docs/partner-exchange.md):
which parcels to expect, as a merchant's pre-alert tells a warehouse. Thin HTTP only."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from postbridge.carriers.http import PartnerHttp, rejected
from postbridge.carriers.partners_file import Secret

PREALERTS_PATH = "/origin/v1/prealerts"


class OriginClient:
    def __init__(self, http: PartnerHttp, *, api_key: Secret | None) -> None:
        self.http = http
        self._api_key = api_key

    def __repr__(self) -> str:
        return f"OriginClient({self.http.connection.base_url!r})"

    def prealert(self, parcels: Sequence[dict[str, Any]]) -> None:
        headers = (
            {} if self._api_key is None else {"Authorization": f"Bearer {self._api_key.reveal()}"}
        )
        response = self.http.request(
            "POST", PREALERTS_PATH, content=orjson.dumps({"parcels": list(parcels)}),
            headers=headers, what="the pre-alert",
        )  # fmt: skip
        if response.status_code not in (200, 202):
            raise rejected(self.http.partner, response, what="the pre-alert")
